package io.github.transformers4j.models.layers;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import java.util.List;

/**
 * The keys and values (B, nh, T, hs) one attention layer has seen, so that a decoding step
 * projects only the new tokens: for self-attention they grow by the new tokens at every step; for
 * cross-attention they are the encoder's, projected once and reused.
 *
 * <p>Tensors are values, so appending is a concatenation (O(T) per step, O(T²) over a
 * generation); at generation lengths this is small next to the projections.
 */
public final class AttentionCache {
  private Tensor keys;
  private Tensor values;

  /** Number of cached positions (Tk). */
  public int length() {
    return keys == null ? 0 : keys.shape().dim(2);
  }

  /** Whether anything is cached. */
  public boolean isEmpty() {
    return keys == null;
  }

  /** Cached keys (B, nh, Tk, hs), or null. */
  public Tensor keys() {
    return keys;
  }

  /** Cached values (B, nh, Tk, hs), or null. */
  public Tensor values() {
    return values;
  }

  /** Appends the new {@code k}, {@code v} (B, nh, T, hs) along T. */
  void append(Ops ops, Tensor k, Tensor v) {
    if (keys == null) {
      keys = k;
      values = v;
    } else {
      keys = ops.concat(List.of(keys, k), 2);
      values = ops.concat(List.of(values, v), 2);
    }
  }

  /** Replaces the cache (cross-attention: the projected encoder output). */
  void set(Tensor k, Tensor v) {
    keys = k;
    values = v;
  }

  /**
   * Keeps batch rows {@code rows} (I32, new batch size), in that order: beam search's reordering of
   * hypotheses. A row may be taken several times.
   */
  public void selectRows(Ops ops, Tensor rows) {
    if (keys == null) {
      return;
    }
    keys = select(ops, keys, rows);
    values = select(ops, values, rows);
  }

  private static Tensor select(Ops ops, Tensor x, Tensor rows) {
    int[] d = x.shape().dims();
    // An embedding lookup over the (B, nh·T·hs) view gathers whole batch rows on the backend.
    Tensor picked = ops.embedding(ops.reshape(x, d[0], -1), rows);
    d[0] = rows.size();
    return ops.reshape(picked, d);
  }
}
