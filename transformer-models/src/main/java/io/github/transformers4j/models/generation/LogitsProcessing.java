package io.github.transformers4j.models.generation;

import java.util.Arrays;
import java.util.List;
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

  /**
   * Hugging Face's logits processors for one row, in place, in its order: repetition penalty, no
   * repeated n-gram, minimum length (no stop token yet), forced first token, forced last token,
   * then the vocabulary limit.
   *
   * @param row the row's tokens so far (prompt and generated, no padding)
   * @param promptLength the prompt's length within {@code row}
   * @param left the tokens the row may still add, this one included
   */
  static void process(
      float[] scores, int from, int v, List<Integer> row, int promptLength, int left,
      GenerationConfig c) {
    penalize(scores, from, v, row, c.repetitionPenalty());
    int n = c.noRepeatNgramSize();
    if (n > 0 && row.size() + 1 >= n) {
      int size = row.size();
      for (int start = 0; start + n <= size; start++) {
        boolean same = true;
        for (int i = 0; i < n - 1 && same; i++) {
          same = row.get(start + i).intValue() == row.get(size - (n - 1) + i).intValue();
        }
        int banned = row.get(start + n - 1);
        if (same && banned >= 0 && banned < v) {
          scores[from + banned] = Float.NEGATIVE_INFINITY;
        }
      }
    }
    if (row.size() < c.minLength() || row.size() - promptLength < c.minNewTokens()) {
      for (int t : c.stopTokens()) {
        if (t >= 0 && t < v) {
          scores[from + t] = Float.NEGATIVE_INFINITY;
        }
      }
    }
    if (c.forcedBosTokenId() >= 0 && row.size() == 1) {
      force(scores, from, v, c.forcedBosTokenId());
    }
    if (c.forcedEosTokenId() >= 0 && left == 1) {
      force(scores, from, v, c.forcedEosTokenId());
    }
    limit(scores, from, v, c.vocabularyLimit());
  }

  /** Every score −∞ but {@code token}'s, which becomes 0 (Hugging Face's forced tokens). */
  private static void force(float[] scores, int from, int v, int token) {
    if (token >= v) {
      throw new IllegalArgumentException(
          "forced token id " + token + " is outside the vocabulary of " + v);
    }
    Arrays.fill(scores, from, from + v, Float.NEGATIVE_INFINITY);
    scores[from + token] = 0f;
  }

  /** log-softmax of one row, computed in double and rounded to float (PyTorch's float32 result). */
  static float[] logSoftmaxFloat(float[] logits, int from, int v) {
    double[] d = logSoftmax(logits, from, v);
    float[] r = new float[v];
    for (int i = 0; i < v; i++) {
      r[i] = (float) d[i];
    }
    return r;
  }

  /**
   * The indices of the {@code k} largest values, largest first; equal values in index order (as
   * PyTorch's CPU {@code topk} gives them for distinct positions in practice). NaN sorts last.
   */
  static int[] topIndices(float[] x, int k) {
    int n = Math.min(k, x.length);
    int[] best = new int[n];
    int size = 0;
    for (int i = 0; i < x.length; i++) {
      float xi = Float.isNaN(x[i]) ? Float.NEGATIVE_INFINITY : x[i];
      if (size == n) {
        float worst = Float.isNaN(x[best[n - 1]]) ? Float.NEGATIVE_INFINITY : x[best[n - 1]];
        if (!(xi > worst)) {
          continue;
        }
        size--;
      }
      // Insertion keeps best[] sorted by value descending, ties by index ascending.
      int j = size++;
      while (j > 0) {
        float prev = Float.isNaN(x[best[j - 1]]) ? Float.NEGATIVE_INFINITY : x[best[j - 1]];
        if (prev >= xi) {
          break;
        }
        best[j] = best[j - 1];
        j--;
      }
      best[j] = i;
    }
    return best;
  }
}
