package io.github.transformers4j.tokenizers.trainers;

import io.github.transformers4j.tokenizers.NormalizedString;
import io.github.transformers4j.tokenizers.Normalizer;
import io.github.transformers4j.tokenizers.PreTokenizer;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The words a normalizer and a pre-tokenizer make of a corpus, with their counts: what every
 * trainer starts from. Reading files reports {@code count} progress (bytes, rate, ETA).
 */
final class WordCounts {
  private final Normalizer normalizer;
  private final PreTokenizer pre;
  private final Map<String, long[]> counts = new HashMap<>();
  private final List<NormalizedString> pieces = new ArrayList<>();

  /** Counts through {@code normalizer} (or none if null) and {@code pre}. */
  WordCounts(Normalizer normalizer, PreTokenizer pre) {
    this.normalizer = normalizer;
    this.pre = pre;
  }

  /** Counts the words of one line. */
  void feed(String line) {
    NormalizedString n = NormalizedString.of(line);
    if (normalizer != null) {
      n = normalizer.normalize(n);
    }
    pieces.clear();
    pre.split(n, pieces);
    for (NormalizedString p : pieces) {
      counts.computeIfAbsent(p.text(), k -> new long[1])[0]++;
    }
  }

  /** Counts the words of text files, read as UTF-8 lines, reporting {@code count} progress. */
  void feed(List<Path> files, Progress progress) throws IOException {
    long total = 0;
    for (Path f : files) {
      total += Files.size(f);
    }
    long done = 0;
    long t0 = System.nanoTime();
    long lastReport = t0;
    for (Path f : files) {
      try (BufferedReader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          feed(line);
          done += line.length() + 1;
          long now = System.nanoTime();
          if (now - lastReport > 1_000_000_000L) {
            progress.report("count", done, total, done / ((now - t0) / 1e9));
            lastReport = now;
          }
        }
      } catch (MalformedInputException e) {
        throw new IOException(f + ": not UTF-8 text", e);
      }
    }
    progress.report("count", done, total, done / Math.max(1e-9, (System.nanoTime() - t0) / 1e9));
  }

  /** The distinct words, sorted, so that nothing downstream depends on hash order. */
  String[] sortedWords() {
    String[] words = counts.keySet().toArray(new String[0]);
    Arrays.sort(words);
    return words;
  }

  /** The count of each of {@code words}. */
  long[] countsOf(String[] words) {
    long[] c = new long[words.length];
    for (int i = 0; i < words.length; i++) {
      c[i] = counts.get(words[i])[0];
    }
    return c;
  }
}
