package io.github.transformers4j.tokenizers.trainers;

import java.util.List;

/**
 * A frozen trie of the pieces a unigram trainer holds, walked char by char (UTF-16) to find every
 * piece that starts at a position. Edges live in one open-addressing hash table keyed by (node,
 * char), so a million seed pieces cost one primitive array and no object per node. A slot holds the
 * key and, next to it, the child with the id of the piece that ends there: one cache line per step
 * of the walk, which is what the E step spends most of its time on.
 */
final class PieceTrie {
  private static final long EMPTY = -1;

  /** Slot s: table[2s] the key (node << 16 | char), table[2s + 1] the edge (see {@link #edge}). */
  private long[] table;

  private int mask;
  private int shift;
  private int nodes = 1;

  /**
   * A trie of {@code pieces}, whose ids are their indices; the piece {@code skip} (may be null) is
   * left out.
   */
  PieceTrie(List<String> pieces, int skip) {
    long chars = 0;
    for (int id = 0; id < pieces.size(); id++) {
      chars += id == skip ? 0 : pieces.get(id).length();
    }
    // Pieces share prefixes, so the edges are fewer than their chars: start at half and grow.
    allocate(Integer.highestOneBit((int) Math.min(1 << 26, Math.max(16, chars)) - 1) << 1);
    for (int id = 0; id < pieces.size(); id++) {
      if (id == skip) {
        continue;
      }
      String p = pieces.get(id);
      int node = 0;
      int slot = -1;
      for (int i = 0; i < p.length(); i++) {
        slot = slotOrAdd(node, p.charAt(i));
        node = (int) (table[2 * slot + 1] >>> 32);
      }
      if (slot >= 0 && (int) table[2 * slot + 1] < 0) {
        table[2 * slot + 1] = ((long) node << 32) | id;
      }
    }
  }

  private void allocate(int capacity) {
    table = new long[2 * capacity];
    mask = capacity - 1;
    shift = 64 - Integer.numberOfTrailingZeros(capacity);
    for (int s = 0; s < capacity; s++) {
      table[2 * s] = EMPTY;
    }
  }

  /** Doubles the table: at most half full keeps probes short. */
  private void grow() {
    long[] old = table;
    if (old.length >= 1 << 30) {
      throw new IllegalStateException(
          "unigram trainer: more trie edges than one table holds (2^29)");
    }
    allocate(old.length); // twice the slots: old.length / 2 of them before
    for (int s = 0; s < old.length; s += 2) {
      if (old[s] != EMPTY) {
        int slot = slot(old[s]);
        while (table[2 * slot] != EMPTY) {
          slot = (slot + 1) & mask;
        }
        table[2 * slot] = old[s];
        table[2 * slot + 1] = old[s + 1];
      }
    }
  }

  private int slotOrAdd(int node, char c) {
    long key = ((long) node << 16) | c;
    int slot = slot(key);
    while (table[2 * slot] != EMPTY) {
      if (table[2 * slot] == key) {
        return slot;
      }
      slot = (slot + 1) & mask;
    }
    if (nodes >= (mask + 1) / 2) {
      grow();
      return slotOrAdd(node, c);
    }
    table[2 * slot] = key;
    table[2 * slot + 1] = ((long) nodes++ << 32) | 0xffffffffL; // no piece ends here yet
    return slot;
  }

  /**
   * The edge from {@code node} by {@code c}: the child node in the high 32 bits ({@link #node}),
   * the id of the piece that ends at the child or -1 in the low 32 bits ({@link #piece}); -1 if
   * none.
   */
  long edge(int node, char c) {
    long key = ((long) node << 16) | c;
    int slot = slot(key);
    long k;
    while ((k = table[2 * slot]) != EMPTY) {
      if (k == key) {
        return table[2 * slot + 1];
      }
      slot = (slot + 1) & mask;
    }
    return -1;
  }

  /** The child node of an edge. */
  static int node(long edge) {
    return (int) (edge >>> 32);
  }

  /** The piece that ends at an edge's child, or -1. */
  static int piece(long edge) {
    return (int) edge;
  }

  /** The root node. */
  static int root() {
    return 0;
  }

  private int slot(long key) {
    return (int) ((key * 0x9E3779B97F4A7C15L) >>> shift); // Fibonacci hashing: the top bits
  }
}
