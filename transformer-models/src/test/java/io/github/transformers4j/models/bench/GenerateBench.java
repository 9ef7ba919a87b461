package io.github.transformers4j.models.bench;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.registry.Backends;
import io.github.transformers4j.api.spi.BackendOptions;
import io.github.transformers4j.models.generation.GenerationConfig;
import io.github.transformers4j.models.generation.Generator;
import io.github.transformers4j.models.gpt.Gpt2Config;
import io.github.transformers4j.models.gpt.Gpt2Model;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Generation throughput of a GPT-2-small-shaped decoder (12 layers, 768 wide, 12 heads, vocabulary
 * 50257, random weights) with the KV cache: greedy decoding of {@code new} tokens after a {@code
 * prompt}-token prompt, batch 1, on each thread count. Prints the prompt (prefill) time and the
 * decode rate in tokens/s as the median of {@code runs} runs after one warm-up run. Not a test:
 * a {@code t4j bench generate} command can call {@link #run}.
 *
 * <p>Usage: {@code GenerateBench [backend=cpu] [threads=1,2] [prompt=32] [new=64] [runs=3]}.
 */
public final class GenerateBench {
  private GenerateBench() {}

  /** One measurement. */
  public record Result(int threads, double prefillMs, double tokensPerSecond) {}

  /** Entry point; arguments as {@code key=value}. */
  public static void main(String[] args) {
    String backend = "cpu";
    int[] threads = {1, 2};
    int prompt = 32;
    int fresh = 64;
    int runs = 3;
    for (String a : args) {
      String[] kv = a.split("=", 2);
      switch (kv[0]) {
        case "backend" -> backend = kv[1];
        case "threads" -> threads = Arrays.stream(kv[1].split(",")).mapToInt(Integer::parseInt).toArray();
        case "prompt" -> prompt = Integer.parseInt(kv[1]);
        case "new" -> fresh = Integer.parseInt(kv[1]);
        case "runs" -> runs = Integer.parseInt(kv[1]);
        default -> throw new IllegalArgumentException("unknown argument " + a);
      }
    }
    for (int t : threads) {
      Result r = run(backend, t, prompt, fresh, runs);
      System.out.printf(
          "generate gpt2-small (random weights) backend=%s threads=%d prompt=%d new=%d:"
              + " prefill %.1f ms, decode %.1f tokens/s%n",
          backend, r.threads(), prompt, fresh, r.prefillMs(), r.tokensPerSecond());
    }
  }

  /** Measures on {@code threads} threads of {@code backend}. */
  public static Result run(String backend, int threads, int promptLength, int newTokens, int runs) {
    try (ComputeBackend b =
        Backends.installed()
            .create(backend, BackendOptions.none().with("threads", Integer.toString(threads)))) {
      Ops ops = new Ops(b);
      Gpt2Model model = new Gpt2Model(ops, Gpt2Config.small().withSeed(1));
      SplittableRandom rng = new SplittableRandom(7);
      int[] prompt = new int[promptLength];
      Arrays.setAll(prompt, i -> rng.nextInt(model.config().vocabSize()));
      double[] prefill = new double[runs];
      double[] rate = new double[runs];
      for (int r = -1; r < runs; r++) {
        long[] firstTokenAt = new long[1];
        long start = System.nanoTime();
        // The session is timed from the outside: prefill ends when the first token is chosen.
        new Generator(model::session)
            .generate(
                new int[][] {prompt},
                GenerationConfig.greedy(newTokens),
                new io.github.transformers4j.models.generation.GenerationListener() {
                  @Override
                  public void onToken(int row, int token) {
                    if (firstTokenAt[0] == 0) {
                      firstTokenAt[0] = System.nanoTime();
                    }
                  }
                });
        long end = System.nanoTime();
        if (r >= 0) {
          prefill[r] = (firstTokenAt[0] - start) / 1e6;
          rate[r] = (newTokens - 1) / ((end - firstTokenAt[0]) / 1e9);
        }
      }
      return new Result(threads, median(prefill), median(rate));
    }
  }

  private static double median(double[] a) {
    double[] s = a.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }
}
