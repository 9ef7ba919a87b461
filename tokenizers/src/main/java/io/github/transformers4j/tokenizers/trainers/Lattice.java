package io.github.transformers4j.tokenizers.trainers;

import java.util.Arrays;

/**
 * The segmentation lattice of one word under a unigram model: a node for every piece that occurs
 * in the word, an unknown node for a char that no single-char piece covers. Forward-backward gives
 * the expected count of every piece (the E step); Viterbi gives the best segmentation (pruning).
 *
 * <p>Nodes are made in order of their start, each start's pieces shortest first, so the forward
 * pass can read {@code alpha[begin]} when it reaches a node and the backward pass {@code beta[end]}
 * in reverse order; Viterbi keeps the first of equal paths in that order, as Hugging Face's lattice
 * does. Scratch arrays are reused from word to word: one lattice per thread, no allocation per word.
 */
final class Lattice {
  private String word;
  private int n;
  private int size;
  private int[] begin = new int[64];
  private int[] end = new int[64];
  private int[] id = new int[64];
  private double[] score = new double[64];
  private double[] alpha = new double[64];
  private double[] beta = new double[64];
  private int[] bestNode = new int[64];
  private int[] path = new int[16];
  private double bestScore;

  /**
   * Makes the nodes of {@code word}.
   *
   * @param trie the pieces that may occur
   * @param scores the log-probability of each piece id
   * @param unkId the id an unknown char gets
   * @param unkScore the score of an unknown char
   * @param excludeWhole a piece id not to use for the whole word (the piece whose alternative
   *     segmentation is wanted), or -1
   */
  void build(
      String word, PieceTrie trie, double[] scores, int unkId, double unkScore, int excludeWhole) {
    this.word = word;
    this.n = word.length();
    this.size = 0;
    for (int start = 0; start < n; ) {
      int charLen = Character.charCount(word.codePointAt(start));
      boolean single = false;
      int node = PieceTrie.root();
      for (int i = start; i < n; i++) {
        node = trie.child(node, word.charAt(i));
        if (node < 0) {
          break;
        }
        int p = trie.piece(node);
        if (p >= 0) {
          int e = i + 1;
          if (e - start == charLen) {
            single = true;
          }
          if (!(p == excludeWhole && start == 0 && e == n)) {
            add(start, e, p, scores[p]);
          }
        }
      }
      if (!single) {
        add(start, start + charLen, unkId, unkScore);
      }
      start += charLen;
    }
  }

  private void add(int b, int e, int piece, double s) {
    if (size == begin.length) {
      int grown = size * 2;
      begin = Arrays.copyOf(begin, grown);
      end = Arrays.copyOf(end, grown);
      id = Arrays.copyOf(id, grown);
      score = Arrays.copyOf(score, grown);
    }
    begin[size] = b;
    end[size] = e;
    id[size] = piece;
    score[size] = s;
    size++;
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
   */
  double marginals(double freq, double[] expected) {
    ensurePositions();
    Arrays.fill(alpha, 0, n + 1, Double.NEGATIVE_INFINITY);
    Arrays.fill(beta, 0, n + 1, Double.NEGATIVE_INFINITY);
    alpha[0] = 0;
    for (int k = 0; k < size; k++) {
      alpha[end[k]] = logAdd(alpha[end[k]], alpha[begin[k]] + score[k]);
    }
    beta[n] = 0;
    for (int k = size - 1; k >= 0; k--) {
      beta[begin[k]] = logAdd(beta[begin[k]], score[k] + beta[end[k]]);
    }
    double z = alpha[n];
    for (int k = 0; k < size; k++) {
      expected[id[k]] += freq * Math.exp(alpha[begin[k]] + score[k] + beta[end[k]] - z);
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
      double cand = alpha[b] + score[k];
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

  /** The word the lattice was built for. */
  String word() {
    return word;
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
