package io.github.transformers4j.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.github.transformers4j.api.Activation;
import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.models.generation.GenerationConfig;
import io.github.transformers4j.models.generation.Generator;
import io.github.transformers4j.models.gpt.Gpt2Config;
import io.github.transformers4j.models.gpt.Gpt2Model;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, must-have 5: the thread-safety contract of a loaded model (docs/architecture.md,
 * "Thread safety"): one model in evaluation mode, with one {@code Ops} and one backend, shared by
 * 8 threads that each run their own inputs (a padded batch forward and a greedy and a sampled
 * generation, each with its own decoding session), gives every thread the bits that the same
 * calls give one after another, on 2 backend threads and on 8 (more than this machine's cores).
 */
class SharedModelTest {
  static final long SEED = 1206L;
  static final int CALLERS = 8;

  @Test
  void oneModelSharedByEightThreadsGivesTheBitsOfSerialCalls() throws Exception {
    for (int threads : new int[] {2, 8}) {
      ComputeBackend backend = TestSupport.cpu(threads);
      try {
        check(backend, threads);
      } finally {
        backend.close();
      }
    }
  }

  private static void check(ComputeBackend backend, int threads) throws Exception {
    Ops ops = new Ops(backend);
    // Large enough that the kernels split their loops over the pool (GEMMs of 2-40 MFMA).
    Gpt2Config cfg =
        new Gpt2Config(
            320, 96, 128, 2, 4, 512, Activation.GELU_TANH, 1e-5f, 0f, 0f, 0f, 0.02, "sdpa", SEED);
    Gpt2Model model = new Gpt2Model(ops, cfg);
    Generator generator = new Generator(model::session);
    SplittableRandom r = new SplittableRandom(SEED);
    List<int[]> inputs = new ArrayList<>();
    for (int t = 0; t < CALLERS; t++) {
      int[] ids = new int[2 * (20 + 9 * t)];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = r.nextInt(cfg.vocabSize());
      }
      inputs.add(ids);
    }
    List<float[]> serial = new ArrayList<>();
    for (int t = 0; t < CALLERS; t++) {
      serial.add(run(model, generator, inputs.get(t), t));
    }
    ExecutorService pool = Executors.newFixedThreadPool(CALLERS);
    try {
      for (int round = 0; round < 2; round++) {
        CyclicBarrier start = new CyclicBarrier(CALLERS);
        List<Future<float[]>> got = new ArrayList<>();
        for (int t = 0; t < CALLERS; t++) {
          int caller = t;
          got.add(
              pool.submit(
                  () -> {
                    start.await();
                    return run(model, generator, inputs.get(caller), caller);
                  }));
        }
        for (int t = 0; t < CALLERS; t++) {
          assertArrayEquals(
              serial.get(t),
              got.get(t).get(),
              "caller " + t + ", round " + round + ", " + threads + " backend threads, seed "
                  + SEED);
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** Logits of a padded batch of two rows, then greedy and sampled continuations, as floats. */
  private static float[] run(Gpt2Model model, Generator generator, int[] ids, int caller) {
    int half = ids.length / 2;
    int[] mask = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      mask[i] = i < half || i - half < half - 5 ? 1 : 0; // the second row right-padded
    }
    float[] logits = model.logits(ids, mask, 2).toFloatArray();
    int[] prompt = java.util.Arrays.copyOf(ids, 12);
    int[] greedy = generator.generate(prompt, GenerationConfig.greedy(10));
    int[] sampled = generator.generate(prompt, GenerationConfig.sampling(10, SEED + caller));
    float[] all = java.util.Arrays.copyOf(logits, logits.length + greedy.length + sampled.length);
    for (int i = 0; i < greedy.length; i++) {
      all[logits.length + i] = greedy[i];
    }
    for (int i = 0; i < sampled.length; i++) {
      all[logits.length + greedy.length + i] = sampled[i];
    }
    return all;
  }
}
