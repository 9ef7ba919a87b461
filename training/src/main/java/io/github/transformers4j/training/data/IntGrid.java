package io.github.transformers4j.training.data;

/**
 * A (rows, cols) row-major matrix of ints on the host: token ids, masks or labels of a batch.
 *
 * @param rows number of rows (B)
 * @param cols number of columns (T, or 1 for one label per row)
 * @param data the values, {@code rows·cols} of them
 */
public record IntGrid(int rows, int cols, int[] data) {
  /** Validates the size. */
  public IntGrid {
    if (rows < 0 || cols < 0 || data.length != rows * cols) {
      throw new IllegalArgumentException(
          "IntGrid: " + data.length + " values do not fill (" + rows + ", " + cols + ")");
    }
  }

  /** Element (r, c). */
  public int at(int r, int c) {
    return data[r * cols + c];
  }

  /** Columns [from, to) of every row. */
  public IntGrid columns(int from, int to) {
    int w = to - from;
    int[] out = new int[rows * w];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(data, r * cols + from, out, r * w, w);
    }
    return new IntGrid(rows, w, out);
  }

  /** A grid of {@code value} everywhere. */
  public static IntGrid filled(int rows, int cols, int value) {
    int[] d = new int[rows * cols];
    java.util.Arrays.fill(d, value);
    return new IntGrid(rows, cols, d);
  }
}
