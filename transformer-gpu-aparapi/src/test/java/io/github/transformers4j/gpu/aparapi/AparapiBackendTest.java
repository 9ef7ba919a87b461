package io.github.transformers4j.gpu.aparapi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.aparapi.Kernel;
import com.aparapi.Range;
import com.aparapi.internal.kernel.KernelManager;
import io.github.transformers4j.api.Shape;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.reference.ReferenceBackend;
import io.github.transformers4j.api.Activation;
import io.github.transformers4j.api.spi.BackendOptions;
import io.github.transformers4j.api.BinaryOp;
import io.github.transformers4j.api.spi.Probe;
import io.github.transformers4j.api.UnaryOp;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The device kernels against {@link ReferenceBackend} (that is, {@code HostKernels}) on random
 * inputs of awkward sizes, asserting that each one really ran on the OpenCL device. Skipped, with
 * the probe's reason, where there is no OpenCL device.
 *
 * <p>Tolerance: {@code |got − want| <= 1e-4 · max(|want|, floor)}, i.e. 1e-4 relative, with an
 * absolute floor where the value crosses zero: 1 for matmul (float accumulation over K terms of
 * size ~1), 1e-3 for elementwise and softmax values.
 */
class AparapiBackendTest {
  private static final long SEED = 0x7E45_0F4AL;
  private static final int[] SIZES = {1, 3, 13, 64, 127, 207};

  private static AparapiBackend gpu;
  private static final ReferenceBackend REF = new ReferenceBackend();
  private final SplittableRandom random = new SplittableRandom(SEED);

  @BeforeAll
  static void openBackend() {
    Probe probe = new AparapiBackendProvider().probe();
    System.out.println("[aparapi] probe: available=" + probe.available() + ", " + probe.reason());
    Assumptions.assumeTrue(probe.available(), probe.reason());
    gpu = (AparapiBackend) new AparapiBackendProvider().create(BackendOptions.none());
    System.out.println("[aparapi] " + gpu.description());
  }

  @AfterAll
  static void closeBackend() {
    if (gpu != null) {
      System.out.println("[aparapi] device launches: " + gpu.deviceLaunches());
      gpu.close();
    }
  }

  private float[] randoms(int n, float lo, float hi) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = lo + (hi - lo) * (float) random.nextDouble();
    }
    return a;
  }

  private static void assertClose(String what, float[] want, float[] got, double floor) {
    assertEquals(want.length, got.length, what + ": length");
    for (int i = 0; i < want.length; i++) {
      double tol = 1e-4 * Math.max(Math.abs(want[i]), floor);
      if (!(Math.abs(got[i] - want[i]) <= tol) && !(Float.isNaN(want[i]) && Float.isNaN(got[i]))) {
        fail(what + ": element " + i + " is " + got[i] + ", expected " + want[i] + " (seed "
            + Long.toHexString(SEED) + ")");
      }
    }
  }

  /** Runs {@code op}, asserting that {@code kernel} launched on the device and its output is still there. */
  private static Tensor onDevice(String kernel, java.util.function.Supplier<Tensor> op) {
    long before = gpu.deviceLaunches().getOrDefault(kernel, 0L);
    Tensor t = op.get();
    assertEquals(before + 1, gpu.deviceLaunches().get(kernel), kernel + " launches on the device");
    assertTrue(((AparapiTensor) t).onDevice() || t.size() == 0, "output not yet read back");
    return t;
  }

  @Test
  void matmulOnAwkwardSizesWithTransposes() {
    int[][] mkn = {
      {1, 1, 1}, {3, 13, 1}, {13, 64, 3}, {127, 207, 64}, {207, 127, 13}, {64, 3, 207}, {1, 207, 127}
    };
    for (int[] d : mkn) {
      for (int t = 0; t < 4; t++) {
        boolean ta = (t & 1) != 0;
        boolean tb = (t & 2) != 0;
        Shape sa = ta ? Shape.of(d[1], d[0]) : Shape.of(d[0], d[1]);
        Shape sb = tb ? Shape.of(d[2], d[1]) : Shape.of(d[1], d[2]);
        float[] a = randoms(sa.size(), -1, 1);
        float[] b = randoms(sb.size(), -1, 1);
        Tensor got =
            onDevice("MatmulKernel", () -> gpu.matmul(gpu.fromHost(a, sa), gpu.fromHost(b, sb), ta, tb));
        Tensor want = REF.matmul(REF.fromHost(a, sa), REF.fromHost(b, sb), ta, tb);
        assertEquals(want.shape(), got.shape());
        assertClose("matmul " + sa + (ta ? "ᵀ" : "") + "·" + sb + (tb ? "ᵀ" : ""),
            want.toFloatArray(), got.toFloatArray(), 1.0);
      }
    }
  }

  @Test
  void batchedMatmulWithSharedOperands() {
    Shape[][] cases = {
      {Shape.of(2, 3, 13, 64), Shape.of(2, 3, 64, 127)}, // both batched
      {Shape.of(5, 13, 207), Shape.of(207, 3)}, // b shared
      {Shape.of(64, 13), Shape.of(4, 13, 127)}, // a shared
    };
    for (Shape[] c : cases) {
      for (int t = 0; t < 4; t++) {
        boolean ta = (t & 1) != 0;
        boolean tb = (t & 2) != 0;
        Shape sa = ta ? swapLast(c[0]) : c[0];
        Shape sb = tb ? swapLast(c[1]) : c[1];
        float[] a = randoms(sa.size(), -1, 1);
        float[] b = randoms(sb.size(), -1, 1);
        Tensor got =
            onDevice("MatmulKernel", () -> gpu.matmul(gpu.fromHost(a, sa), gpu.fromHost(b, sb), ta, tb));
        Tensor want = REF.matmul(REF.fromHost(a, sa), REF.fromHost(b, sb), ta, tb);
        assertEquals(want.shape(), got.shape());
        assertClose("batched matmul " + sa + "·" + sb + " t=" + t, want.toFloatArray(),
            got.toFloatArray(), 1.0);
      }
    }
  }

  private static Shape swapLast(Shape s) {
    int[] d = s.dims();
    int r = d.length;
    int tmp = d[r - 1];
    d[r - 1] = d[r - 2];
    d[r - 2] = tmp;
    return Shape.of(d);
  }

  @Test
  void binaryWithBroadcasting() {
    Shape[][] cases = {
      {Shape.of(207), Shape.of(207)},
      {Shape.of(3, 1, 13), Shape.of(1, 127, 1)},
      {Shape.of(2, 3, 64), Shape.of(64)},
      {Shape.of(13, 1), Shape.of(3, 1, 207)},
      {Shape.scalar(), Shape.of(3, 13)},
      {Shape.of(1), Shape.of(1)},
    };
    for (Shape[] c : cases) {
      float[] a = randoms(c[0].size(), -2, 2);
      // Denominators away from 0, with both signs.
      float[] b = randoms(c[1].size(), 0.5f, 1.5f);
      for (int i = 0; i < b.length; i += 2) {
        b[i] = -b[i];
      }
      for (BinaryOp op : BinaryOp.values()) {
        Tensor got =
            onDevice("ElementwiseKernel", () -> gpu.binary(op, gpu.fromHost(a, c[0]), gpu.fromHost(b, c[1])));
        Tensor want = REF.binary(op, REF.fromHost(a, c[0]), REF.fromHost(b, c[1]));
        assertEquals(want.shape(), got.shape());
        assertClose(op + " " + c[0] + " " + c[1], want.toFloatArray(), got.toFloatArray(), 1e-3);
      }
    }
  }

  @Test
  void unaryAndAffine() {
    for (int n : SIZES) {
      Shape s = Shape.of(n);
      float[] x = randoms(n, 0.01f, 4f); // positive, for LOG and SQRT
      for (UnaryOp op : UnaryOp.values()) {
        float[] in = op == UnaryOp.LOG || op == UnaryOp.SQRT ? x : randoms(n, -4, 4);
        Tensor got = onDevice("ElementwiseKernel", () -> gpu.unary(op, gpu.fromHost(in, s)));
        assertClose(op + " n=" + n, REF.unary(op, REF.fromHost(in, s)).toFloatArray(),
            got.toFloatArray(), 1e-3);
      }
      Tensor got = onDevice("ElementwiseKernel", () -> gpu.affine(gpu.fromHost(x, s), -1.5f, 0.25f));
      assertClose("affine", REF.affine(REF.fromHost(x, s), -1.5f, 0.25f).toFloatArray(),
          got.toFloatArray(), 1e-3);
    }
  }

  @Test
  void activationsAndBackwards() {
    int n = 207 * 13;
    Shape s = Shape.of(13, 207);
    float[] x = randoms(n, -10, 10);
    // The tails and the kinks, where erf and the sigmoid are hardest.
    float[] special = {0f, -0f, 1e-6f, -1e-6f, -5f, -8f, -9.5f, 6f, 9.9f, -0.7517916f};
    System.arraycopy(special, 0, x, 0, special.length);
    float[] dy = randoms(n, -1, 1);
    for (Activation f : Activation.values()) {
      Tensor got = onDevice("ElementwiseKernel", () -> gpu.activation(f, gpu.fromHost(x, s)));
      assertClose(f.name(), REF.activation(f, REF.fromHost(x, s)).toFloatArray(),
          got.toFloatArray(), 1e-3);
      Tensor gotB = onDevice("ElementwiseKernel",
          () -> gpu.activationBackward(f, gpu.fromHost(x, s), gpu.fromHost(dy, s)));
      assertClose(f + " backward",
          REF.activationBackward(f, REF.fromHost(x, s), REF.fromHost(dy, s)).toFloatArray(),
          gotB.toFloatArray(), 1e-3);
    }
  }

  @Test
  void softmaxWithMasksAndCausal() {
    float ninf = Float.NEGATIVE_INFINITY;
    for (int tk : SIZES) {
      for (int tq : new int[] {1, 3, 13}) {
        Shape sx = Shape.of(2, 3, tq, tk);
        float[] x = randoms(sx.size(), -6, 6);
        // Padding mask (B, 1, 1, Tk): the last key of batch 1 hidden, and -1e9 as HF does.
        Shape sm = Shape.of(2, 1, 1, tk);
        float[] mask = new float[sm.size()];
        mask[2 * tk - 1] = ninf;
        if (tk > 2) {
          mask[1] = -1e9f;
        }
        for (int variant = 0; variant < 3; variant++) {
          boolean causal = variant != 1;
          boolean masked = variant != 0;
          Tensor got = onDevice("SoftmaxKernel", () -> gpu.softmax(gpu.fromHost(x, sx),
              masked ? gpu.fromHost(mask, sm) : null, causal));
          Tensor want = REF.softmax(REF.fromHost(x, sx), masked ? REF.fromHost(mask, sm) : null,
              causal);
          float[] g = got.toFloatArray();
          assertClose("softmax " + sx + " masked=" + masked + " causal=" + causal,
              want.toFloatArray(), g, 1e-3);
          for (float v : g) {
            assertFalse(Float.isNaN(v), "softmax produced NaN");
          }
        }
      }
    }
  }

  @Test
  void causalRowsThatSeeNothingAreZeros() {
    // Tq = 5 > Tk = 3: queries 0 and 1 see no key (j <= i + Tk - Tq).
    Shape sx = Shape.of(5, 3);
    Tensor y = gpu.softmax(gpu.fromHost(randoms(15, -1, 1), sx), null, true);
    float[] v = y.toFloatArray();
    assertArrayEquals(new float[6], java.util.Arrays.copyOf(v, 6));
    assertEquals(1f, v[6 + 0] + 0, 0f, "query 2 sees only key 0");
    assertEquals(1f, v[12] + v[13] + v[14], 1e-6f);
  }

  @Test
  void softmaxBackwardMatchesReference() {
    for (int n : SIZES) {
      Shape s = Shape.of(3, n);
      float[] y = REF.softmax(REF.fromHost(randoms(s.size(), -3, 3), s), null, false).toFloatArray();
      float[] dy = randoms(s.size(), -1, 1);
      Tensor got = onDevice("SoftmaxKernel",
          () -> gpu.softmaxBackward(gpu.fromHost(y, s), gpu.fromHost(dy, s)));
      assertClose("softmaxBackward n=" + n,
          REF.softmaxBackward(REF.fromHost(y, s), REF.fromHost(dy, s)).toFloatArray(),
          got.toFloatArray(), 1e-3);
    }
  }

  @Test
  void chainedKernelsPassDataWithoutHostReadsInBetween() {
    // scores = q·kᵀ; gelu; affine twice on the same kernel; masked causal softmax; ·v; layerNorm
    // (host): outputs that live in one kernel's buffers feed the next kernel and the host path.
    Shape sq = Shape.of(2, 13, 64);
    float[] q = randoms(sq.size(), -1, 1);
    float[] k = randoms(sq.size(), -1, 1);
    float[] v = randoms(sq.size(), -1, 1);
    float[] gamma = randoms(64, 0.5f, 1.5f);
    float[] beta = randoms(64, -0.5f, 0.5f);
    float[][] norm = new float[2][];
    float[][] self = new float[2][];
    int i = 0;
    for (var b : new io.github.transformers4j.api.ComputeBackend[] {gpu, REF}) {
      Tensor s = b.matmul(b.fromHost(q, sq), b.fromHost(k, sq), false, true); // (2, 13, 13)
      Tensor a = b.affine(b.affine(b.activation(Activation.GELU, s), 0.125f, 0f), 2f, 0.5f);
      Tensor p = b.softmax(a, null, true);
      Tensor o = b.matmul(p, b.fromHost(v, sq), false, false); // (2, 13, 64)
      if (b == gpu) {
        assertTrue(((AparapiTensor) o).onDevice(), "matmul output stays in the kernel's buffer");
      }
      Tensor o2 = b.matmul(o, b.fromHost(v, sq), false, true); // matmul consuming its own output
      norm[i] = b.layerNorm(o, b.fromHost(gamma, Shape.of(64)), b.fromHost(beta, Shape.of(64)),
          1e-5f).toFloatArray();
      self[i++] = o2.toFloatArray();
    }
    assertClose("chain then layerNorm on the host", norm[1], norm[0], 1e-2);
    assertClose("matmul of a matmul output", self[1], self[0], 1.0);
  }

  @Test
  void composedAttentionMatchesReference() {
    Shape sq = Shape.of(2, 3, 13, 64);
    Shape sk = Shape.of(2, 3, 127, 64);
    float[] q = randoms(sq.size(), -1, 1);
    float[] k = randoms(sk.size(), -1, 1);
    float[] v = randoms(sk.size(), -1, 1);
    Tensor got = gpu.attention(gpu.fromHost(q, sq), gpu.fromHost(k, sk), gpu.fromHost(v, sk), null, true, 0.125f);
    Tensor want = REF.attention(REF.fromHost(q, sq), REF.fromHost(k, sk), REF.fromHost(v, sk), null, true, 0.125f);
    assertClose("attention", want.toFloatArray(), got.toFloatArray(), 1e-2);
  }

  @Test
  void aKernelAparapiCannotTranslateFailsInsteadOfRunningInJava() {
    DeviceKernel<UntranslatableKernel> k = new DeviceKernel<>(new UntranslatableKernel(), gpu.device());
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> k.launch(Range.create(gpu.device(), 64, 64)));
    System.out.println("[aparapi] expected failure: " + e.getMessage());
    assertEquals(0, k.launches());
    assertFalse(k.kernel.ranInJava, "Aparapi's Java fallback must not have run the kernel");
  }

  /** Object allocation is outside Aparapi's subset, so OpenCL code generation fails. */
  static final class UntranslatableKernel extends Kernel {
    float[] out = new float[64];
    boolean ranInJava;

    @Override
    public void run() {
      out[getGlobalId()] = new java.util.Random(getGlobalId()).nextFloat();
      ranInJava = true;
    }
  }

  @Test
  void noDeviceKernelEverFellBack() {
    gpu.matmul(gpu.fromHost(new float[] {2}, Shape.of(1, 1)), gpu.fromHost(new float[] {3}, Shape.of(1, 1)), false, false).toFloatArray();
    Map<String, Long> launches = gpu.deviceLaunches();
    assertTrue(launches.get("MatmulKernel") > 0);
    for (DeviceKernel<?> k : gpu.kernels()) {
      // Aparapi marks a device failed, per kernel class, whenever it fell back from it.
      var failed = KernelManager.instance().getPreferences(k.kernel).getFailedDevices();
      assertTrue(failed.isEmpty(), k.name() + " fell back from " + failed);
    }
    for (Class<? extends Kernel> c :
        java.util.List.of(
            io.github.transformers4j.gpu.aparapi.kernels.MatmulKernel.class,
            io.github.transformers4j.gpu.aparapi.kernels.ElementwiseKernel.class,
            io.github.transformers4j.gpu.aparapi.kernels.SoftmaxKernel.class)) {
      assertNotFailed(c);
    }
  }

  private static void assertNotFailed(Class<? extends Kernel> c) {
    var profile = KernelManager.instance().getProfile(c);
    if (profile.getDevices().isEmpty()) {
      return; // not launched yet in this JVM
    }
    assertTrue(profile.getDevices().contains(gpu.device()), c.getSimpleName() + " ran on " + profile.getDevices());
  }
}
