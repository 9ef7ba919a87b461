package io.github.transformers4j.tokenizers.trainers;

import java.util.Arrays;
import java.util.List;

/**
 * The segmentation lattice of one word under a unigram model: a node for every piece that occurs in
 * the word, an unknown node for a char that no single-char piece covers. Forward-backward gives the
 * expected count of every piece (the E step); Viterbi gives the best segmentation (pruning).
 *
 * <p>Nodes are made in order of their start, each start's pieces shortest first, so the forward
 * pass can read {@code alpha[begin]} when it reaches a node and the backward pass {@code beta[end]}
 * in reverse order; Viterbi keeps the first of equal paths in that order, as Hugging Face's lattice
 * does. Scratch arrays are reused from word to word: one lattice per thread, no allocation per
 * word.
 */
final class Lattice {
  /** An unknown char scores this much below the lowest piece, as in the Unigram model. */
  static final double UNK_PENALTY = 10.0;

  private Pieces model;
  private int n;
  private int size;
  private int[] begin = new int[64];
  private int[] end = new int[64];
  private int[] id = new int[64];
  private double[] alpha = new double[64];
  private double[] beta = new double[64];
  private int[] bestNode = new int[64];
  private int[] path = new int[16];
  private double bestScore;

  /**
   * The pieces a lattice matches, id 0 being the unknown token (never matched), with what the
   * forward-backward pass needs precomputed.
   */
  static final class Pieces {
    final List<String> pieces;
    final double[] scores;
    final double[] probs;
    final PieceTrie trie;
    final double unkScore;

    /** Log-scale per UTF-16 char of the scaled forward-backward (see {@link #marginals}). */
    final double rate;

    /** The longest word the scaled pass takes; longer ones go through log space. */
    final int scaledLimit;

    /** exp(-rate * length) for the lengths a node can have. */
    final double[] spanFactor;

    /** {@code pieces} (id 0 unused: the unknown token) with their log-probabilities. */
    Pieces(List<String> pieces, double[] scores) {
      this.pieces = pieces;
      this.scores = scores;
      this.trie = new PieceTrie(pieces, 0);
      double min = Double.POSITIVE_INFINITY;
      int longest = 2; // an unknown node: one code point
      for (int i = 1; i < scores.length; i++) {
        min = Math.min(min, scores[i]);
        longest = Math.max(longest, pieces.get(i).length());
      }
      this.unkScore = (min == Double.POSITIVE_INFINITY ? 0 : min) - UNK_PENALTY;
      this.probs = new double[scores.length];
      for (int i = 1; i < scores.length; i++) {
        probs[i] = Math.exp(scores[i]);
      }
      probs[0] = Math.exp(unkScore);
      // Every node scores between unkScore and 0 and spans at least one char, and a word of n
      // chars has at most 2^(n-1) segmentations, so log alpha[pos] lies in [unkScore, ln 2] x pos.
      // Centred by rate = unkScore / 2, the scaled values stay within exp(+-600) up to this length.
      this.rate = unkScore / 2;
      this.scaledLimit = (int) Math.min(4096, 600 / (Math.log(2) - rate));
      this.spanFactor = new double[longest + 1];
      for (int len = 0; len <= longest; len++) {
        spanFactor[len] = Math.exp(-rate * len);
      }
    }
  }

  /**
   * Makes the nodes of {@code word} under {@code model}; {@code excludeWhole} is a piece id not to
   * use for the whole word (the piece whose alternative segmentation is wanted), or -1.
   */
  void build(char[] word, Pieces model, int excludeWhole) {
    this.model = model;
    this.n = word.length;
    this.size = 0;
    PieceTrie trie = model.trie;
    for (int start = 0; start < n; ) {
      int charLen =
          Character.isHighSurrogate(word[start])
                  && start + 1 < n
                  && Character.isLowSurrogate(word[start + 1])
              ? 2
              : 1;
      boolean single = false;
      int node = PieceTrie.root();
      for (int i = start; i < n; i++) {
        long edge = trie.edge(node, word[i]);
        if (edge < 0) {
          break;
        }
        node = PieceTrie.node(edge);
        int p = PieceTrie.piece(edge);
        if (p >= 0) {
          int e = i + 1;
          if (e - start == charLen) {
            single = true;
          }
          if (!(p == excludeWhole && start == 0 && e == n)) {
            add(start, e, p);
          }
        }
      }
      if (!single) {
        add(start, start + charLen, 0);
      }
      start += charLen;
    }
  }

  private void add(int b, int e, int piece) {
    if (size == begin.length) {
      int grown = size * 2;
      begin = Arrays.copyOf(begin, grown);
      end = Arrays.copyOf(end, grown);
      id = Arrays.copyOf(id, grown);
    }
    begin[size] = b;
    end[size] = e;
    id[size] = piece;
    size++;
  }

  private double score(int k) {
    int p = id[k];
    return p == 0 ? model.unkScore : model.scores[p];
  }

  private void ensurePositions() {
    if (alpha.length <= n) {
      int grown = Math.max(n + 1, alpha.length * 2);
      alpha = new double[grown];
      beta = new double[grown];
      bestNode = new int[grown];
    }
  }

  /**
   * Adds {@code freq} times each node's posterior probability to {@code expected[id]} and returns
   * the log of the word's total probability (the sum over all its segmentations).
   *
   * <p>Words up to {@link Pieces#scaledLimit} chars (nearly all) go through {@link
   * #marginalsScaled}, which needs no exp or log per node; longer ones through {@link
   * #marginalsLog}.
   */
  double marginals(double freq, double[] expected) {
    return n <= model.scaledLimit ? marginalsScaled(freq, expected) : marginalsLog(freq, expected);
  }

  /**
   * Forward-backward in probability space, scaled: A[pos] = alpha[pos] exp(-rate pos) and B[pos] =
   * beta[pos] exp(-rate (n - pos)), so a node from b to e carries p exp(-rate (e - b)), a factor
   * that depends on its length alone. The bounds in {@link Pieces} keep A and B finite.
   */
  double marginalsScaled(double freq, double[] expected) {
    ensurePositions();
    double[] probs = model.probs;
    double[] span = model.spanFactor;
    Arrays.fill(alpha, 0, n + 1, 0);
    Arrays.fill(beta, 0, n + 1, 0);
    alpha[0] = 1;
    for (int k = 0; k < size; k++) {
      alpha[end[k]] += alpha[begin[k]] * probs[id[k]] * span[end[k] - begin[k]];
    }
    beta[n] = 1;
    for (int k = size - 1; k >= 0; k--) {
      beta[begin[k]] += probs[id[k]] * span[end[k] - begin[k]] * beta[end[k]];
    }
    double z = alpha[n];
    double f = freq / z;
    for (int k = 0; k < size; k++) {
      expected[id[k]] +=
          f * alpha[begin[k]] * probs[id[k]] * span[end[k] - begin[k]] * beta[end[k]];
    }
    return Math.log(z) + model.rate * n;
  }

  /** Forward-backward in log space: any length, one exp and one log per node and pass. */
  double marginalsLog(double freq, double[] expected) {
    ensurePositions();
    Arrays.fill(alpha, 0, n + 1, Double.NEGATIVE_INFINITY);
    Arrays.fill(beta, 0, n + 1, Double.NEGATIVE_INFINITY);
    alpha[0] = 0;
    for (int k = 0; k < size; k++) {
      alpha[end[k]] = logAdd(alpha[end[k]], alpha[begin[k]] + score(k));
    }
    beta[n] = 0;
    for (int k = size - 1; k >= 0; k--) {
      beta[begin[k]] = logAdd(beta[begin[k]], score(k) + beta[end[k]]);
    }
    double z = alpha[n];
    for (int k = 0; k < size; k++) {
      expected[id[k]] += freq * Math.exp(alpha[begin[k]] + score(k) + beta[end[k]] - z);
    }
    return z;
  }

  /**
   * Finds the best segmentation and returns its number of pieces (0 when the word has none); the
   * pieces are {@link #pathId}, left to right, and {@link #bestScore} is the path's score.
   */
  int viterbi() {
    ensurePositions();
    Arrays.fill(bestNode, 0, n + 1, -1);
    Arrays.fill(alpha, 0, n + 1, Double.NEGATIVE_INFINITY);
    alpha[0] = 0;
    for (int k = 0; k < size; k++) {
      int b = begin[k];
      if (b > 0 && bestNode[b] < 0) {
        continue; // unreachable start (only when a piece is excluded)
      }
      double cand = alpha[b] + score(k);
      int e = end[k];
      if (bestNode[e] < 0 || cand > alpha[e]) { // strictly better: the first of equals stays
        alpha[e] = cand;
        bestNode[e] = k;
      }
    }
    if (n == 0 || bestNode[n] < 0) {
      bestScore = Double.NEGATIVE_INFINITY;
      return 0;
    }
    bestScore = alpha[n];
    int count = 0;
    for (int pos = n; pos > 0; pos = begin[bestNode[pos]]) {
      count++;
    }
    if (path.length < count) {
      path = new int[Math.max(count, path.length * 2)];
    }
    int k = count;
    for (int pos = n; pos > 0; pos = begin[bestNode[pos]]) {
      path[--k] = id[bestNode[pos]];
    }
    return count;
  }

  /** Piece {@code k} of the path the last {@link #viterbi} found. */
  int pathId(int k) {
    return path[k];
  }

  /** The score of the path the last {@link #viterbi} found, or -infinity if none. */
  double bestScore() {
    return bestScore;
  }

  /** log(exp(a) + exp(b)), exact when either is -infinity. */
  static double logAdd(double a, double b) {
    if (a < b) {
      double t = a;
      a = b;
      b = t;
    }
    if (b == Double.NEGATIVE_INFINITY) {
      return a;
    }
    return a + Math.log1p(Math.exp(b - a));
  }
}
