package io.github.transformers4j.apps.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The correctness check and the statistics of {@link GemmBench}. */
class GemmBenchTest {

  @Test
  void timingWaitsForABackendThatQueuesItsKernels() {
    // A backend whose kernel calls return before the device ran them (aparapi) must be timed up to
    // finish(): once after every warm-up call and once after each sample's calls.
    io.github.transformers4j.api.ComputeBackend ref =
        new io.github.transformers4j.api.reference.ReferenceBackend();
    int[] finishes = {0};
    io.github.transformers4j.api.ComputeBackend queued =
        (io.github.transformers4j.api.ComputeBackend)
            java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {io.github.transformers4j.api.ComputeBackend.class},
                (proxy, method, args) -> {
                  if (method.getName().equals("finish")) {
                    finishes[0]++;
                    return null;
                  }
                  try {
                    return method.invoke(ref, args);
                  } catch (java.lang.reflect.InvocationTargetException e) {
                    throw e.getCause();
                  }
                });
    GemmBench.Result r = new GemmBench(new GemmBench.Settings(3, 1, 1, 7)).run(queued, null, 8);
    assertTrue(r.correct(), r.toString());
    assertTrue(finishes[0] >= 2 + 3, "finish() calls: " + finishes[0]);
  }

  @Test
  void checkAcceptsFp32SummationInAnyOrderAndRejectsAMissingTerm() {
    long seed = 20240611L;
    for (int n : new int[] {1, 3, 13, 64, 127, 207}) {
      SplittableRandom random = new SplittableRandom(seed + n);
      float[] a = new float[n * n];
      float[] b = new float[n * n];
      for (int i = 0; i < a.length; i++) {
        a[i] = (float) (random.nextDouble() * 2 - 1);
        b[i] = (float) (random.nextDouble() * 2 - 1);
      }
      float[] forward = new float[n * n];
      float[] backward = new float[n * n];
      float[] missing = new float[n * n];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          float f = 0;
          float r = 0;
          float m = 0;
          for (int k = 0; k < n; k++) {
            f = Math.fma(a[i * n + k], b[k * n + j], f);
            r += a[i * n + n - 1 - k] * b[(n - 1 - k) * n + j];
            if (k > 0) {
              m += a[i * n + k] * b[k * n + j];
            }
          }
          forward[i * n + j] = f;
          backward[i * n + j] = r;
          missing[i * n + j] = m;
        }
      }
      int i = random.nextInt(n);
      int j = random.nextInt(n);
      String why = "seed " + seed + ", n " + n;
      assertNull(GemmBench.checkEntry(a, b, forward, n, i, j), why);
      assertNull(GemmBench.checkEntry(a, b, backward, n, i, j), why);
      assertNotNull(GemmBench.checkEntry(a, b, missing, n, i, j), why);
      float[] nan = forward.clone();
      nan[i * n + j] = Float.NaN;
      assertNotNull(GemmBench.checkEntry(a, b, nan, n, i, j), why);
    }
  }

  @Test
  void medianAndBestOfSamples() {
    GemmBench.Result r = new GemmBench.Result(100, 1, new double[] {4, 1, 3, 2}, 1, true, "ok");
    assertEquals(2.5, r.medianMillis());
    assertEquals(1, r.bestMillis());
    assertEquals(2e6 / (2.5 * 1e6), r.medianGflops(), 1e-12);
    assertEquals(2.0, r.bestGflops(), 1e-12);
    GemmBench.Result odd = new GemmBench.Result(10, null, new double[] {5, 1, 3}, 1, true, "ok");
    assertEquals(3, odd.medianMillis());
    GemmBench.Result wrong = new GemmBench.Result(10, null, new double[0], 0, false, "bad");
    assertEquals(Double.NaN, wrong.medianGflops());
  }

  @Test
  void settingsRejectNonsense() {
    assertThrows(IllegalArgumentException.class, () -> new GemmBench.Settings(0, 0, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> new GemmBench.Settings(1, -1, 0, 1));
  }

  @Test
  void jsonEscapesAndWritesNonFiniteAsNull() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("a\"b", "x\ny");
    m.put("v", Double.NaN);
    m.put("w", new double[] {1.5, 123.4567891, 0, Double.POSITIVE_INFINITY});
    m.put("l", List.of(1, true));
    assertEquals(
        "{\n  \"a\\\"b\": \"x\\ny\",\n  \"v\": null,\n  \"w\": [1.5, 123.457, 0, null],\n"
            + "  \"l\": [\n    1,\n    true\n  ]\n}\n",
        Json.write(m));
  }
}
