package io.github.transformers4j.api;

import java.util.Arrays;

/**
 * The dimensions of a tensor, outermost first (row-major). Immutable.
 *
 * <p>Shapes use the letters of the papers in javadoc: {@code B} batch, {@code T} sequence,
 * {@code C} channels, {@code nh} heads, {@code hs} head size, {@code V} vocabulary.
 */
public final class Shape {
  private static final Shape SCALAR = new Shape(new int[0]);
  private final int[] dims;
  private final long size;

  private Shape(int[] dims) {
    long s = 1;
    for (int i = 0; i < dims.length; i++) {
      if (dims[i] < 0) {
        throw new IllegalArgumentException(
            "shape " + Arrays.toString(dims) + ": dimension " + i + " is negative");
      }
      s *= dims[i];
    }
    if (s > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "shape " + Arrays.toString(dims) + " has " + s + " elements, more than " + Integer.MAX_VALUE);
    }
    this.dims = dims;
    this.size = s;
  }

  /** A shape with the given dimensions (copied). */
  public static Shape of(int... dims) {
    return dims.length == 0 ? SCALAR : new Shape(dims.clone());
  }

  /** The shape of a scalar: rank 0, one element. */
  public static Shape scalar() {
    return SCALAR;
  }

  /** Number of dimensions. */
  public int rank() {
    return dims.length;
  }

  /** Dimension {@code axis}; a negative axis counts from the end ({@code -1} is the last). */
  public int dim(int axis) {
    return dims[axis(axis)];
  }

  /** Normalizes a possibly negative axis to {@code [0, rank)}, or fails naming the shape. */
  public int axis(int axis) {
    int a = axis < 0 ? axis + dims.length : axis;
    if (a < 0 || a >= dims.length) {
      throw new IllegalArgumentException("axis " + axis + " is out of range for shape " + this);
    }
    return a;
  }

  /** Number of elements. */
  public int size() {
    return (int) size;
  }

  /** A copy of the dimensions. */
  public int[] dims() {
    return dims.clone();
  }

  /** Product of the dimensions before {@code axis} (exclusive). */
  public int sizeBefore(int axis) {
    int a = axis == dims.length ? axis : axis(axis);
    int s = 1;
    for (int i = 0; i < a; i++) {
      s *= dims[i];
    }
    return s;
  }

  /** Product of the dimensions after {@code axis} (exclusive). */
  public int sizeAfter(int axis) {
    int a = axis(axis);
    int s = 1;
    for (int i = a + 1; i < dims.length; i++) {
      s *= dims[i];
    }
    return s;
  }

  /** This shape with dimension {@code axis} replaced. */
  public Shape with(int axis, int value) {
    int[] d = dims.clone();
    d[axis(axis)] = value;
    return new Shape(d);
  }

  /** This shape without dimension {@code axis}. */
  public Shape without(int axis) {
    int a = axis(axis);
    int[] d = new int[dims.length - 1];
    System.arraycopy(dims, 0, d, 0, a);
    System.arraycopy(dims, a + 1, d, a, dims.length - a - 1);
    return new Shape(d);
  }

  /** The leading {@code n} dimensions. */
  public Shape prefix(int n) {
    return new Shape(Arrays.copyOf(dims, n));
  }

  /** This shape followed by {@code more}. */
  public Shape append(int... more) {
    int[] d = Arrays.copyOf(dims, dims.length + more.length);
    System.arraycopy(more, 0, d, dims.length, more.length);
    return new Shape(d);
  }

  /** Row-major strides in elements. */
  public int[] strides() {
    int[] s = new int[dims.length];
    int acc = 1;
    for (int i = dims.length - 1; i >= 0; i--) {
      s[i] = acc;
      acc *= dims[i];
    }
    return s;
  }

  /**
   * The numpy broadcast of two shapes (dimensions aligned from the end; each pair equal or one of
   * them 1), or {@code null} when they do not broadcast.
   */
  public static Shape broadcast(Shape a, Shape b) {
    int r = Math.max(a.rank(), b.rank());
    int[] d = new int[r];
    for (int i = 0; i < r; i++) {
      int da = i < r - a.rank() ? 1 : a.dims[i - (r - a.rank())];
      int db = i < r - b.rank() ? 1 : b.dims[i - (r - b.rank())];
      if (da != db && da != 1 && db != 1) {
        return null;
      }
      d[i] = da == 1 ? db : da;
    }
    return new Shape(d);
  }

  /** Whether this shape broadcasts to {@code target} without changing {@code target}. */
  public boolean broadcastsTo(Shape target) {
    return target.equals(broadcast(this, target));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Shape s && Arrays.equals(dims, s.dims);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(dims);
  }

  /** Formats as {@code (2, 3, 4)}; a scalar is {@code ()}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("(");
    for (int i = 0; i < dims.length; i++) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(dims[i]);
    }
    return sb.append(')').toString();
  }
}
