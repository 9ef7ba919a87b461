package io.github.transformers4j.gpu.aparapi.kernels;

import com.aparapi.Kernel;

/**
 * Batched, tiled matrix product {@code c = op(a)·op(b)} on an OpenCL device: one 16×16 work-group
 * per 16×16 block of C, staging 16×16 tiles of A and B in local memory between barriers.
 *
 * <p>Range: 3D, global (ceil16(N), ceil16(M), batch), local (16, 16, 1). Out-of-range threads
 * load zeros into the tiles (so every thread reaches every barrier) and write nothing.
 *
 * <p>Everything {@link #run} touches must stay inside Aparapi's Java subset: primitive fields and
 * arrays, {@code int} flags instead of {@code boolean}, no ternaries, no {@code Math.*}.
 */
public final class MatmulKernel extends Kernel {
  /** Tile edge; the work-group is TILE×TILE. */
  public static final int TILE = 16;

  private float[] a = new float[1];
  private float[] b = new float[1];
  private float[] c = new float[1];
  private int m;
  private int n;
  private int k;
  private int transA;
  private int transB;
  private int strideA;
  private int strideB;

  @Local private final float[] tileA = new float[TILE * TILE];
  @Local private final float[] tileB = new float[TILE * TILE];

  /**
   * Binds the operands for the next {@code execute}.
   *
   * @param strideA elements between consecutive batch matrices of {@code a}; 0 when shared
   * @param strideB likewise for {@code b}
   */
  public void bind(
      float[] a, float[] b, float[] c, int m, int n, int k, boolean ta, boolean tb, int strideA,
      int strideB) {
    this.a = a;
    this.b = b;
    this.c = c;
    this.m = m;
    this.n = n;
    this.k = k;
    this.transA = ta ? 1 : 0;
    this.transB = tb ? 1 : 0;
    this.strideA = strideA;
    this.strideB = strideB;
  }

  @Override
  public void run() {
    int col = getGlobalId(0);
    int row = getGlobalId(1);
    int batch = getGlobalId(2);
    int lx = getLocalId(0);
    int ly = getLocalId(1);
    int offA = batch * strideA;
    int offB = batch * strideB;
    float acc = 0f;
    int tiles = (k + TILE - 1) / TILE;
    for (int t = 0; t < tiles; t++) {
      // Thread (lx, ly) loads A[row, t·16 + lx] and B[t·16 + ly, col].
      int ka = t * TILE + lx;
      float va = 0f;
      if (row < m && ka < k) {
        if (transA == 1) {
          va = a[offA + ka * m + row];
        } else {
          va = a[offA + row * k + ka];
        }
      }
      tileA[ly * TILE + lx] = va;
      int kb = t * TILE + ly;
      float vb = 0f;
      if (col < n && kb < k) {
        if (transB == 1) {
          vb = b[offB + col * k + kb];
        } else {
          vb = b[offB + kb * n + col];
        }
      }
      tileB[ly * TILE + lx] = vb;
      localBarrier();
      for (int p = 0; p < TILE; p++) {
        acc += tileA[ly * TILE + p] * tileB[p * TILE + lx];
      }
      // The next iteration overwrites the tiles: wait until every thread has read them.
      localBarrier();
    }
    if (row < m && col < n) {
      c[batch * m * n + row * n + col] = acc;
    }
  }
}
