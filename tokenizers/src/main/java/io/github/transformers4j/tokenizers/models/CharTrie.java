package io.github.transformers4j.tokenizers.models;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * A frozen char trie of tokens, for longest-prefix and all-prefix matches without building
 * substrings (WordPiece and Unigram walk it from every position).
 */
final class CharTrie {
  private static final int[] NO_IDS = new int[0];
  // Node k: children are keys[k]/kids[k] (sorted keys), value ids[k] (-1 if no token ends here).
  private char[][] keys;
  private int[][] kids;
  private int[] ids;
  private int size;

  private static final class Building {
    final TreeMap<Character, Building> next = new TreeMap<>();
    int id = -1;
  }

  /** A trie of {@code tokens}; {@code stripPrefix} is removed from those that start with it. */
  CharTrie(Map<String, Integer> tokens, String onlyWithPrefix) {
    Building root = new Building();
    for (Map.Entry<String, Integer> e : tokens.entrySet()) {
      String t = e.getKey();
      if (onlyWithPrefix != null) {
        if (!t.startsWith(onlyWithPrefix) || t.length() == onlyWithPrefix.length()) {
          continue;
        }
        t = t.substring(onlyWithPrefix.length());
      }
      Building n = root;
      for (int i = 0; i < t.length(); i++) {
        n = n.next.computeIfAbsent(t.charAt(i), k -> new Building());
      }
      if (n.id < 0) {
        n.id = e.getValue();
      }
    }
    keys = new char[64][];
    kids = new int[64][];
    ids = new int[64];
    freeze(root);
  }

  private int freeze(Building b) {
    int k = size++;
    if (k == ids.length) {
      keys = Arrays.copyOf(keys, k * 2);
      kids = Arrays.copyOf(kids, k * 2);
      ids = Arrays.copyOf(ids, k * 2);
    }
    ids[k] = b.id;
    char[] ks = new char[b.next.size()];
    int[] cs = new int[ks.length];
    int i = 0;
    for (Map.Entry<Character, Building> e : b.next.entrySet()) {
      ks[i] = e.getKey();
      cs[i] = freeze(e.getValue());
      i++;
    }
    keys[k] = ks;
    kids[k] = cs;
    return k;
  }

  /** The child of {@code node} by {@code c}, or -1. */
  int child(int node, char c) {
    char[] ks = keys[node];
    int lo = 0;
    int hi = ks.length - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      char m = ks[mid];
      if (m < c) {
        lo = mid + 1;
      } else if (m > c) {
        hi = mid - 1;
      } else {
        return kids[node][mid];
      }
    }
    return -1;
  }

  /** The id of the token ending at {@code node}, or -1. */
  int id(int node) {
    return ids[node];
  }

  /** The root node. */
  int root() {
    return 0;
  }

  /**
   * The longest token that is a prefix of {@code s[from, to)}: its end packed with its id as {@code
   * end << 32 | id}, or -1.
   */
  long longest(CharSequence s, int from, int to) {
    int node = 0;
    long best = -1;
    for (int i = from; i < to; i++) {
      node = child(node, s.charAt(i));
      if (node < 0) {
        break;
      }
      if (ids[node] >= 0) {
        best = ((long) (i + 1) << 32) | ids[node];
      }
    }
    return best;
  }

  static int[] noIds() {
    return NO_IDS;
  }
}
