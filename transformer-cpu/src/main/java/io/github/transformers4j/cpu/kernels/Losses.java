package io.github.transformers4j.cpu.kernels;

import io.github.transformers4j.cpu.exec.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** Embedding lookup and its scatter-add backward, and cross-entropy with its gradient. */
public final class Losses {
  static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  static final int VL = S.length();

  private Losses() {}

  /** Rows of {@code table} (V, C) picked by {@code ids}. */
  public static float[] embedding(float[] table, int vocab, int c, int[] ids) {
    checkIds("embedding", ids, vocab);
    float[] y = new float[ids.length * c];
    for (int i = 0; i < ids.length; i++) {
      System.arraycopy(table, ids[i] * c, y, i * c, c);
    }
    return y;
  }

  /** Scatter-add of the rows of {@code dy} (N, C) into a zero (V, C) table at rows {@code ids}. */
  public static float[] embeddingBackward(int[] ids, float[] dy, int vocab, int c) {
    checkIds("embedding_backward", ids, vocab);
    float[] t = new float[vocab * c];
    int bound = S.loopBound(c);
    for (int i = 0; i < ids.length; i++) {
      int to = ids[i] * c;
      int fo = i * c;
      int j = 0;
      for (; j < bound; j += VL) {
        FloatVector.fromArray(S, t, to + j).add(FloatVector.fromArray(S, dy, fo + j))
            .intoArray(t, to + j);
      }
      for (; j < c; j++) {
        t[to + j] += dy[fo + j];
      }
    }
    return t;
  }

  private static void checkIds(String op, int[] ids, int vocab) {
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] < 0 || ids[i] >= vocab) {
        throw new IllegalArgumentException(
            op + ": id " + ids[i] + " at position " + i + " is outside the vocabulary [0, " + vocab
                + ")");
      }
    }
  }

  private static int checkTargets(int[] targets, int v, int ignoreIndex) {
    int counted = 0;
    for (int r = 0; r < targets.length; r++) {
      int t = targets[r];
      if (t == ignoreIndex) {
        continue;
      }
      if (t < 0 || t >= v) {
        throw new IllegalArgumentException(
            "cross_entropy: target " + t + " at row " + r + " is outside [0, " + v + ")");
      }
      counted++;
    }
    return counted;
  }

  /**
   * Mean over the non-ignored rows of {@code (1−eps)·(lse − x_t) + eps·(lse − mean(x))}, the
   * cross-entropy against the smoothed target {@code (1−eps)·onehot + eps/V}; 0 when every target
   * is ignored.
   */
  public static float crossEntropy(
      Parallel par, float[] logits, int n, int v, int[] targets, int ignoreIndex, float eps) {
    int counted = checkTargets(targets, v, ignoreIndex);
    if (counted == 0) {
      return 0f;
    }
    // One term per row, added in row order afterwards: the same sum whatever the thread count
    // and whichever thread finishes first (partials added under a lock as threads finished
    // changed the loss from run to run).
    double[] terms = new double[n];
    par.forRange(
        n,
        Math.max(1, Elementwise.GRAIN / Math.max(1, v)),
        (s, e) -> {
          for (int r = s; r < e; r++) {
            int t = targets[r];
            if (t == ignoreIndex) {
              continue;
            }
            int o = r * v;
            float max = Softmax.rowMax(logits, o, v);
            double lse = max + Math.log(Softmax.sumExp(logits, o, v, max));
            double nll = lse - logits[o + t];
            double smooth = eps == 0f ? 0 : lse - Norms.sum(logits, o, v) / (double) v;
            terms[r] = (1 - eps) * nll + eps * smooth;
          }
        });
    double total = 0;
    for (double term : terms) {
      total += term;
    }
    return (float) (total / counted);
  }

  /** {@code dLoss/N'·(softmax(x) − target)} per non-ignored row (N' counted rows); 0 elsewhere. */
  public static float[] crossEntropyBackward(
      Parallel par, float[] logits, int n, int v, int[] targets, int ignoreIndex, float eps,
      float dLoss) {
    float[] d = new float[logits.length];
    int counted = checkTargets(targets, v, ignoreIndex);
    if (counted == 0) {
      return d;
    }
    float scale = dLoss / counted;
    float off = eps / v;
    par.forRange(
        n,
        Math.max(1, Elementwise.GRAIN / Math.max(1, v)),
        (s, e) -> {
          int bound = S.loopBound(v);
          for (int r = s; r < e; r++) {
            int t = targets[r];
            if (t == ignoreIndex) {
              continue;
            }
            int o = r * v;
            float max = Softmax.rowMax(logits, o, v);
            float k = (float) (scale / Softmax.sumExp(logits, o, v, max));
            FloatVector vm = FloatVector.broadcast(S, max);
            FloatVector vk = FloatVector.broadcast(S, k);
            FloatVector vo = FloatVector.broadcast(S, off * scale);
            int j = 0;
            for (; j < bound; j += VL) {
              VMath.exp(FloatVector.fromArray(S, logits, o + j).sub(vm)).mul(vk).sub(vo)
                  .intoArray(d, o + j);
            }
            for (; j < v; j++) {
              d[o + j] = (float) Math.exp(logits[o + j] - max) * k - off * scale;
            }
            d[o + t] -= (1 - eps) * scale;
          }
        });
    return d;
  }
}
