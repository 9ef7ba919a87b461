package io.github.transformers4j.it.tokenizers;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.github.transformers4j.tokenizers.Tokenizer;
import io.github.transformers4j.tokenizers.formats.HfTokenizerJson;
import io.github.transformers4j.tokenizers.formats.TokenizerFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Encoding throughput, ours against Hugging Face tokenizers (DJL) in the same JVM, on the Europarl
 * sample: GPT-2 byte-level BPE (the fixture tokenizer.json, loaded by both) and BERT uncased
 * WordPiece (our tokenizer.json from vocab.txt, loaded by both); one thread (one text per call) and
 * batched (1,024 texts per call, each side's own parallelism). Rounds alternate A B A B so load
 * from other work falls on both; prints medians of tokens/s and the ratio ours/theirs. A main
 * class, never a timed test: run it with {@code bench/tokenizers-vs-hf.sh}.
 *
 * <p>Arguments: {@code [--rounds N] [--lines N]}.
 */
public final class TokenizerBenchmark {
  private TokenizerBenchmark() {}

  /** Runs the benchmark. */
  public static void main(String[] args) throws Exception {
    int rounds = 3;
    int maxLines = Integer.MAX_VALUE;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--lines" -> maxLines = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i] + " (--rounds N, --lines N)");
      }
    }
    List<String> all = Corpora.europarl();
    List<String> lines = all.subList(0, Math.min(maxLines, all.size()));
    long chars = lines.stream().mapToLong(String::length).sum();
    System.out.printf(Locale.ROOT, "corpus: %d Europarl lines, %.1f M chars; %d rounds A B A B%n",
        lines.size(), chars / 1e6, rounds);
    Path gpt2Json = Corpora.fixture("gpt2/tokenizer.json");
    Tokenizer bert = TokenizerFiles.load(Corpora.fixture("bert-base-uncased/vocab.txt"));
    Path bertJson = Files.createTempDirectory("t4j-bench").resolve("tokenizer.json");
    HfTokenizerJson.save(bert, bertJson);
    System.out.printf("%-10s %-8s %14s %14s %7s%n", "tokenizer", "mode", "ours tok/s", "HF tok/s", "ratio");
    run("gpt2", TokenizerFiles.load(gpt2Json), gpt2Json, lines, rounds);
    run("bert", bert, bertJson, lines, rounds);
  }

  private static void run(String name, Tokenizer ours, Path json, List<String> lines, int rounds)
      throws Exception {
    try (HuggingFaceTokenizer hf =
        HuggingFaceTokenizer.newInstance(json, Map.of("truncation", "false", "padding", "false"))) {
      for (boolean batched : new boolean[] {false, true}) {
        // Warm-up of both sides (JIT, caches), and the token count both must agree on.
        long tokens = oursPass(ours, lines, batched);
        long theirTokens = hfPass(hf, lines, batched);
        if (tokens != theirTokens) {
          throw new AssertionError(name + ": token counts differ, ours " + tokens + " HF " + theirTokens);
        }
        double[] a = new double[rounds];
        double[] b = new double[rounds];
        for (int r = 0; r < rounds; r++) {
          long t0 = System.nanoTime();
          oursPass(ours, lines, batched);
          a[r] = tokens / ((System.nanoTime() - t0) / 1e9);
          t0 = System.nanoTime();
          hfPass(hf, lines, batched);
          b[r] = tokens / ((System.nanoTime() - t0) / 1e9);
        }
        double ma = median(a);
        double mb = median(b);
        System.out.printf(Locale.ROOT, "%-10s %-8s %14.0f %14.0f %6.2fx%n",
            name, batched ? "batched" : "1 thread", ma, mb, ma / mb);
      }
    }
  }

  private static long oursPass(Tokenizer t, List<String> lines, boolean batched) {
    long n = 0;
    if (!batched) {
      for (String s : lines) {
        n += t.encode(s).size();
      }
      return n;
    }
    for (int from = 0; from < lines.size(); from += 1024) {
      for (var e : t.encodeBatch(lines.subList(from, Math.min(lines.size(), from + 1024)))) {
        n += e.size();
      }
    }
    return n;
  }

  private static long hfPass(HuggingFaceTokenizer t, List<String> lines, boolean batched) {
    long n = 0;
    if (!batched) {
      for (String s : lines) {
        n += t.encode(s, true, false).getIds().length;
      }
      return n;
    }
    for (int from = 0; from < lines.size(); from += 1024) {
      List<String> chunk = new ArrayList<>(lines.subList(from, Math.min(lines.size(), from + 1024)));
      for (var e : t.batchEncode(chunk, true, false)) {
        n += e.getIds().length;
      }
    }
    return n;
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }
}
