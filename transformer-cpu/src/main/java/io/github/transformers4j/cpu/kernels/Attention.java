package io.github.transformers4j.cpu.kernels;

import io.github.transformers4j.api.Shape;
import io.github.transformers4j.cpu.exec.Parallel;
import io.github.transformers4j.cpu.gemm.Sgemm;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Fused scaled-dot-product attention in the FlashAttention style: for each (batch, head), blocks
 * of {@link #BQ} queries (about 64: a whole number of SGEMM register-tile rows, 64 with the
 * AVX-512 tile, 60 with the AVX2 one, so no block ends in a part tile) sweep the keys in blocks
 * of {@value #BK} (a multiple of every tile width), keeping a running row max, row
 * sum and unnormalized output, so only a BQ×BK score tile ever exists instead of the Tq×Tk
 * matrix. The two products per tile go through the packed SGEMM; (batch, head) pairs are spread
 * over the pool, and under a causal mask key blocks entirely in the future are skipped.
 *
 * <p>The backward is FlashAttention-2's: per block of queries, one sweep over the keys recomputes
 * the row max, row sum and output (so {@code D = rowsum(dO ∘ O)}), and a second sweep recomputes
 * each probability tile {@code P} and accumulates {@code dV += Pᵀ·dO}, {@code dS = P ∘ (dO·Vᵀ −
 * D)}, {@code dQ += scale·dS·K} and {@code dK += scale·dSᵀ·Q}. It holds the same BQ×BK tiles as
 * the forward, so training memory also grows linearly with T.
 */
public final class Attention {
  static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  static final int VL = S.length();
  static final int BQ = Sgemm.MR * Math.max(1, 64 / Sgemm.MR);
  static final int BK = 128;

  private Attention() {}

  /**
   * {@code softmax(q·kᵀ·scale + mask)·v}: q (B, nh, Tq, hs), k and v (B, nh, Tk, hs), mask
   * additive of shape {@code sm} broadcastable to (B, nh, Tq, Tk) or null. Result (B, nh, Tq, hs).
   */
  public static float[] forward(
      Parallel par, Sgemm gemm, float[] q, float[] k, float[] v, int b, int nh, int tq, int tk,
      int hs, float[] mask, Shape sm, boolean causal, float scale) {
    float[] out = new float[b * nh * tq * hs];
    Broadcast bm = mask == null ? null : new Broadcast(sm, Shape.of(b, nh, tq, tk));
    int msb = bm == null ? 0 : bm.stride(0);
    int msh = bm == null ? 0 : bm.stride(1);
    int msq = bm == null ? 0 : bm.stride(2);
    int msk = bm == null ? 0 : bm.stride(3);
    par.forRange(
        b * nh,
        1,
        (s, e) -> {
          float[] tile = new float[BQ * BK];
          float[] acc = new float[BQ * hs];
          float[] rowMax = new float[BQ];
          float[] rowSum = new float[BQ];
          for (int bh = s; bh < e; bh++) {
            int qo = bh * tq * hs;
            int ko = bh * tk * hs;
            int mo = (bh / nh) * msb + (bh % nh) * msh;
            for (int i0 = 0; i0 < tq; i0 += BQ) {
              int bq = Math.min(BQ, tq - i0);
              java.util.Arrays.fill(rowMax, Float.NEGATIVE_INFINITY);
              java.util.Arrays.fill(rowSum, 0f);
              java.util.Arrays.fill(acc, 0, bq * hs, 0f);
              // Under the causal rule the last query of the block sees keys < i0 + bq + tk - tq.
              int kEnd = causal ? Math.max(0, Math.min(tk, i0 + bq + tk - tq)) : tk;
              for (int j0 = 0; j0 < kEnd; j0 += BK) {
                int bk = Math.min(BK, kEnd - j0);
                scores(gemm, q, qo, k, ko, hs, i0, bq, j0, bk, tq, tk, causal, scale, mask, mo, msq,
                    msk, tile);
                onlineSoftmax(tile, bq, bk, hs, rowMax, rowSum, acc);
                // acc (bq×hs) += P (bq×bk) · V[j0:j0+bk] (bk×hs)
                gemm.sgemm(false, false, bq, hs, bk, 1f, tile, 0, bk, v, ko + j0 * hs, hs, 1f, acc,
                    0, hs);
              }
              for (int r = 0; r < bq; r++) {
                int o = qo + (i0 + r) * hs;
                // A row that saw no key (all masked) yields zeros, as softmax does.
                float inv = rowSum[r] == 0f ? 0f : 1f / rowSum[r];
                for (int h = 0; h < hs; h++) {
                  out[o + h] = acc[r * hs + h] * inv;
                }
              }
            }
          }
        });
    return out;
  }

  /**
   * Gradients {@code {dq, dk, dv}} of {@link #forward} for the output gradient {@code dOut} (B, nh,
   * Tq, hs); arguments as in {@link #forward}.
   */
  public static float[][] backward(
      Parallel par, Sgemm gemm, float[] q, float[] k, float[] v, float[] dOut, int b, int nh,
      int tq, int tk, int hs, float[] mask, Shape sm, boolean causal, float scale) {
    float[] dq = new float[b * nh * tq * hs];
    float[] dk = new float[b * nh * tk * hs];
    float[] dv = new float[b * nh * tk * hs];
    Broadcast bm = mask == null ? null : new Broadcast(sm, Shape.of(b, nh, tq, tk));
    int msb = bm == null ? 0 : bm.stride(0);
    int msh = bm == null ? 0 : bm.stride(1);
    int msq = bm == null ? 0 : bm.stride(2);
    int msk = bm == null ? 0 : bm.stride(3);
    par.forRange(
        b * nh,
        1,
        (s, e) -> {
          float[] tile = new float[BQ * BK];
          float[] dp = new float[BQ * BK];
          float[] acc = new float[BQ * hs];
          float[] rowMax = new float[BQ];
          float[] rowSum = new float[BQ];
          float[] rowD = new float[BQ];
          for (int bh = s; bh < e; bh++) {
            int qo = bh * tq * hs;
            int ko = bh * tk * hs;
            int mo = (bh / nh) * msb + (bh % nh) * msh;
            for (int i0 = 0; i0 < tq; i0 += BQ) {
              int bq = Math.min(BQ, tq - i0);
              int kEnd = causal ? Math.max(0, Math.min(tk, i0 + bq + tk - tq)) : tk;
              // Sweep 1: row max, row sum and the output rows, as the forward computes them.
              java.util.Arrays.fill(rowMax, Float.NEGATIVE_INFINITY);
              java.util.Arrays.fill(rowSum, 0f);
              java.util.Arrays.fill(acc, 0, bq * hs, 0f);
              for (int j0 = 0; j0 < kEnd; j0 += BK) {
                int bk = Math.min(BK, kEnd - j0);
                scores(gemm, q, qo, k, ko, hs, i0, bq, j0, bk, tq, tk, causal, scale, mask, mo, msq,
                    msk, tile);
                onlineSoftmax(tile, bq, bk, hs, rowMax, rowSum, acc);
                gemm.sgemm(false, false, bq, hs, bk, 1f, tile, 0, bk, v, ko + j0 * hs, hs, 1f, acc,
                    0, hs);
              }
              // D_i = Σ_h dO[i, h] · O[i, h], with O = acc / rowSum.
              for (int r = 0; r < bq; r++) {
                float inv = rowSum[r] == 0f ? 0f : 1f / rowSum[r];
                int o = qo + (i0 + r) * hs;
                double d = 0;
                for (int h = 0; h < hs; h++) {
                  d += (double) dOut[o + h] * acc[r * hs + h];
                }
                rowD[r] = (float) (d * inv);
              }
              // Sweep 2: P again, then the four gradient products per tile.
              for (int j0 = 0; j0 < kEnd; j0 += BK) {
                int bk = Math.min(BK, kEnd - j0);
                scores(gemm, q, qo, k, ko, hs, i0, bq, j0, bk, tq, tk, causal, scale, mask, mo, msq,
                    msk, tile);
                for (int r = 0; r < bq; r++) {
                  int t = r * bk;
                  if (rowSum[r] == 0f) {
                    java.util.Arrays.fill(tile, t, t + bk, 0f); // a row that sees no key
                    continue;
                  }
                  expRow(tile, t, bk, rowMax[r]);
                  float inv = 1f / rowSum[r];
                  for (int c = 0; c < bk; c++) {
                    tile[t + c] *= inv;
                  }
                }
                // dV[j0:j0+bk] += Pᵀ · dO[i0:i0+bq]
                gemm.sgemm(true, false, bk, hs, bq, 1f, tile, 0, bk, dOut, qo + i0 * hs, hs, 1f, dv,
                    ko + j0 * hs, hs);
                // dP = dO[i0:i0+bq] · V[j0:j0+bk]ᵀ
                gemm.sgemm(false, true, bq, bk, hs, 1f, dOut, qo + i0 * hs, hs, v, ko + j0 * hs, hs,
                    0f, dp, 0, bk);
                // dS = P ∘ (dP − D), into dp
                for (int r = 0; r < bq; r++) {
                  int t = r * bk;
                  float d = rowD[r];
                  int c = 0;
                  FloatVector vd = FloatVector.broadcast(S, d);
                  for (int bound = S.loopBound(bk); c < bound; c += VL) {
                    FloatVector.fromArray(S, tile, t + c)
                        .mul(FloatVector.fromArray(S, dp, t + c).sub(vd))
                        .intoArray(dp, t + c);
                  }
                  for (; c < bk; c++) {
                    dp[t + c] = tile[t + c] * (dp[t + c] - d);
                  }
                }
                // dQ[i0:i0+bq] += scale · dS · K[j0:j0+bk]
                gemm.sgemm(false, false, bq, hs, bk, scale, dp, 0, bk, k, ko + j0 * hs, hs, 1f, dq,
                    qo + i0 * hs, hs);
                // dK[j0:j0+bk] += scale · dSᵀ · Q[i0:i0+bq]
                gemm.sgemm(true, false, bk, hs, bq, scale, dp, 0, bk, q, qo + i0 * hs, hs, 1f, dk,
                    ko + j0 * hs, hs);
              }
            }
          }
        });
    return new float[][] {dq, dk, dv};
  }

  // tile (bq×bk) = scale · Q[i0:i0+bq]·K[j0:j0+bk]ᵀ + mask, −∞ where the causal rule hides a key.
  private static void scores(
      Sgemm gemm, float[] q, int qo, float[] k, int ko, int hs, int i0, int bq, int j0, int bk,
      int tq, int tk, boolean causal, float scale, float[] mask, int mo, int msq, int msk,
      float[] tile) {
    gemm.sgemm(false, true, bq, bk, hs, scale, q, qo + i0 * hs, hs, k, ko + j0 * hs, hs, 0f, tile,
        0, bk);
    for (int r = 0; r < bq; r++) {
      int i = i0 + r;
      int t = r * bk;
      int visible = causal ? Math.max(0, Math.min(bk, i + tk - tq + 1 - j0)) : bk;
      if (mask != null) {
        int m = mo + i * msq + j0 * msk;
        int c = 0;
        if (msk == 1) {
          // The usual padding mask (B, 1, 1, Tk) is contiguous along the keys.
          for (int vb = S.loopBound(visible); c < vb; c += VL) {
            FloatVector.fromArray(S, tile, t + c)
                .add(FloatVector.fromArray(S, mask, m + c))
                .intoArray(tile, t + c);
          }
        }
        for (; c < visible; c++) {
          tile[t + c] += mask[m + c * msk];
        }
      }
      java.util.Arrays.fill(tile, t + visible, t + bk, Float.NEGATIVE_INFINITY);
    }
  }

  // One key block of the online softmax: each row of the score tile becomes exp(s − newMax), the
  // running max and sum move to the new max, and the rows of acc are rescaled to match (acc then
  // takes tile·V). A row with nothing visible yet contributes zeros. The exponentials are written
  // out here rather than through expRow: with that extra call level C2 stopped scalarizing the
  // vectors in the forward and allocated per tile (AttentionMemoryTest saw T² growth).
  private static void onlineSoftmax(
      float[] tile, int bq, int bk, int hs, float[] rowMax, float[] rowSum, float[] acc) {
    int bound = S.loopBound(bk);
    for (int r = 0; r < bq; r++) {
      int t = r * bk;
      FloatVector vmax = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
      int c = 0;
      for (; c < bound; c += VL) {
        vmax = vmax.max(FloatVector.fromArray(S, tile, t + c));
      }
      float max = vmax.reduceLanes(VectorOperators.MAX);
      for (; c < bk; c++) {
        max = Math.max(max, tile[t + c]);
      }
      float newMax = Math.max(rowMax[r], max);
      if (newMax == Float.NEGATIVE_INFINITY) {
        java.util.Arrays.fill(tile, t, t + bk, 0f);
        continue;
      }
      FloatVector vm = FloatVector.broadcast(S, newMax);
      FloatVector vsum = FloatVector.zero(S);
      for (c = 0; c < bound; c += VL) {
        FloatVector p = VMath.exp(FloatVector.fromArray(S, tile, t + c).sub(vm));
        p.intoArray(tile, t + c);
        vsum = vsum.add(p);
      }
      float sum = vsum.reduceLanes(VectorOperators.ADD);
      for (; c < bk; c++) {
        float p = (float) Math.exp(tile[t + c] - newMax);
        tile[t + c] = p;
        sum += p;
      }
      float corr = (float) Math.exp(rowMax[r] - newMax); // 0 when rowMax was -inf
      rowSum[r] = rowSum[r] * corr + sum;
      rowMax[r] = newMax;
      if (corr != 1f) {
        for (int h = r * hs; h < (r + 1) * hs; h++) {
          acc[h] *= corr;
        }
      }
    }
  }

  // tile[t, t+n) = exp(tile − max) in place; returns the row's sum.
  private static float expRow(float[] tile, int t, int n, float max) {
    FloatVector vm = FloatVector.broadcast(S, max);
    FloatVector vsum = FloatVector.zero(S);
    int c = 0;
    for (int bound = S.loopBound(n); c < bound; c += VL) {
      FloatVector p = VMath.exp(FloatVector.fromArray(S, tile, t + c).sub(vm));
      p.intoArray(tile, t + c);
      vsum = vsum.add(p);
    }
    float sum = vsum.reduceLanes(VectorOperators.ADD);
    for (; c < n; c++) {
      float p = (float) Math.exp(tile[t + c] - max);
      tile[t + c] = p;
      sum += p;
    }
    return sum;
  }
}
