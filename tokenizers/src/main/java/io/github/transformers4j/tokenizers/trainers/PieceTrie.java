package io.github.transformers4j.tokenizers.trainers;

import java.util.Arrays;
import java.util.List;

/**
 * A frozen trie of the pieces a unigram trainer holds, walked char by char (UTF-16) to find every
 * piece that starts at a position. Edges live in one open-addressing hash table keyed by (node,
 * char), so a million seed pieces cost a few primitive arrays and no object per node.
 */
final class PieceTrie {
  private static final long EMPTY = -1;

  private final long[] keys;
  private final int[] children;
  private final int mask;
  private final int shift;
  private int[] pieceAt;
  private int nodes = 1;

  /** A trie of {@code pieces}, whose ids are their indices; the piece {@code skip} (may be null) is left out. */
  PieceTrie(List<String> pieces, int skip) {
    long chars = 0;
    for (int id = 0; id < pieces.size(); id++) {
      chars += id == skip ? 0 : pieces.get(id).length();
    }
    if (chars > 1 << 28) {
      throw new IllegalArgumentException(
          "unigram trainer: " + chars + " chars of pieces is more than a trie holds (2^28)");
    }
    // A power of two at least twice the edges, so probes stay short.
    int capacity = Integer.highestOneBit((int) Math.max(16, chars * 2) - 1) << 1;
    keys = new long[capacity];
    children = new int[capacity];
    mask = capacity - 1;
    shift = 64 - Integer.numberOfTrailingZeros(capacity);
    Arrays.fill(keys, EMPTY);
    pieceAt = new int[(int) chars + 1];
    Arrays.fill(pieceAt, -1);
    for (int id = 0; id < pieces.size(); id++) {
      if (id == skip) {
        continue;
      }
      String p = pieces.get(id);
      int node = 0;
      for (int i = 0; i < p.length(); i++) {
        node = childOrAdd(node, p.charAt(i));
      }
      if (node > 0 && pieceAt[node] < 0) {
        pieceAt[node] = id;
      }
    }
  }

  private int childOrAdd(int node, char c) {
    long key = ((long) node << 16) | c;
    int slot = slot(key);
    while (keys[slot] != EMPTY) {
      if (keys[slot] == key) {
        return children[slot];
      }
      slot = (slot + 1) & mask;
    }
    keys[slot] = key;
    children[slot] = nodes;
    return nodes++;
  }

  /** The child of {@code node} by {@code c}, or -1. */
  int child(int node, char c) {
    long key = ((long) node << 16) | c;
    int slot = slot(key);
    while (keys[slot] != EMPTY) {
      if (keys[slot] == key) {
        return children[slot];
      }
      slot = (slot + 1) & mask;
    }
    return -1;
  }

  /** The id of the piece that ends at {@code node}, or -1. */
  int piece(int node) {
    return pieceAt[node];
  }

  /** The root node. */
  static int root() {
    return 0;
  }

  private int slot(long key) {
    return (int) ((key * 0x9E3779B97F4A7C15L) >>> shift); // Fibonacci hashing: the top bits
  }
}
