package io.github.transformers4j.cpu.kernels;

import io.github.transformers4j.api.Shape;

/**
 * Index arithmetic for numpy broadcasting over rows: an output of shape {@code out} is walked one
 * last-axis row at a time, and each operand contributes a row base offset and an inner stride of
 * 1 (its last axis is real) or 0 (broadcast). Every broadcasting kernel is a loop over such rows.
 */
public final class Broadcast {
  private final int[] outDims;
  private final int[] strides; // per output axis; 0 where the operand is broadcast
  /** Length of an output row (the last axis; 1 for a scalar output). */
  public final int rowLength;
  /** Number of output rows. */
  public final int rows;
  /** Stride of the operand along the last axis: 1, or 0 when it is broadcast. */
  public final int innerStride;

  /** The broadcast walk of {@code in} onto {@code out} ({@code in} must broadcast to it). */
  public Broadcast(Shape in, Shape out) {
    int r = out.rank();
    outDims = out.dims();
    strides = new int[r];
    int[] s = in.strides();
    for (int i = 0; i < r; i++) {
      int j = i - (r - in.rank());
      strides[i] = j < 0 || in.dim(j) == 1 ? 0 : s[j];
    }
    rowLength = r == 0 ? 1 : outDims[r - 1];
    rows = rowLength == 0 ? 0 : out.size() / rowLength;
    innerStride = r == 0 ? 0 : strides[r - 1];
  }

  /** Offset in the operand of the first element of output row {@code row}. */
  public int rowBase(int row) {
    int off = 0;
    for (int i = outDims.length - 2; i >= 0; i--) {
      int d = outDims[i];
      off += (row % d) * strides[i];
      row /= d;
    }
    return off;
  }

  /** The operand's stride along output axis {@code axis} (0 when broadcast). */
  public int stride(int axis) {
    return strides[axis];
  }
}
