package io.github.transformers4j.training.objectives;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.training.data.IntGrid;

/** Shared pieces of the objectives: tensors from host grids, counting and argmax accuracy. */
final class Losses {
  static final int IGNORE = -100;

  private Losses() {}

  static Tensor ids(Ops ops, IntGrid g) {
    return g == null ? null : ops.ids(g.data(), g.rows(), g.cols());
  }

  static long counted(int[] labels) {
    long n = 0;
    for (int l : labels) {
      if (l != IGNORE) {
        n++;
      }
    }
    return n;
  }

  /** Number of labels (not ignored) equal to the argmax of their logits row (N, V). */
  static long correct(Tensor logits, int[] labels) {
    float[] l = logits.toFloatArray();
    int v = logits.shape().dim(-1);
    long ok = 0;
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] == IGNORE) {
        continue;
      }
      int best = 0;
      for (int j = 1; j < v; j++) {
        if (l[i * v + j] > l[i * v + best]) {
          best = j;
        }
      }
      if (best == labels[i]) {
        ok++;
      }
    }
    return ok;
  }
}
