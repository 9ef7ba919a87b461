package io.github.transformers4j.tokenizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.github.transformers4j.tokenizers.formats.TokenizerFiles;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, must-have 5: a {@link Tokenizer} may be shared by threads (its class comment). One
 * instance of each model kind (byte-level BPE with its word cache, WordPiece, Unigram) encoded
 * from 8 threads at once gives each text the ids and offsets of a serial encode.
 *
 * <p>Tagged {@code not-in-pit}: it compares a tokenizer with itself, so a mutant that changes what
 * encoding gives changes both sides alike; what it could detect (an exception) the parity tests
 * detect on the same three models in a fraction of the time.
 */
@Tag("not-in-pit")
class SharedTokenizerTest {
  static final long SEED = 7L;

  @Test
  void eachTokenizerSharedByEightThreadsEncodesAsSerialCalls() throws Exception {
    List<Tokenizer> tokenizers =
        List.of(
            TokenizerFiles.load(Fixtures.tokenizers("gpt2/tokenizer.json")),
            TokenizerFiles.load(Fixtures.tokenizers("bert-base-uncased/vocab.txt")),
            TokenizerFiles.load(Fixtures.tokenizers("t5/spiece.model")));
    String[] words = {
      "the", "tokenizer", "naïve", "café", "Übermäßig", "12,345", "don't", "😀", "東京", "x",
      "transformers", "  ", "\t", "re-entrant", "shared"
    };
    SplittableRandom r = new SplittableRandom(SEED);
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      StringBuilder b = new StringBuilder();
      for (int w = 0, n = 1 + r.nextInt(30); w < n; w++) {
        b.append(words[r.nextInt(words.length)]).append(r.nextInt(4) == 0 ? "" : " ");
      }
      texts.add(b.toString());
    }
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      for (Tokenizer tok : tokenizers) {
        List<Encoding> serial = new ArrayList<>();
        for (String t : texts) {
          serial.add(tok.encode(t));
        }
        CyclicBarrier start = new CyclicBarrier(8);
        List<Future<List<Encoding>>> got = new ArrayList<>();
        for (int c = 0; c < 8; c++) {
          int offset = c * 50; // each thread starts elsewhere, so words meet the cache in turn
          got.add(
              pool.submit(
                  () -> {
                    start.await();
                    List<Encoding> out = new ArrayList<>(texts.size());
                    for (int i = 0; i < texts.size(); i++) {
                      out.add(null);
                    }
                    for (int i = 0; i < texts.size(); i++) {
                      int j = (i + offset) % texts.size();
                      out.set(j, tok.encode(texts.get(j)));
                    }
                    return out;
                  }));
        }
        for (Future<List<Encoding>> f : got) {
          List<Encoding> have = f.get();
          for (int i = 0; i < texts.size(); i++) {
            assertArrayEquals(serial.get(i).ids(), have.get(i).ids(), "text " + i + ", seed " + SEED);
            assertArrayEquals(
                serial.get(i).tokens(), have.get(i).tokens(), "text " + i + ", seed " + SEED);
          }
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
