package io.github.transformers4j.tokenizers.trainers;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;

/**
 * The seed vocabulary of a unigram trainer, as SentencePiece makes it: every char of the corpus,
 * then its most frequent substrings by count × length, found with a suffix array.
 *
 * <p>The distinct words are laid end to end, each followed by a separator of its own (so no match
 * runs from one word into the next), and sorted into a suffix array (prefix doubling with counting
 * sorts, O(N log L) for words of at most L chars). Its LCP intervals are the nodes of the suffix
 * tree: all substrings that end inside the edge above a node occur exactly where the node's
 * suffixes start, so each node offers one candidate, the longest such substring no longer than the
 * maximum piece length. Leaves offer the rest of their word. A suffix weighs its word's count, so a
 * substring's count is its number of occurrences in the corpus, not in the list of distinct words
 * (SentencePiece and Hugging Face count it in the distinct words, and only at inner nodes). The
 * best candidates are kept in a bounded heap, ties to the smaller string, so memory stays O(N +
 * seed size) and the seed never depends on hash order.
 */
final class SeedPieces {
  private SeedPieces() {}

  /**
   * A seed.
   *
   * @param pieces the chars of the corpus (most frequent first, ties to the smaller code point),
   *     then the substrings (best score first)
   * @param scores the log of each piece's share of the summed scores (count for a char, count ×
   *     length for a substring)
   * @param chars how many of the pieces are the single chars
   */
  record Seed(List<String> pieces, double[] scores, int chars) {}

  /**
   * The seed of {@code words} (distinct, sorted) with their {@code counts}: all chars, then up to
   * {@code seedSize} pieces in all, substrings of 2 to {@code maxLength} code points that occur at
   * least {@code minCount} times.
   */
  static Seed of(String[] words, long[] counts, int maxLength, int seedSize, long minCount) {
    // Chars and their counts, in code point order.
    TreeMap<Integer, long[]> charCount = new TreeMap<>();
    long total = 0;
    for (int w = 0; w < words.length; w++) {
      long c = counts[w];
      String s = words[w];
      for (int i = 0; i < s.length(); ) {
        int cp = s.codePointAt(i);
        charCount.computeIfAbsent(cp, k -> new long[1])[0] += c;
        i += Character.charCount(cp);
        total++;
      }
    }
    int[] alphabet = new int[charCount.size()];
    int a = 0;
    for (int cp : charCount.keySet()) {
      alphabet[a++] = cp;
    }
    // The text: word w's chars as W + rank of the code point, then the separator w.
    int numWords = words.length;
    int length = Math.toIntExact(total + numWords);
    int[] text = new int[length];
    int[] wordStart = new int[numWords + 1];
    int pos = 0;
    for (int w = 0; w < numWords; w++) {
      wordStart[w] = pos;
      String s = words[w];
      for (int i = 0; i < s.length(); ) {
        int cp = s.codePointAt(i);
        text[pos++] = numWords + Arrays.binarySearch(alphabet, cp);
        i += Character.charCount(cp);
      }
      text[pos++] = w;
    }
    wordStart[numWords] = pos;

    List<String> pieces = new ArrayList<>();
    List<Double> raw = new ArrayList<>();
    Integer[] byCount = charCount.keySet().toArray(new Integer[0]);
    Arrays.sort(
        byCount,
        Comparator.comparingLong((Integer cp) -> -charCount.get(cp)[0]).thenComparingInt(cp -> cp));
    for (int cp : byCount) {
      pieces.add(new String(Character.toChars(cp)));
      raw.add((double) charCount.get(cp)[0]);
    }
    int chars = pieces.size();
    int wanted = seedSize - chars;
    if (wanted > 0 && length > 0 && maxLength >= 2) {
      TopCandidates top = new TopCandidates(text, numWords, wanted);
      substrings(
          text, numWords, numWords + alphabet.length, wordStart, counts, maxLength, minCount, top);
      for (int k : top.best()) {
        int[] cps = new int[top.len[k]];
        for (int i = 0; i < cps.length; i++) {
          cps[i] = alphabet[text[top.pos[k] + i] - numWords];
        }
        pieces.add(new String(cps, 0, cps.length));
        raw.add((double) top.score[k]);
      }
    }
    double sum = 0;
    for (double r : raw) {
      sum += r;
    }
    double logSum = Math.log(sum);
    double[] scores = new double[raw.size()];
    for (int i = 0; i < scores.length; i++) {
      scores[i] = Math.log(raw.get(i)) - logSum;
    }
    return new Seed(List.copyOf(pieces), scores, chars);
  }

  /** Offers every suffix-tree node's and leaf's candidate to {@code top}. */
  private static void substrings(
      int[] text,
      int numWords,
      int alphabetSize,
      int[] wordStart,
      long[] counts,
      int maxLength,
      long minCount,
      TopCandidates top) {
    int n = text.length;
    int[] sa = suffixArray(text, alphabetSize);
    int[] lcp = lcp(text, sa, numWords);
    // weight[i] = the summed counts of the words of suffixes sa[0..i).
    long[] weight = new long[n + 1];
    for (int i = 0; i < n; i++) {
      int w = Arrays.binarySearch(wordStart, sa[i]);
      w = w >= 0 ? w : -w - 2;
      weight[i + 1] = weight[i] + (text[sa[i]] < numWords ? 0 : counts[w]);
    }
    // Leaves: the suffix at sa[i] shares lcp[i] chars with one neighbour and lcp[i + 1] with the
    // other.
    for (int i = 0; i < n; i++) {
      int p = sa[i];
      int parent = Math.max(lcp[i], i + 1 < n ? lcp[i + 1] : 0);
      int len = 0;
      while (len < maxLength && p + len < n && text[p + len] >= numWords) {
        len++;
      }
      long c = weight[i + 1] - weight[i];
      if (len > parent && len >= 2 && c >= minCount) {
        top.offer(p, len, c);
      }
    }
    // Inner nodes, bottom-up: the LCP intervals [lb, rb] with their lcp value and their parent's.
    int[] stackLcp = new int[64];
    int[] stackLb = new int[64];
    int depth = 1; // the root interval, lcp 0
    for (int i = 1; i <= n; i++) {
      int cur = i < n ? lcp[i] : 0;
      int lb = i - 1;
      while (cur < stackLcp[depth - 1]) {
        depth--;
        int nodeLcp = stackLcp[depth];
        lb = stackLb[depth];
        int parent = Math.max(cur, stackLcp[depth - 1]);
        int len = Math.min(nodeLcp, maxLength);
        long c = weight[i] - weight[lb];
        if (len > parent && len >= 2 && c >= minCount) {
          top.offer(sa[lb], len, c);
        }
      }
      if (cur > stackLcp[depth - 1]) {
        if (depth == stackLcp.length) {
          stackLcp = Arrays.copyOf(stackLcp, depth * 2);
          stackLb = Arrays.copyOf(stackLb, depth * 2);
        }
        stackLcp[depth] = cur;
        stackLb[depth] = lb;
        depth++;
      }
    }
  }

  /**
   * The suffix array of {@code s} (values in [0, alphabetSize)) by prefix doubling: ranks by the
   * first k symbols, then by pairs (rank at i, rank at i + k), each round two stable counting
   * sorts, until all ranks differ.
   */
  static int[] suffixArray(int[] s, int alphabetSize) {
    int n = s.length;
    int[] sa = new int[n];
    int[] rank = new int[n];
    int[] tmp = new int[n];
    int[] count = new int[Math.max(alphabetSize, n) + 1];
    for (int v : s) {
      count[v]++;
    }
    for (int v = 1; v < count.length; v++) {
      count[v] += count[v - 1];
    }
    for (int i = n - 1; i >= 0; i--) {
      sa[--count[s[i]]] = i;
    }
    int classes = 0;
    for (int i = 0; i < n; i++) {
      if (i > 0 && s[sa[i]] != s[sa[i - 1]]) {
        classes++;
      }
      rank[sa[i]] = classes;
    }
    classes++;
    for (int k = 1; classes < n; k <<= 1) {
      // Order by the second half: suffixes without one (i + k >= n) first, then in sa order.
      int p = 0;
      for (int i = n - k; i < n; i++) {
        tmp[p++] = i;
      }
      for (int j = 0; j < n; j++) {
        if (sa[j] >= k) {
          tmp[p++] = sa[j] - k;
        }
      }
      // Stable counting sort by the first half.
      Arrays.fill(count, 0, classes + 1, 0);
      for (int i = 0; i < n; i++) {
        count[rank[i]]++;
      }
      for (int v = 1; v < classes; v++) {
        count[v] += count[v - 1];
      }
      for (int j = n - 1; j >= 0; j--) {
        sa[--count[rank[tmp[j]]]] = tmp[j];
      }
      tmp[sa[0]] = 0;
      int c = 0;
      for (int j = 1; j < n; j++) {
        int prev = sa[j - 1];
        int cur = sa[j];
        int prevSecond = prev + k < n ? rank[prev + k] : -1;
        int curSecond = cur + k < n ? rank[cur + k] : -1;
        if (rank[prev] != rank[cur] || prevSecond != curSecond) {
          c++;
        }
        tmp[cur] = c;
      }
      int[] swap = rank;
      rank = tmp;
      tmp = swap;
      classes = c + 1;
    }
    return sa;
  }

  /**
   * Kasai's LCP array: {@code lcp[i]} = the length of the common prefix of the suffixes at {@code
   * sa[i - 1]} and {@code sa[i]} ({@code lcp[0] = 0}). Symbols below {@code separators} never
   * match, so no common prefix crosses a word end.
   */
  static int[] lcp(int[] s, int[] sa, int separators) {
    int n = s.length;
    int[] rank = new int[n];
    for (int i = 0; i < n; i++) {
      rank[sa[i]] = i;
    }
    int[] lcp = new int[n];
    int h = 0;
    for (int i = 0; i < n; i++) {
      if (rank[i] == 0) {
        h = 0;
        continue;
      }
      int j = sa[rank[i] - 1];
      while (i + h < n && j + h < n && s[i + h] == s[j + h] && s[i + h] >= separators) {
        h++;
      }
      lcp[rank[i]] = h;
      if (h > 0) {
        h--;
      }
    }
    return lcp;
  }

  /**
   * The best {@code capacity} candidates (text position, length, count) by count × length, ties to
   * the smaller string: a min-heap whose root is the worst kept.
   */
  static final class TopCandidates {
    private final int[] text;
    private final int separators;
    private final int capacity;
    int[] pos = new int[16];
    int[] len = new int[16];
    long[] score = new long[16];
    private int[] heap = new int[16];
    private int size;

    TopCandidates(int[] text, int separators, int capacity) {
      this.text = text;
      this.separators = separators;
      this.capacity = capacity;
    }

    void offer(int p, int l, long count) {
      long s = count * l;
      if (size < capacity) {
        if (size == heap.length) {
          int grown = (int) Math.min(capacity, (long) size * 2);
          pos = Arrays.copyOf(pos, grown);
          len = Arrays.copyOf(len, grown);
          score = Arrays.copyOf(score, grown);
          heap = Arrays.copyOf(heap, grown);
        }
        pos[size] = p;
        len[size] = l;
        score[size] = s;
        heap[size] = size;
        siftUp(size++);
        return;
      }
      int root = heap[0];
      if (compare(s, p, l, score[root], pos[root], len[root]) > 0) {
        pos[root] = p;
        len[root] = l;
        score[root] = s;
        siftDown(0);
      }
    }

    /** The kept candidates' indices, best first. */
    int[] best() {
      Integer[] order = new Integer[size];
      for (int i = 0; i < size; i++) {
        order[i] = i;
      }
      Arrays.sort(order, (x, y) -> compare(score[y], pos[y], len[y], score[x], pos[x], len[x]));
      int[] out = new int[size];
      for (int i = 0; i < size; i++) {
        out[i] = order[i];
      }
      return out;
    }

    /** > 0 if candidate a is better than b: a higher score, or the same and a smaller string. */
    private int compare(long sa, int pa, int la, long sb, int pb, int lb) {
      if (sa != sb) {
        return Long.compare(sa, sb);
      }
      int common = Math.min(la, lb);
      for (int i = 0; i < common; i++) {
        int ca = text[pa + i];
        int cb = text[pb + i];
        if (ca != cb) {
          return Integer.compare(cb, ca);
        }
      }
      return Integer.compare(lb, la);
    }

    private boolean worse(int x, int y) {
      return compare(score[x], pos[x], len[x], score[y], pos[y], len[y]) < 0;
    }

    private void siftUp(int i) {
      int item = heap[i];
      while (i > 0) {
        int parent = (i - 1) >>> 1;
        if (!worse(item, heap[parent])) {
          break;
        }
        heap[i] = heap[parent];
        i = parent;
      }
      heap[i] = item;
    }

    private void siftDown(int i) {
      int item = heap[i];
      while (true) {
        int child = 2 * i + 1;
        if (child >= size) {
          break;
        }
        if (child + 1 < size && worse(heap[child + 1], heap[child])) {
          child++;
        }
        if (!worse(heap[child], item)) {
          break;
        }
        heap[i] = heap[child];
        i = child;
      }
      heap[i] = item;
    }
  }
}
