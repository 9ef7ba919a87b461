package io.github.transformers4j.tokenizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.tokenizers.formats.TokenizerFiles;
import java.io.StringReader;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, must-have 6: {@link Tokenizer#encodeStream} encodes a text of any length in bounded
 * memory, piece by piece, and gives the ids of one whole encode (without special tokens) for the
 * standard pipelines: byte-level BPE (GPT-2), BERT WordPiece and SentencePiece Unigram (T5, whose
 * normalizer removes extra whitespace). The text is one line of four pieces' length (about 0.26 M
 * chars: two cuts or more, each at a single space, with runs of spaces, tabs, accents, digits,
 * emoji and CJK around the cuts); the size is kept small because under PIT this test runs for most
 * mutants of the encoding path.
 */
class StreamEncodingTest {
  static final long SEED = 99L;

  static String text(int chars) {
    String[] words = {
      "the", "tokenizer", "naïve", "café", "Übermäßig", "12,345", "don't", "😀", "東京", "x",
      "transformers", "re-entrant", "ＡＢＣ", "ﬁne", "e\u0301"
    };
    String[] gaps = {" ", " ", " ", " ", "  ", "\t", " \n ", "   "};
    SplittableRandom r = new SplittableRandom(SEED);
    StringBuilder b = new StringBuilder(chars + 32);
    while (b.length() < chars) {
      b.append(words[r.nextInt(words.length)]).append(gaps[r.nextInt(gaps.length)]);
    }
    return b.toString();
  }

  @Test
  void aStreamGivesTheIdsOfAWholeEncode() throws Exception {
    String t = text(4 * Tokenizer.STREAM_PIECE);
    assertTrue(t.length() >= 4 * Tokenizer.STREAM_PIECE);
    for (String file : List.of("gpt2/tokenizer.json", "bert-base-uncased/vocab.txt", "t5/spiece.model")) {
      Tokenizer tok = TokenizerFiles.load(Fixtures.tokenizers(file));
      int[] whole = tok.encode(t, null, false).ids();
      java.util.ArrayList<Integer> got = new java.util.ArrayList<>();
      // A reader that returns few characters per call, as a pipe does.
      StringReader in =
          new StringReader(t) {
            @Override
            public int read(char[] cbuf, int off, int len) throws java.io.IOException {
              return super.read(cbuf, off, Math.min(len, 7919));
            }
          };
      tok.encodeStream(in, got::add);
      int[] streamed = got.stream().mapToInt(Integer::intValue).toArray();
      assertArrayEquals(whole, streamed, file + " (seed " + SEED + ")");
    }
  }
}
