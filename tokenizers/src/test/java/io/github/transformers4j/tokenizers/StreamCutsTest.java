package io.github.transformers4j.tokenizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.tokenizers.formats.TokenizerFiles;
import io.github.transformers4j.tokenizers.models.CharLevel;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Where {@link Tokenizer#encodeStream} cuts, with a char-level model of the texts' chars (each char
 * one id, so a char lost, doubled or moved at a cut changes the ids) and with BERT's WordPiece (a
 * cut inside a word changes them): every stream gives the ids of one whole encode. The texts put
 * the places to cut where the buffer's edges fall: a single space as the first or last char a read
 * can see, runs of spaces, tabs and newlines around a cut (never cut there), a run with no place
 * to cut longer than two pieces (the buffer grows, then shrinks again), an end of text exactly at
 * the buffer's size, and surrogate pairs throughout.
 */
class StreamCutsTest {
  static final int P = Tokenizer.STREAM_PIECE;

  static int[] streamed(Tokenizer tok, String text, int chunk) throws IOException {
    List<Integer> got = new ArrayList<>();
    StringReader in =
        new StringReader(text) {
          @Override
          public int read(char[] cbuf, int off, int len) throws IOException {
            return super.read(cbuf, off, Math.min(len, chunk));
          }
        };
    tok.encodeStream(in, got::add);
    return got.stream().mapToInt(Integer::intValue).toArray();
  }

  static String fill(char c, int n) {
    return String.valueOf(c).repeat(n);
  }

  @Test
  void everyCutGivesTheIdsOfAWholeEncode() throws IOException {
    List<String> texts =
        List.of(
            // A single space at the last place a full buffer can cut, and at the first.
            fill('a', 2 * P - 3) + " b" + fill('c', 2 * P),
            "a b" + fill('c', 2 * P + 5) + " d",
            // Only runs of whitespace near the buffer's end: no cut inside them.
            fill('a', 2 * P - 10) + "  \t \n " + fill('b', 2 * P) + " x",
            // No place to cut for three pieces, then words: the buffer grows and shrinks back.
            fill('q', 3 * P) + (" w" + fill('e', 7)).repeat(P / 4) + " " + fill('z', P / 2),
            // The text ends exactly where the first buffer does.
            fill('m', P) + " " + fill('n', P - 1),
            fill('m', 2 * P),
            // Surrogate pairs on both sides of every space.
            ("\uD83D\uDE00\uD83D\uDE00 \uD83D\uDE00x").repeat(P / 6),
            "",
            "x");
    Tokenizer chars = Tokenizer.builder(CharLevel.fromText(String.join("", texts))).build();
    Tokenizer bert = TokenizerFiles.load(Fixtures.tokenizers("bert-base-uncased/vocab.txt"));
    int n = 0;
    for (String t : texts) {
      int[] whole = chars.encode(t, null, false).ids();
      assertEquals(t.codePointCount(0, t.length()), whole.length, "one id a char");
      assertArrayEquals(whole, streamed(chars, t, P / 2 + 7), "chars, text " + n);
      // BERT: a cut inside a word (or inside a run too long to be a word) changes the ids.
      assertArrayEquals(
          bert.encode(t, null, false).ids(), streamed(bert, t, 3 * P + 1), "BERT, text " + n);
      n++;
    }
    assertTrue(n == texts.size());
  }
}
