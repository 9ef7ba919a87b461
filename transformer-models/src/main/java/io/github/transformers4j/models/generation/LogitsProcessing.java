package io.github.transformers4j.models.generation;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Turning one row of next-token logits into a token: repetition penalty, temperature, top-k, top-p
 * and sampling, or the argmax. Host-side over a {@code float[]} of length V.
 */
final class LogitsProcessing {
  private LogitsProcessing() {}

  /** CTRL's repetition penalty over the tokens {@code seen}, in place. */
  static void penalize(float[] logits, int from, int v, Iterable<Integer> seen, float penalty) {
    if (penalty == 1f) {
      return;
    }
    boolean[] done = new boolean[v];
    for (int t : seen) {
      if (t >= 0 && t < v && !done[t]) {
        done[t] = true;
        float x = logits[from + t];
        logits[from + t] = x > 0 ? x / penalty : x * penalty;
      }
    }
  }

  /** The index of the largest logit (the first on ties, as PyTorch's argmax). */
  /** Ids at and above {@code limit} (when 0 < limit < v) get no probability, in place. */
  static void limit(float[] logits, int from, int v, int limit) {
    if (limit > 0 && limit < v) {
      java.util.Arrays.fill(logits, from + limit, from + v, Float.NEGATIVE_INFINITY);
    }
  }

  static int argmax(float[] logits, int from, int v) {
    int best = 0;
    for (int i = 1; i < v; i++) {
      if (logits[from + i] > logits[from + best]) {
        best = i;
      }
    }
    return best;
  }

  /** A token drawn from softmax(logits / temperature) after top-k and top-p filtering. */
  static int sample(
      float[] logits, int from, int v, float temperature, int topK, float topP, SplittableRandom rng) {
    double[] p = new double[v];
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < v; i++) {
      p[i] = logits[from + i] / (double) temperature;
      max = Math.max(max, p[i]);
    }
    Integer[] order = null;
    if (topK > 0 && topK < v) {
      order = sortedDescending(p);
      for (int r = topK; r < v; r++) {
        p[order[r]] = Double.NEGATIVE_INFINITY;
      }
    }
    double sum = 0;
    for (int i = 0; i < v; i++) {
      p[i] = Math.exp(p[i] - max);
      sum += p[i];
    }
    for (int i = 0; i < v; i++) {
      p[i] /= sum;
    }
    if (topP < 1f) {
      if (order == null) {
        order = sortedDescending(p);
      }
      // Keep the most likely tokens until their mass reaches topP; always keep the first.
      double mass = 0;
      int r = 0;
      while (r < v && mass < topP) {
        mass += p[order[r]];
        r++;
      }
      double kept = 0;
      for (int j = 0; j < v; j++) {
        if (j < r) {
          kept += p[order[j]];
        } else {
          p[order[j]] = 0;
        }
      }
      for (int i = 0; i < v; i++) {
        p[i] /= kept;
      }
    }
    double u = rng.nextDouble();
    double acc = 0;
    int last = 0;
    for (int i = 0; i < v; i++) {
      if (p[i] > 0) {
        acc += p[i];
        last = i;
        if (u < acc) {
          return i;
        }
      }
    }
    return last; // rounding left u just above the total
  }

  private static Integer[] sortedDescending(double[] x) {
    Integer[] idx = new Integer[x.length];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = i;
    }
    Arrays.sort(idx, (a, b) -> Double.compare(x[b], x[a]));
    return idx;
  }

  /** log-softmax of one row, in double. */
  static double[] logSoftmax(float[] logits, int from, int v) {
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < v; i++) {
      max = Math.max(max, logits[from + i]);
    }
    double sum = 0;
    for (int i = 0; i < v; i++) {
      sum += Math.exp(logits[from + i] - max);
    }
    double lse = max + Math.log(sum);
    double[] r = new double[v];
    for (int i = 0; i < v; i++) {
      r[i] = logits[from + i] - lse;
    }
    return r;
  }
}
