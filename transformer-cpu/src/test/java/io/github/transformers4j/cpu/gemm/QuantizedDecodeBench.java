package io.github.transformers4j.cpu.gemm;

import io.github.transformers4j.api.QuantizedWeight;
import io.github.transformers4j.cpu.exec.Parallel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The decode-path measurement behind {@link QuantizedGemm}'s design (not a test): one token's
 * matrix-vector products of a GPT-2-small-shaped decoder (12 × {768→2304, 768→768, 768→3072,
 * 3072→768} plus the 768→50257 head, 124 M weights, each matrix its own array so they stream from
 * memory), run A B A B in four ways, medians of the rounds:
 *
 * <ul>
 *   <li>{@code f32}: {@link Sgemm} on fp32 weights (K, N), what {@code linear} does today;
 *   <li>{@code int8}: {@link QuantizedGemm}, int8 weights converted to float on the fly;
 *   <li>{@code int8-dyn}: dynamic int8 activations: the row of A quantized to int8 per call
 *       (symmetric, one scale), integer products accumulated in int32 lanes, then scaled;
 *   <li>{@code bf16}: {@link QuantizedGemm} with bf16 weights.
 * </ul>
 *
 * {@code java QuantizedDecodeBench [threads] [rounds] [hot|head|layers]}; {@code hot}
 * multiplies one cache-resident 768×768 matrix instead, to separate arithmetic from memory; {@code
 * head} and {@code layers} time only the head or only the blocks' matrices.
 */
public final class QuantizedDecodeBench {
  private static final VectorSpecies<Integer> IS = IntVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Byte> BW = VectorSpecies.of(byte.class, IS.vectorShape());

  private QuantizedDecodeBench() {}

  public static void main(String[] args) {
    int threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
    // "hot": one 768→768 matrix (cache-resident) 49 times: the kernels' arithmetic speed alone.
    boolean hot = args.length > 2 && args[2].equals("hot");
    // "head" / "layers": only the 768→50257 head, or only the 48 block matrices.
    String only = args.length > 2 ? args[2] : "";
    int[][] shapes = new int[49][];
    for (int l = 0; l < 12; l++) {
      shapes[4 * l] = new int[] {768, 2304};
      shapes[4 * l + 1] = new int[] {768, 768};
      shapes[4 * l + 2] = new int[] {768, 3072};
      shapes[4 * l + 3] = new int[] {3072, 768};
    }
    shapes[48] = new int[] {768, 50257};
    SplittableRandom rnd = new SplittableRandom(1);
    List<float[]> f32 = new ArrayList<>();
    List<QuantizedWeight> int8 = new ArrayList<>();
    List<QuantizedWeight> bf16 = new ArrayList<>();
    if (hot) {
      Arrays.fill(shapes, new int[] {768, 768});
    }
    for (int[] s : shapes) {
      if (hot && !f32.isEmpty()) {
        f32.add(f32.get(0));
        int8.add(int8.get(0));
        bf16.add(bf16.get(0));
        continue;
      }
      float[] w = new float[s[0] * s[1]];
      for (int i = 0; i < w.length; i++) {
        w[i] = (float) rnd.nextGaussian() * 0.02f;
      }
      f32.add(w);
      int8.add(QuantizedWeight.quantize(QuantizedWeight.Format.INT8, w, s[0], s[1], false));
      bf16.add(QuantizedWeight.quantize(QuantizedWeight.Format.BF16, w, s[0], s[1], false));
    }
    float[] x = new float[3072];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) rnd.nextGaussian();
    }
    float[] c = new float[50257];
    // The dynamic variant is measured only if it computes the same product (up to its activation
    // rounding) as QuantizedGemm and the naive oracle.
    {
      QuantizedWeight w = int8.get(1);
      float[] want = new float[w.out()];
      float[] got = new float[w.out()];
      NaiveQuantizedGemm.linear(1, x, 0, w, null, want, 0);
      dynamicInt8(x, w, got);
      double err = 0;
      double mag = 0;
      for (int j = 0; j < want.length; j++) {
        err = Math.max(err, Math.abs(got[j] - want[j]));
        mag = Math.max(mag, Math.abs(want[j]));
      }
      if (err > 0.05 * mag) {
        throw new AssertionError("dynamic int8 variant is off by " + err + " (largest output " + mag + ")");
      }
      System.out.printf(Locale.ROOT, "dynamic int8 activations: max error %.3g of the largest output %.3g%n", err, mag);
    }
    String[] modes = {"f32", "int8", "int8-dyn", "bf16"};
    double[][] ms = new double[modes.length][rounds];
    try (Parallel parallel = new Parallel(threads, "bench")) {
      Sgemm sgemm = new Sgemm(parallel);
      QuantizedGemm qgemm = new QuantizedGemm(parallel);
      for (int r = -3; r < rounds; r++) {
        for (int mode = 0; mode < modes.length; mode++) {
          int reps = 5;
          long t0 = System.nanoTime();
          for (int rep = 0; rep < reps; rep++) {
            for (int i = 0; i < shapes.length; i++) {
              if (only.equals("head") && i < 48 || only.equals("layers") && i == 48) {
                continue;
              }
              int k = shapes[i][0];
              int n = shapes[i][1];
              switch (mode) {
                case 0 -> sgemm.sgemm(false, false, 1, n, k, 1f, x, 0, k, f32.get(i), 0, n, 0f, c, 0, n);
                case 1 -> qgemm.linear(1, x, 0, int8.get(i), null, c, 0);
                case 2 -> dynamicInt8(x, int8.get(i), c);
                default -> qgemm.linear(1, x, 0, bf16.get(i), null, c, 0);
              }
            }
          }
          if (r >= 0) {
            ms[mode][r] = (System.nanoTime() - t0) / 1e6 / reps;
          }
        }
      }
    }
    System.out.printf(Locale.ROOT, "GPT-2-small decode matrix-vector products per token, %d thread(s), median of %d rounds:%n", threads, rounds);
    double base = median(ms[0]);
    for (int mode = 0; mode < modes.length; mode++) {
      double m = median(ms[mode]);
      System.out.printf(Locale.ROOT, "  %-9s %7.2f ms  (%.2fx f32)%n", modes[mode], m, base / m);
    }
  }

  // One row of A quantized to int8 (symmetric), integer products accumulated in int32 lanes; the
  // int8 alternative to converting the weights to float. Serial: the comparison is per core.
  static void dynamicInt8(float[] a, QuantizedWeight w, float[] c) {
    int k = w.in();
    int n = w.out();
    byte[] q = w.int8Values();
    float[] scales = w.scales();
    float max = 0;
    for (int p = 0; p < k; p++) {
      max = Math.max(max, Math.abs(a[p]));
    }
    float sa = max / 127f;
    byte[] aq = new byte[k];
    for (int p = 0; p < k; p++) {
      aq[p] = (byte) Math.round(a[p] / sa);
    }
    int[] acc = new int[n];
    int vl = IS.length();
    // As QuantizedGemm.decodeInt8: whole vectors of bytes per load, each int lane's four bytes
    // split by shifts (here they need no conversion: the products are integer), four weight rows
    // per pass, accumulators in the permuted column order, put back at the end.
    int w4 = BW.length();
    int bound = n - n % w4;
    int p = 0;
    for (; p + 4 <= k; p += 4) {
      int a0 = aq[p];
      int a1 = aq[p + 1];
      int a2 = aq[p + 2];
      int a3 = aq[p + 3];
      IntVector v0 = IntVector.broadcast(IS, a0);
      IntVector v1 = IntVector.broadcast(IS, a1);
      IntVector v2 = IntVector.broadcast(IS, a2);
      IntVector v3 = IntVector.broadcast(IS, a3);
      int w0 = p * n;
      int j = 0;
      for (; j < bound; j += w4) {
        IntVector x0 = ByteVector.fromArray(BW, q, w0 + j).reinterpretAsInts();
        IntVector x1 = ByteVector.fromArray(BW, q, w0 + n + j).reinterpretAsInts();
        IntVector x2 = ByteVector.fromArray(BW, q, w0 + 2 * n + j).reinterpretAsInts();
        IntVector x3 = ByteVector.fromArray(BW, q, w0 + 3 * n + j).reinterpretAsInts();
        for (int r = 0; r < 4; r++) {
          int up = 24 - 8 * r;
          int o = j + r * vl;
          IntVector s = IntVector.fromArray(IS, acc, o);
          s = s.add(x0.lanewise(VectorOperators.LSHL, up).lanewise(VectorOperators.ASHR, 24).mul(v0));
          s = s.add(x1.lanewise(VectorOperators.LSHL, up).lanewise(VectorOperators.ASHR, 24).mul(v1));
          s = s.add(x2.lanewise(VectorOperators.LSHL, up).lanewise(VectorOperators.ASHR, 24).mul(v2));
          s = s.add(x3.lanewise(VectorOperators.LSHL, up).lanewise(VectorOperators.ASHR, 24).mul(v3));
          s.intoArray(acc, o);
        }
      }
      for (; j < n; j++) {
        acc[j] += a0 * q[w0 + j] + a1 * q[w0 + n + j] + a2 * q[w0 + 2 * n + j] + a3 * q[w0 + 3 * n + j];
      }
    }
    for (; p < k; p++) {
      int av = aq[p];
      int wo = p * n;
      for (int j = 0; j < bound; j++) {
        int col = j / w4 * w4 + (j % w4) % vl * 4 + (j % w4) / vl;
        acc[j] += av * q[wo + col];
      }
      for (int j = bound; j < n; j++) {
        acc[j] += av * q[wo + j];
      }
    }
    int[] tmp = new int[w4];
    for (int b = 0; b < bound; b += w4) {
      System.arraycopy(acc, b, tmp, 0, w4);
      for (int r = 0; r < 4; r++) {
        for (int t = 0; t < vl; t++) {
          acc[b + 4 * t + r] = tmp[r * vl + t];
        }
      }
    }
    for (int j = 0; j < n; j++) {
      c[j] = acc[j] * sa * scales[j];
    }
  }

  private static double median(double[] a) {
    double[] s = a.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }
}
