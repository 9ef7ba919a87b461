package io.github.transformers4j.tokenizers.models;

import java.util.Arrays;

/** An open-addressing map from long to long (BPE's pair → rank and merged id), no boxing. */
final class LongLongMap {
  private static final long EMPTY = Long.MIN_VALUE;
  private long[] keys;
  private long[] values;
  private int mask;
  private int size;

  LongLongMap(int expected) {
    int cap = Integer.highestOneBit(Math.max(4, expected * 2 - 1)) << 1;
    keys = new long[cap];
    values = new long[cap];
    Arrays.fill(keys, EMPTY);
    mask = cap - 1;
  }

  private static int hash(long k) {
    long h = k * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 32));
  }

  /** Puts {@code k → v} unless {@code k} is present; returns whether it was absent. */
  boolean putIfAbsent(long k, long v) {
    if (size * 2 >= keys.length) {
      grow();
    }
    int i = hash(k) & mask;
    while (keys[i] != EMPTY) {
      if (keys[i] == k) {
        return false;
      }
      i = (i + 1) & mask;
    }
    keys[i] = k;
    values[i] = v;
    size++;
    return true;
  }

  /** The value of {@code k}, or {@code missing}. */
  long get(long k, long missing) {
    int i = hash(k) & mask;
    while (true) {
      long kk = keys[i];
      if (kk == k) {
        return values[i];
      }
      if (kk == EMPTY) {
        return missing;
      }
      i = (i + 1) & mask;
    }
  }

  private void grow() {
    long[] ok = keys;
    long[] ov = values;
    keys = new long[ok.length * 2];
    values = new long[ok.length * 2];
    Arrays.fill(keys, EMPTY);
    mask = keys.length - 1;
    size = 0;
    for (int i = 0; i < ok.length; i++) {
      if (ok[i] != EMPTY) {
        putIfAbsent(ok[i], ov[i]);
      }
    }
  }
}
