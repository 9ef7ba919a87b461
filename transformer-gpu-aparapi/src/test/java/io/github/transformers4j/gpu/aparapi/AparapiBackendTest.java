package io.github.transformers4j.gpu.aparapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.api.Activation;
import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Shape;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.conformance.Check;
import io.github.transformers4j.api.reference.ReferenceBackend;
import io.github.transformers4j.api.spi.Probe;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the conformance suite cannot see: that tensors stay on the device between kernels (the
 * transfer counter), that buffers are released, and that an allocation beyond the device's memory
 * is a clear error. Skipped, with the probe's reason, where there is no OpenCL device.
 */
class AparapiBackendTest {
  private static AparapiBackend gpu;
  private static final ReferenceBackend REF = new ReferenceBackend();

  @BeforeAll
  static void openBackend() {
    Probe probe = new AparapiBackendProvider().probe();
    System.out.println("[aparapi] probe: available=" + probe.available() + ", " + probe.reason());
    Assumptions.assumeTrue(probe.available(), probe.reason());
    gpu = AparapiBackend.open(0);
  }

  @AfterAll
  static void closeBackend() {
    if (gpu != null) {
      System.out.println("[aparapi] launches: " + gpu.deviceLaunches());
      gpu.close();
    }
  }

  /** A block of a pre-LN transformer, forward, on one backend: every op kind in a chain. */
  private static Tensor block(ComputeBackend b, float[] x, float[] w, float[] g) {
    Tensor tx = b.fromHost(x, Shape.of(2, 4, 13, 8)); // (B, nh, T, hs)
    Tensor tw = b.fromHost(w, Shape.of(8, 8));
    Tensor tg = b.fromHost(g, Shape.of(8));
    Tensor h = b.layerNorm(tx, tg, tg, 1e-5f);
    Tensor q = b.linear(h, tw, true, tg);
    Tensor att = b.attention(q, h, h, null, true, 0.35f);
    Tensor act = b.activation(Activation.GELU_TANH, b.permute(att, new int[] {0, 2, 1, 3}));
    Tensor s = b.logSoftmax(b.concat(java.util.List.of(act, b.slice(act, 3, 2, 5)), 3));
    return b.reduce(io.github.transformers4j.api.ReduceOp.MEAN, s, 1, false);
  }

  @Test
  void chainedKernelsMoveNothingUntilTheHostReadsTheResult() {
    SplittableRandom r = Check.random(71);
    float[] x = Check.uniform(r, 2 * 4 * 13 * 8);
    float[] w = Check.uniform(r, 64);
    float[] g = Check.uniform(r, 8);
    Transfers before = gpu.transfers();
    Tensor out = block(gpu, x, w, g);
    Transfers during = gpu.transfers().minus(before);
    assertEquals(new Transfers(3, 4L * (x.length + w.length + g.length), 0, 0), during,
        "only the three inputs were uploaded");
    float[] got = out.toFloatArray();
    out.toFloatArray(); // cached: a tensor never changes
    Transfers after = gpu.transfers().minus(before);
    assertEquals(new Transfers(3, during.uploadBytes(), 1, 4L * got.length), after,
        "one download, of the result only");
    Check.close(block(REF, x, w, g).toFloatArray(), got, 1e-4, 1e-4, "the chained block");
  }

  @Test
  void largeProductsTakeTheRegisterBlockedKernelAndMatchTheReference() {
    SplittableRandom r = Check.random(73);
    long before = gpu.deviceLaunches().getOrDefault("matmul64", 0L);
    for (int t = 0; t < 4; t++) {
      boolean ta = (t & 1) != 0;
      boolean tb = (t & 2) != 0;
      float[] a = Check.uniform(r, 3 * 100 * 130);
      float[] b = Check.uniform(r, 130 * 70);
      float[] bias = Check.uniform(r, 70);
      Shape sa = ta ? Shape.of(3, 130, 100) : Shape.of(3, 100, 130);
      Shape sb = tb ? Shape.of(70, 130) : Shape.of(130, 70);
      Tensor want = REF.binary(io.github.transformers4j.api.BinaryOp.ADD,
          REF.matmul(REF.fromHost(a, sa), REF.fromHost(b, sb), ta, tb), REF.fromHost(bias, Shape.of(70)));
      Tensor got = ta
          ? gpu.binary(io.github.transformers4j.api.BinaryOp.ADD,
              gpu.matmul(gpu.fromHost(a, sa), gpu.fromHost(b, sb), ta, tb),
              gpu.fromHost(bias, Shape.of(70)))
          : gpu.linear(gpu.fromHost(a, sa), gpu.fromHost(b, sb), tb, gpu.fromHost(bias, Shape.of(70)));
      Check.close(want.toFloatArray(), got.toFloatArray(), 1e-4, 1e-4,
          "100x130x70 x3 ta=" + ta + " tb=" + tb);
    }
    assertEquals(before + 4, gpu.deviceLaunches().get("matmul64"), "4 products of 64 blocks");
  }

  @Test
  void closingTheLastViewReleasesTheBuffer() {
    long base = gpu.deviceBytesInUse();
    Tensor x = gpu.zeros(Shape.of(1000), io.github.transformers4j.api.DType.F32);
    Tensor view = gpu.reshape(x, Shape.of(10, 100));
    assertEquals(base + 4000, gpu.deviceBytesInUse());
    x.close();
    assertEquals(base + 4000, gpu.deviceBytesInUse(), "the view still holds the buffer");
    assertEquals(0f, view.toFloatArray()[999]);
    view.close();
    assertEquals(base, gpu.deviceBytesInUse());
  }

  @Test
  void unreachableTensorsAreReleasedWhenMemoryRunsShort() {
    // 8 MiB of device memory, 64 tensors of 1 MiB never closed: only collection can make room.
    try (AparapiBackend small = AparapiBackend.open(0, 8L << 20)) {
      for (int i = 0; i < 64; i++) {
        small.affine(small.zeros(Shape.of(256 * 1024), io.github.transformers4j.api.DType.F32), 1f, 1f);
      }
      assertTrue(small.deviceBytesInUse() <= 8L << 20);
    }
  }

  @Test
  void anAllocationBeyondTheDeviceNamesTheBytesAndTheCapacity() {
    // 1 MiB of device memory; 800,004 bytes in use (a 200,000-float tensor and the 4-byte
    // placeholder every backend allocates for absent optional arguments).
    try (AparapiBackend small = AparapiBackend.open(0, 1L << 20)) {
      Tensor keep = small.zeros(Shape.of(200_000), io.github.transformers4j.api.DType.F32);
      var e = assertThrows(IllegalStateException.class,
          () -> small.fromHost(new float[250_000], Shape.of(250, 1000)));
      assertTrue(e.getMessage().contains("needs 1,000,000 bytes of device memory")
          && e.getMessage().contains("has 1,048,576 bytes (800,004 in use by live tensors"),
          e.getMessage());
      assertTrue(e.getMessage().contains("(250, 1000)"),
          e.getMessage());
      keep.close();
      // with the other tensor closed it fits
      assertEquals(250_000, small.fromHost(new float[250_000], Shape.of(250, 1000)).shape().size());
    }
  }

  @Test
  void attentionWithHeadsWiderThanTheFusedKernelComposes() {
    SplittableRandom r = Check.random(72);
    float[] q = Check.uniform(r, 2 * 5 * 300);
    float[] k = Check.uniform(r, 2 * 7 * 300);
    Shape sq = Shape.of(1, 2, 5, 300);
    Shape sk = Shape.of(1, 2, 7, 300);
    Check.close(
        REF.attention(REF.fromHost(q, sq), REF.fromHost(k, sk), REF.fromHost(k, sk), null, true, 0.05f)
            .toFloatArray(),
        gpu.attention(gpu.fromHost(q, sq), gpu.fromHost(k, sk), gpu.fromHost(k, sk), null, true, 0.05f)
            .toFloatArray(),
        1e-4, 1e-4, "attention with hs = 300");
  }

  @Test
  void outOfVocabularyIdsAreRejectedBeforeAnyKernel() {
    Tensor table = gpu.zeros(Shape.of(5, 3), io.github.transformers4j.api.DType.F32);
    Tensor ids = gpu.fromHost(new int[] {0, 5}, Shape.of(2));
    var e = assertThrows(IllegalArgumentException.class, () -> gpu.embedding(table, ids));
    assertEquals("embedding: id 5 at position 1 is outside the vocabulary [0, 5)", e.getMessage());
  }
}
