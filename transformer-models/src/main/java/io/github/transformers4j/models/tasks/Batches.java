package io.github.transformers4j.models.tasks;

/** Right-padded id batches with their attention masks. */
record Batches(int[] ids, int[] mask, int batch, int width) {

  /** {@code rows} right-padded with {@code pad}; the mask is null when no row is padded. */
  static Batches rightPadded(int[][] rows, int pad, int maxPositions) {
    int width = 0;
    for (int i = 0; i < rows.length; i++) {
      if (rows[i].length > maxPositions) {
        throw new IllegalArgumentException(
            "input " + i + " has " + rows[i].length + " tokens but the model takes at most "
                + maxPositions);
      }
      width = Math.max(width, rows[i].length);
    }
    int[] ids = new int[rows.length * width];
    int[] mask = new int[rows.length * width];
    boolean padded = false;
    for (int r = 0; r < rows.length; r++) {
      for (int i = 0; i < width; i++) {
        boolean real = i < rows[r].length;
        ids[r * width + i] = real ? rows[r][i] : pad;
        mask[r * width + i] = real ? 1 : 0;
        padded |= !real;
      }
    }
    return new Batches(ids, padded ? mask : null, rows.length, width);
  }

  /** Softmax of {@code n} values from {@code from}, in double. */
  static double[] softmax(float[] x, int from, int n) {
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < n; i++) {
      max = Math.max(max, x[from + i]);
    }
    double[] p = new double[n];
    double sum = 0;
    for (int i = 0; i < n; i++) {
      p[i] = Math.exp(x[from + i] - max);
      sum += p[i];
    }
    for (int i = 0; i < n; i++) {
      p[i] /= sum;
    }
    return p;
  }
}
