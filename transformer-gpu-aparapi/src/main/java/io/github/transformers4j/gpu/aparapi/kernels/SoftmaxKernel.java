package io.github.transformers4j.gpu.aparapi.kernels;

import com.aparapi.Kernel;

/**
 * Row softmax over the last axis (with an additive, broadcast mask and a causal limit) and its
 * backward, one work-group of {@link #GROUP} threads per row: each thread strides over the row,
 * then the group reduces the row max and the row sum in local memory.
 *
 * <p>Range: 1D, global = rows·GROUP, local = GROUP.
 *
 * <p>A row in which every key is hidden (causal limit, or a mask of −∞) has max −∞ and is written
 * as zeros, not NaN. −∞ comes in as the argument {@code negInf}: Aparapi would print the constant
 * {@code Float.NEGATIVE_INFINITY} as a literal that OpenCL C does not parse.
 */
public final class SoftmaxKernel extends Kernel {
  /** Threads per row; a power of two (the tree reduction halves it). */
  public static final int GROUP = 64;

  /** Highest tensor rank the mask broadcasting supports. */
  public static final int MAX_RANK = 8;

  private float[] x = new float[1];
  private float[] m = new float[1];
  private float[] out = new float[1];
  // dims of x, then the strides of the mask aligned to them (0 along broadcast axes).
  private final int[] meta = new int[2 * MAX_RANK];
  private int cols;
  private int op;
  private int hasMask;
  private int causal;
  private int tq;
  private int rank;
  private float negInf = Float.NEGATIVE_INFINITY;

  @Local private final float[] red = new float[GROUP];

  /** The mask broadcasting table, to fill before {@link #bindSoftmax} and {@code put} after. */
  public int[] meta() {
    return meta;
  }

  /**
   * Binds a forward softmax.
   *
   * @param mask the additive mask, or a dummy array when {@code !hasMask}
   * @param tq the query length (the second-to-last dimension, 1 for rank 1)
   */
  public void bindSoftmax(
      float[] x, float[] mask, float[] out, int cols, boolean hasMask, boolean causal, int tq,
      int rank) {
    this.op = 0;
    this.x = x;
    this.m = mask;
    this.out = out;
    this.cols = cols;
    this.hasMask = hasMask ? 1 : 0;
    this.causal = causal ? 1 : 0;
    this.tq = tq;
    this.rank = rank;
    this.negInf = Float.NEGATIVE_INFINITY;
  }

  /** Binds a backward: {@code out = y·(dy − Σ dy·y)} per row. */
  public void bindBackward(float[] y, float[] dy, float[] out, int cols) {
    this.op = 1;
    this.x = y;
    this.m = dy;
    this.out = out;
    this.cols = cols;
    this.hasMask = 0;
    this.causal = 0;
    this.tq = 1;
    this.rank = 1;
  }

  @Override
  public void run() {
    // Every barrier sits in straight-line code that all work-items reach: PoCL's CPU device
    // crashes (SIGSEGV in the work-group loop) on barriers under a branch it cannot prove
    // uniform, even when it is.
    int row = getGroupId();
    int lid = getLocalId();
    int base = row * cols;
    int visible = cols;
    if (op == 0 && causal == 1) {
      int q = row % tq;
      visible = max(0, min(cols, q + cols - tq + 1));
    }
    int moff = 0;
    int mlast = 0;
    if (hasMask == 1) {
      moff = maskRowOffset(row);
      mlast = meta[MAX_RANK + rank - 1];
    }
    // Pass 1 (forward only): the row max over the visible keys; −∞ when none is visible.
    float mx = negInf;
    if (op == 0) {
      for (int j = lid; j < visible; j += GROUP) {
        mx = max(mx, value(base + j, moff + j * mlast));
      }
    }
    float rowMax = reduceMax(lid, mx);
    // A row that sees nothing sums exp(−∞ − 0) = 0 below and is written as zeros.
    float shift = rowMax;
    if (rowMax == negInf) {
      shift = 0f;
    }
    // Pass 2: the softmax denominator, or Σ dy·y for the backward.
    float s = 0f;
    if (op == 0) {
      for (int j = lid; j < visible; j += GROUP) {
        s += exp(value(base + j, moff + j * mlast) - shift);
      }
    } else {
      for (int j = lid; j < cols; j += GROUP) {
        s += x[base + j] * m[base + j];
      }
    }
    float sum = reduceSum(lid, s);
    // Pass 3: the outputs.
    for (int j = lid; j < cols; j += GROUP) {
      float r = 0f;
      if (op == 0) {
        if (j < visible && sum > 0f) {
          r = exp(value(base + j, moff + j * mlast) - shift) / sum;
        }
      } else {
        r = x[base + j] * (m[base + j] - sum);
      }
      out[base + j] = r;
    }
  }

  float value(int xi, int mi) {
    float v = x[xi];
    if (hasMask == 1) {
      v += m[mi];
    }
    return v;
  }

  /** Offset of the mask element for column 0 of {@code row}, from the leading axes of x. */
  int maskRowOffset(int row) {
    int off = 0;
    int rem = row;
    for (int d = rank - 2; d >= 0; d--) {
      int dim = meta[d];
      off += (rem % dim) * meta[MAX_RANK + d];
      rem = rem / dim;
    }
    return off;
  }

  // Both reductions end with a barrier so that red[] may be reused right after.
  float reduceMax(int lid, float v) {
    red[lid] = v;
    localBarrier();
    for (int s = GROUP / 2; s > 0; s = s / 2) {
      if (lid < s) {
        red[lid] = max(red[lid], red[lid + s]);
      }
      localBarrier();
    }
    float r = red[0];
    localBarrier();
    return r;
  }

  float reduceSum(int lid, float v) {
    red[lid] = v;
    localBarrier();
    for (int s = GROUP / 2; s > 0; s = s / 2) {
      if (lid < s) {
        red[lid] = red[lid] + red[lid + s];
      }
      localBarrier();
    }
    float r = red[0];
    localBarrier();
    return r;
  }
}
