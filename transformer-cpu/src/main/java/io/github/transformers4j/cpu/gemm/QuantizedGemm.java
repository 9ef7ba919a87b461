package io.github.transformers4j.cpu.gemm;

import io.github.transformers4j.api.QuantizedWeight;
import io.github.transformers4j.cpu.exec.JitDirectives;
import io.github.transformers4j.cpu.exec.Parallel;
import java.util.Arrays;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * A linear layer {@code C[M×N] = A[M×K] · W + bias} with an int8 (per-output-channel scale) or
 * bf16 weight {@code W}, stored (K, N) row-major as {@link QuantizedWeight} keeps it. The weight
 * is converted to fp32 on the fly and never exists whole in fp32:
 *
 * <ul>
 *   <li><b>Skinny A</b> (M ≤ {@value #SKINNY_M}: decoding one token per sequence) is bound by
 *       reading W from memory, which is 4× (int8) or 2× (bf16) smaller than fp32. Four weight
 *       rows at a time are read a whole vector width per load, split into floats by shifts (see
 *       decodeInt8) and accumulated into every row of C; the int8 scale is applied once per output
 *       at the end. On several threads K is split, each thread streaming its own contiguous band
 *       of W into its own partial C (as {@link Sgemm} does for fp32), since splitting N would cut
 *       every weight row into short runs.
 *   <li><b>Taller A</b> (prefill, encoders): blocks of W are converted into {@link Sgemm}'s packed
 *       strips (int8 values times their column's scale) and multiplied with its fp32
 *       micro-kernel ({@link Sgemm#multiplyPackedBlock}); each converted block serves all M rows,
 *       so the conversion costs 1/M of the arithmetic and the speed is that of the fp32 GEMM.
 * </ul>
 *
 * <p>Dynamic int8 activations (quantizing each row of A and summing integer products) were
 * measured against this for the decode path ({@code QuantizedDecodeBench}): 9 % faster in the
 * isolated kernel, the same in the whole decoder; this form is kept because it does not round the
 * activations (see {@code docs/architecture.md}). The Vector API cannot express the int8
 * dot-product instructions that make integer inference fast elsewhere.
 *
 * <p>{@link NaiveQuantizedGemm} is its oracle. Pack buffers are per thread and reused, so the
 * hot loops allocate nothing (on several threads the decode path allocates one partial C per
 * extra thread, a few KB).
 */
public final class QuantizedGemm {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int VL = S.length();
  // Prefill packing loads bytes VL at a time (8 at least: no byte vector is narrower than 64 bits)
  // and widens them into BYTE_PARTS float vectors.
  private static final VectorSpecies<Byte> BS =
      VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, VL * 8)));
  private static final int BL = BS.length();
  private static final int BYTE_PARTS = BL / VL;
  // Prefill packing of bf16: VL shorts widen to VL ints of the float shape, shift up 16 bits.
  private static final VectorSpecies<Short> SS =
      VectorSpecies.of(short.class, VectorShape.forBitSize(VL * 16));
  private static final VectorSpecies<Integer> IS = S.withLanes(int.class);
  // Decode loads a whole float vector's width of int8 (4·VL) or bf16 (2·VL) weights at once.
  private static final VectorSpecies<Byte> BW = VectorSpecies.of(byte.class, S.vectorShape());
  private static final int W4 = BW.length();
  private static final VectorSpecies<Short> SW = VectorSpecies.of(short.class, S.vectorShape());
  private static final int W2 = SW.length();

  /** Rows of A up to which the skinny (decode) path is taken. */
  public static final int SKINNY_M = 4;

  // Columns of W converted per packed block in the prefill path (with kc ≤ Sgemm.KC rows, 160 KB
  // of fp32 at most: stays in L2 while every row of A passes over it).
  private static final int NC = 128;

  // Work below which a call stays on one thread (same order as Sgemm's skinny threshold).
  private static final long PARALLEL_MIN_MACS = 1L << 17;

  // Decode column block: long contiguous runs of each weight row keep the prefetchers streaming
  // (as in Sgemm.unpacked). For GPT-2's head (768 × 50257) 16384 columns (16 KB of int8, 32 KB of
  // bf16 per row) took 2.3 and 3.3 ms where 4096 took 2.6-3.0 and 5.2-5.4 (QuantizedDecodeBench
  // head); the block of C, ≤ 4 rows of 64 KB, stays in L2.
  private static final int DECODE_COLUMNS = 16384;

  private final Parallel parallel;
  private final ThreadLocal<float[][]> workspaces =
      ThreadLocal.withInitial(() -> new float[][] {new float[0], new float[Math.max(Sgemm.MR * Sgemm.NR, W4)]});

  /** An engine splitting large products over {@code parallel}. */
  public QuantizedGemm(Parallel parallel) {
    this.parallel = parallel;
    JitDirectives.install();
  }

  /**
   * {@code C[M×N] = A[M×K] · W + bias}, C overwritten.
   *
   * @param a A row-major with leading dimension K, from {@code aOff}
   * @param bias N floats, or null
   * @param c C row-major with leading dimension N, from {@code cOff}
   */
  public void linear(int m, float[] a, int aOff, QuantizedWeight w, float[] bias, float[] c, int cOff) {
    int k = w.in();
    int n = w.out();
    if (m < 0 || aOff < 0 || cOff < 0
        || aOff + (long) m * k > a.length
        || cOff + (long) m * n > c.length
        || (bias != null && bias.length < n)) {
      throw new IllegalArgumentException(
          "quantized linear: M=" + m + " rows of K=" + k + " at offset " + aOff + " in " + a.length
              + " floats, C of N=" + n + " at offset " + cOff + " in " + c.length + " floats, bias "
              + (bias == null ? "none" : bias.length + " floats") + ": out of bounds");
    }
    if (m == 0 || n == 0) {
      return;
    }
    if (k == 0) {
      for (int i = 0; i < m; i++) {
        fillRow(c, cOff + i * n, n, bias);
      }
      return;
    }
    if (m <= SKINNY_M) {
      decode(m, k, n, a, aOff, w, bias, c, cOff);
    } else {
      prefill(m, k, n, a, aOff, w, bias, c, cOff);
    }
  }

  private static void fillRow(float[] c, int o, int n, float[] bias) {
    if (bias != null) {
      System.arraycopy(bias, 0, c, o, n);
    } else {
      Arrays.fill(c, o, o + n, 0f);
    }
  }

  // ---------------------------------------------------------------- decode (M ≤ 4)

  private void decode(int m, int k, int n, float[] a, int aOff, QuantizedWeight w, float[] bias, float[] c, int cOff) {
    long macs = (long) m * n * k;
    int chunks = (int) Math.min(parallel.threads(), Math.max(1, macs / PARALLEL_MIN_MACS));
    chunks = Math.min(chunks, k);
    if (chunks <= 1 || Parallel.inParallelRegion()) {
      Arrays.fill(c, cOff, cOff + m * n, 0f);
      accumulateRows(m, k, n, a, aOff, w, 0, k, c, cOff);
    } else {
      float[][] parts = new float[chunks][];
      final int pieces = chunks;
      parallel.forPieces(
          pieces,
          pieces,
          (s, e) -> {
            for (int piece = s; piece < e; piece++) {
              int p0 = (int) ((long) k * piece / pieces);
              int p1 = (int) ((long) k * (piece + 1) / pieces);
              float[] part;
              int po;
              if (piece == 0) {
                part = c;
                po = cOff;
                Arrays.fill(c, cOff, cOff + m * n, 0f);
              } else {
                part = new float[m * n];
                po = 0;
              }
              accumulateRows(m, k, n, a, aOff, w, p0, p1, part, po);
              parts[piece] = part;
            }
          });
      for (int piece = 1; piece < chunks; piece++) {
        float[] part = parts[piece];
        for (int i = 0; i < m * n; i++) {
          c[cOff + i] += part[i];
        }
      }
    }
    // C = (Σ_p A·q) · scale + bias: the per-column scale commutes with the sum over p.
    float[] scales = w.format() == QuantizedWeight.Format.INT8 ? w.scales() : null;
    permuteBack(m, n, scales != null ? 4 : 2, c, cOff, workspaces.get()[1]);
    for (int i = 0; i < m; i++) {
      int o = cOff + i * n;
      for (int j = 0; j < n; j++) {
        float v = scales == null ? c[o + j] : c[o + j] * scales[j];
        c[o + j] = bias == null ? v : v + bias[j];
      }
    }
  }

  private static void accumulateRows(
      int m, int k, int n, float[] a, int aOff, QuantizedWeight w, int p0, int p1, float[] c, int cOff) {
    if (w.format() == QuantizedWeight.Format.INT8) {
      decodeInt8(m, k, n, a, aOff, w.int8Values(), p0, p1, c, cOff);
    } else {
      decodeBf16(m, k, n, a, aOff, w.bf16Bits(), p0, p1, c, cOff);
    }
  }

  // c(i, j) += Σ_{p0 ≤ p < p1} a(i, p) · q(p, j), unscaled, in the column order of permuteBack.
  // A full vector of bytes (a cache line with 512-bit vectors) is loaded at once and read as VL
  // ints; an int's four bytes are sign-extended by shifts (byte r: << 24 − 8r, then >> 24) and
  // converted, so sub-vector r holds columns r, 4 + r, 8 + r, ... of the block: C accumulates in
  // that order and is put back in order once per call. Loading VL bytes per instruction and
  // widening them streamed the weights from memory at ~60% of the fp32 path's bandwidth; whole
  // lines per load keep more of them in flight. Four weight rows per pass over the block of C.
  // One method, no vector crossing a call.
  private static void decodeInt8(
      int m, int k, int n, float[] a, int aOff, byte[] q, int p0, int p1, float[] c, int cOff) {
    for (int j0 = 0; j0 < n; j0 += DECODE_COLUMNS) {
      int nb = Math.min(DECODE_COLUMNS, n - j0);
      int bound = nb - nb % W4;
      int p = p0;
      for (; p + 4 <= p1; p += 4) {
        int w0 = p * n + j0;
        int w1 = w0 + n;
        int w2 = w1 + n;
        int w3 = w2 + n;
        for (int i = 0; i < m; i++) {
          int ai = aOff + i * k + p;
          float s0 = a[ai];
          float s1 = a[ai + 1];
          float s2 = a[ai + 2];
          float s3 = a[ai + 3];
          FloatVector a0 = FloatVector.broadcast(S, s0);
          FloatVector a1 = FloatVector.broadcast(S, s1);
          FloatVector a2 = FloatVector.broadcast(S, s2);
          FloatVector a3 = FloatVector.broadcast(S, s3);
          int co = cOff + i * n + j0;
          int j = 0;
          for (; j < bound; j += W4) {
            IntVector x0 = ByteVector.fromArray(BW, q, w0 + j).reinterpretAsInts();
            IntVector x1 = ByteVector.fromArray(BW, q, w1 + j).reinterpretAsInts();
            IntVector x2 = ByteVector.fromArray(BW, q, w2 + j).reinterpretAsInts();
            IntVector x3 = ByteVector.fromArray(BW, q, w3 + j).reinterpretAsInts();
            for (int r = 0; r < 4; r++) {
              int up = 24 - 8 * r;
              int o = co + j + r * VL;
              FloatVector acc = FloatVector.fromArray(S, c, o);
              acc = a0.fma((FloatVector) x0.lanewise(VectorOperators.LSHL, up).lanewise(VectorOperators.ASHR, 24)
                  .convert(VectorOperators.I2F, 0), acc);
              acc = a1.fma((FloatVector) x1.lanewise(VectorOperators.LSHL, up).lanewise(VectorOperators.ASHR, 24)
                  .convert(VectorOperators.I2F, 0), acc);
              acc = a2.fma((FloatVector) x2.lanewise(VectorOperators.LSHL, up).lanewise(VectorOperators.ASHR, 24)
                  .convert(VectorOperators.I2F, 0), acc);
              acc = a3.fma((FloatVector) x3.lanewise(VectorOperators.LSHL, up).lanewise(VectorOperators.ASHR, 24)
                  .convert(VectorOperators.I2F, 0), acc);
              acc.intoArray(c, o);
            }
          }
          for (; j < nb; j++) {
            c[co + j] += s0 * q[w0 + j] + s1 * q[w1 + j] + s2 * q[w2 + j] + s3 * q[w3 + j];
          }
        }
      }
      for (; p < p1; p++) {
        int wo = p * n + j0;
        for (int i = 0; i < m; i++) {
          float av = a[aOff + i * k + p];
          FloatVector va = FloatVector.broadcast(S, av);
          int co = cOff + i * n + j0;
          int j = 0;
          for (; j < bound; j += W4) {
            IntVector x = ByteVector.fromArray(BW, q, wo + j).reinterpretAsInts();
            for (int r = 0; r < 4; r++) {
              int o = co + j + r * VL;
              va.fma((FloatVector) x.lanewise(VectorOperators.LSHL, 24 - 8 * r).lanewise(VectorOperators.ASHR, 24)
                      .convert(VectorOperators.I2F, 0), FloatVector.fromArray(S, c, o))
                  .intoArray(c, o);
            }
          }
          for (; j < nb; j++) {
            c[co + j] += av * q[wo + j];
          }
        }
      }
    }
  }

  // decodeInt8's (f = 4) or decodeBf16's (f = 2) column order → natural order, for the m rows of
  // C: within each block of f·VL columns below n − n % (f·VL), position r·VL + t holds column
  // f·t + r.
  private static void permuteBack(int m, int n, int f, float[] c, int cOff, float[] tmp) {
    int block = f * VL;
    int vecEnd = n - n % block;
    for (int i = 0; i < m; i++) {
      int o = cOff + i * n;
      for (int b = 0; b < vecEnd; b += block) {
        System.arraycopy(c, o + b, tmp, 0, block);
        for (int r = 0; r < f; r++) {
          for (int t = 0; t < VL; t++) {
            c[o + b + f * t + r] = tmp[r * VL + t];
          }
        }
      }
    }
  }

  // As decodeInt8 for bf16: a whole vector of shorts per load, read as VL ints whose low half is
  // column 2t and high half column 2t + 1 of the block; a bf16 is a float's upper 16 bits, so
  // `<< 16` and `& 0xFFFF0000` give the two floats with no conversion. Sub-vector r holds columns
  // 2t + r (permuteBack with f = 2). Eight weight rows per pass over the block of C (four took
  // 12.5-12.7 ms for GPT-2's 49 products, eight 9.9-10.8; 15.5 and 12.2 with AVX2), then four,
  // then one. (For int8, eight rows were slower: 8.3-9.9 against 6.9-7.1 ms.)
  private static void decodeBf16(
      int m, int k, int n, float[] a, int aOff, short[] q, int p0, int p1, float[] c, int cOff) {
    for (int j0 = 0; j0 < n; j0 += DECODE_COLUMNS) {
      int nb = Math.min(DECODE_COLUMNS, n - j0);
      int bound = nb - nb % W2;
      int p = p0;
      for (; p + 8 <= p1; p += 8) {
        int w0 = p * n + j0;
        for (int i = 0; i < m; i++) {
          int ai = aOff + i * k + p;
          FloatVector a0 = FloatVector.broadcast(S, a[ai]);
          FloatVector a1 = FloatVector.broadcast(S, a[ai + 1]);
          FloatVector a2 = FloatVector.broadcast(S, a[ai + 2]);
          FloatVector a3 = FloatVector.broadcast(S, a[ai + 3]);
          FloatVector a4 = FloatVector.broadcast(S, a[ai + 4]);
          FloatVector a5 = FloatVector.broadcast(S, a[ai + 5]);
          FloatVector a6 = FloatVector.broadcast(S, a[ai + 6]);
          FloatVector a7 = FloatVector.broadcast(S, a[ai + 7]);
          int co = cOff + i * n + j0;
          int j = 0;
          for (; j < bound; j += W2) {
            int wj = w0 + j;
            IntVector x0 = ShortVector.fromArray(SW, q, wj).reinterpretAsInts();
            IntVector x1 = ShortVector.fromArray(SW, q, wj + n).reinterpretAsInts();
            IntVector x2 = ShortVector.fromArray(SW, q, wj + 2 * n).reinterpretAsInts();
            IntVector x3 = ShortVector.fromArray(SW, q, wj + 3 * n).reinterpretAsInts();
            IntVector x4 = ShortVector.fromArray(SW, q, wj + 4 * n).reinterpretAsInts();
            IntVector x5 = ShortVector.fromArray(SW, q, wj + 5 * n).reinterpretAsInts();
            IntVector x6 = ShortVector.fromArray(SW, q, wj + 6 * n).reinterpretAsInts();
            IntVector x7 = ShortVector.fromArray(SW, q, wj + 7 * n).reinterpretAsInts();
            int o = co + j;
            FloatVector acc = FloatVector.fromArray(S, c, o);
            acc = a0.fma(x0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), acc);
            acc = a1.fma(x1.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), acc);
            acc = a2.fma(x2.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), acc);
            acc = a3.fma(x3.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), acc);
            acc = a4.fma(x4.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), acc);
            acc = a5.fma(x5.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), acc);
            acc = a6.fma(x6.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), acc);
            acc = a7.fma(x7.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), acc);
            acc.intoArray(c, o);
            o += VL;
            acc = FloatVector.fromArray(S, c, o);
            acc = a0.fma(x0.lanewise(VectorOperators.AND, 0xFFFF0000).reinterpretAsFloats(), acc);
            acc = a1.fma(x1.lanewise(VectorOperators.AND, 0xFFFF0000).reinterpretAsFloats(), acc);
            acc = a2.fma(x2.lanewise(VectorOperators.AND, 0xFFFF0000).reinterpretAsFloats(), acc);
            acc = a3.fma(x3.lanewise(VectorOperators.AND, 0xFFFF0000).reinterpretAsFloats(), acc);
            acc = a4.fma(x4.lanewise(VectorOperators.AND, 0xFFFF0000).reinterpretAsFloats(), acc);
            acc = a5.fma(x5.lanewise(VectorOperators.AND, 0xFFFF0000).reinterpretAsFloats(), acc);
            acc = a6.fma(x6.lanewise(VectorOperators.AND, 0xFFFF0000).reinterpretAsFloats(), acc);
            acc = a7.fma(x7.lanewise(VectorOperators.AND, 0xFFFF0000).reinterpretAsFloats(), acc);
            acc.intoArray(c, o);
          }
          for (; j < nb; j++) {
            float sum = 0f;
            for (int r = 0; r < 8; r++) {
              sum += a[ai + r] * Float.intBitsToFloat(q[w0 + r * n + j] << 16);
            }
            c[co + j] += sum;
          }
        }
      }
      for (; p + 4 <= p1; p += 4) {
        int w0 = p * n + j0;
        int w1 = w0 + n;
        int w2 = w1 + n;
        int w3 = w2 + n;
        for (int i = 0; i < m; i++) {
          int ai = aOff + i * k + p;
          float s0 = a[ai];
          float s1 = a[ai + 1];
          float s2 = a[ai + 2];
          float s3 = a[ai + 3];
          FloatVector a0 = FloatVector.broadcast(S, s0);
          FloatVector a1 = FloatVector.broadcast(S, s1);
          FloatVector a2 = FloatVector.broadcast(S, s2);
          FloatVector a3 = FloatVector.broadcast(S, s3);
          int co = cOff + i * n + j0;
          int j = 0;
          for (; j < bound; j += W2) {
            IntVector x0 = ShortVector.fromArray(SW, q, w0 + j).reinterpretAsInts();
            IntVector x1 = ShortVector.fromArray(SW, q, w1 + j).reinterpretAsInts();
            IntVector x2 = ShortVector.fromArray(SW, q, w2 + j).reinterpretAsInts();
            IntVector x3 = ShortVector.fromArray(SW, q, w3 + j).reinterpretAsInts();
            int o = co + j;
            FloatVector acc = FloatVector.fromArray(S, c, o);
            acc = a0.fma(x0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), acc);
            acc = a1.fma(x1.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), acc);
            acc = a2.fma(x2.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), acc);
            acc = a3.fma(x3.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), acc);
            acc.intoArray(c, o);
            o += VL;
            acc = FloatVector.fromArray(S, c, o);
            acc = a0.fma(x0.lanewise(VectorOperators.AND, 0xFFFF0000).reinterpretAsFloats(), acc);
            acc = a1.fma(x1.lanewise(VectorOperators.AND, 0xFFFF0000).reinterpretAsFloats(), acc);
            acc = a2.fma(x2.lanewise(VectorOperators.AND, 0xFFFF0000).reinterpretAsFloats(), acc);
            acc = a3.fma(x3.lanewise(VectorOperators.AND, 0xFFFF0000).reinterpretAsFloats(), acc);
            acc.intoArray(c, o);
          }
          for (; j < nb; j++) {
            c[co + j] +=
                s0 * Float.intBitsToFloat(q[w0 + j] << 16)
                    + s1 * Float.intBitsToFloat(q[w1 + j] << 16)
                    + s2 * Float.intBitsToFloat(q[w2 + j] << 16)
                    + s3 * Float.intBitsToFloat(q[w3 + j] << 16);
          }
        }
      }
      for (; p < p1; p++) {
        int wo = p * n + j0;
        for (int i = 0; i < m; i++) {
          float av = a[aOff + i * k + p];
          FloatVector va = FloatVector.broadcast(S, av);
          int co = cOff + i * n + j0;
          int j = 0;
          for (; j < bound; j += W2) {
            IntVector x = ShortVector.fromArray(SW, q, wo + j).reinterpretAsInts();
            int o = co + j;
            va.fma(x.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), FloatVector.fromArray(S, c, o))
                .intoArray(c, o);
            o += VL;
            va.fma(x.lanewise(VectorOperators.AND, 0xFFFF0000).reinterpretAsFloats(), FloatVector.fromArray(S, c, o))
                .intoArray(c, o);
          }
          for (; j < nb; j++) {
            c[co + j] += av * Float.intBitsToFloat(q[wo + j] << 16);
          }
        }
      }
    }
  }

  // ---------------------------------------------------------------- prefill (M > 4)

  private void prefill(int m, int k, int n, float[] a, int aOff, QuantizedWeight w, float[] bias, float[] c, int cOff) {
    int strips = (n + Sgemm.NR - 1) / Sgemm.NR;
    long macs = (long) m * n * k;
    int chunks = (int) Math.min(parallel.threads(), Math.max(1, macs / (PARALLEL_MIN_MACS * 16)));
    chunks = Math.min(chunks, strips);
    if (chunks <= 1 || Parallel.inParallelRegion()) {
      prefillStrips(m, k, n, a, aOff, w, bias, c, cOff, 0, strips);
    } else {
      parallel.forRange(
          strips,
          (strips + chunks - 1) / chunks,
          (s, e) -> prefillStrips(m, k, n, a, aOff, w, bias, c, cOff, s, e));
    }
  }

  // Columns [s0·NR, min(n, s1·NR)) of C: blocks of NC columns × kc rows of W are converted into
  // packed strips, then every row of A passes over them.
  private void prefillStrips(
      int m, int k, int n, float[] a, int aOff, QuantizedWeight w, float[] bias, float[] c, int cOff, int s0, int s1) {
    int nr = Sgemm.NR;
    int j0 = s0 * nr;
    int j1 = Math.min(n, s1 * nr);
    for (int i = 0; i < m; i++) {
      int o = cOff + i * n + j0;
      if (bias != null) {
        System.arraycopy(bias, j0, c, o, j1 - j0);
      } else {
        Arrays.fill(c, o, o + j1 - j0, 0f);
      }
    }
    int kBlocks = (k + Sgemm.KC - 1) / Sgemm.KC;
    int kcMax = (k + kBlocks - 1) / kBlocks;
    int blockColumns = Math.max(nr, NC / nr * nr);
    float[][] ws = workspaces.get();
    int need = kcMax * blockColumns;
    if (ws[0].length < need) {
      ws[0] = new float[need];
    }
    float[] bp = ws[0];
    float[] tile = ws[1];
    boolean int8 = w.format() == QuantizedWeight.Format.INT8;
    for (int jc = j0; jc < j1; jc += blockColumns) {
      int nc = Math.min(blockColumns, j1 - jc);
      for (int pc = 0; pc < k; pc += kcMax) {
        int kc = Math.min(kcMax, k - pc);
        if (int8) {
          packInt8(w.int8Values(), w.scales(), n, pc, kc, jc, nc, bp);
        } else {
          packBf16(w.bf16Bits(), n, pc, kc, jc, nc, bp);
        }
        Sgemm.multiplyPackedBlock(m, kc, a, aOff + pc, k, bp, 0, nc, c, cOff + jc, n, tile);
      }
    }
  }

  // W rows [pc, pc + kc), columns [jc, jc + nc) → strips of NR columns, kc rows of NR floats
  // each (q · scale); columns past nc in the last strip are zero.
  private static void packInt8(byte[] q, float[] scales, int n, int pc, int kc, int jc, int nc, float[] bp) {
    final int nr = Sgemm.NR;
    final int vecEnd = nr - nr % BL;
    for (int jr = 0; jr < nc; jr += nr) {
      int cols = Math.min(nr, nc - jr);
      int base = jr * kc;
      int col0 = jc + jr;
      if (cols == nr) {
        for (int p = 0; p < kc; p++) {
          int src = (pc + p) * n + col0;
          int dst = base + p * nr;
          int t = 0;
          for (; t < vecEnd; t += BL) {
            ByteVector bv = ByteVector.fromArray(BS, q, src + t);
            for (int part = 0; part < BYTE_PARTS; part++) {
              int u = t + part * VL;
              ((FloatVector) bv.convertShape(VectorOperators.B2F, S, part))
                  .mul(FloatVector.fromArray(S, scales, col0 + u))
                  .intoArray(bp, dst + u);
            }
          }
          for (; t < nr; t++) {
            bp[dst + t] = q[src + t] * scales[col0 + t];
          }
        }
      } else {
        for (int p = 0; p < kc; p++) {
          int src = (pc + p) * n + col0;
          int dst = base + p * nr;
          for (int t = 0; t < cols; t++) {
            bp[dst + t] = q[src + t] * scales[col0 + t];
          }
          Arrays.fill(bp, dst + cols, dst + nr, 0f);
        }
      }
    }
  }

  private static void packBf16(short[] q, int n, int pc, int kc, int jc, int nc, float[] bp) {
    final int nr = Sgemm.NR;
    final int vecEnd = nr - nr % VL;
    for (int jr = 0; jr < nc; jr += nr) {
      int cols = Math.min(nr, nc - jr);
      int base = jr * kc;
      int col0 = jc + jr;
      if (cols == nr) {
        for (int p = 0; p < kc; p++) {
          int src = (pc + p) * n + col0;
          int dst = base + p * nr;
          int t = 0;
          for (; t < vecEnd; t += VL) {
            ((IntVector) ShortVector.fromArray(SS, q, src + t).convertShape(VectorOperators.S2I, IS, 0))
                .lanewise(VectorOperators.LSHL, 16)
                .reinterpretAsFloats()
                .intoArray(bp, dst + t);
          }
          for (; t < nr; t++) {
            bp[dst + t] = Float.intBitsToFloat(q[src + t] << 16);
          }
        }
      } else {
        for (int p = 0; p < kc; p++) {
          int src = (pc + p) * n + col0;
          int dst = base + p * nr;
          for (int t = 0; t < cols; t++) {
            bp[dst + t] = Float.intBitsToFloat(q[src + t] << 16);
          }
          Arrays.fill(bp, dst + cols, dst + nr, 0f);
        }
      }
    }
  }
}
