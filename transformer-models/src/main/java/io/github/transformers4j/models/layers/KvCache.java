package io.github.transformers4j.models.layers;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The attention caches of a whole decoder: one self-attention cache per layer and, for an
 * encoder-decoder, one cross-attention cache per layer.
 *
 * <p>Thread safety: a session holds one generation's cache: it belongs to one thread at a time.
 * Open one per thread from a shared model.
 */
public final class KvCache {
  private final List<AttentionCache> self;
  private final List<AttentionCache> cross;

  /** Empty caches for {@code layers} layers, with cross-attention caches when {@code withCross}. */
  public KvCache(int layers, boolean withCross) {
    List<AttentionCache> s = new ArrayList<>();
    List<AttentionCache> c = new ArrayList<>();
    for (int i = 0; i < layers; i++) {
      s.add(new AttentionCache());
      if (withCross) {
        c.add(new AttentionCache());
      }
    }
    this.self = Collections.unmodifiableList(s);
    this.cross = Collections.unmodifiableList(c);
  }

  /** The self-attention cache of layer {@code i}. */
  public AttentionCache self(int i) {
    return self.get(i);
  }

  /** The cross-attention cache of layer {@code i}. */
  public AttentionCache cross(int i) {
    return cross.get(i);
  }

  /** Number of positions in the self-attention caches (the tokens decoded so far). */
  public int length() {
    return self.isEmpty() ? 0 : self.get(0).length();
  }

  /** Keeps batch rows {@code rows} in every cache (beam search). */
  public void selectRows(Ops ops, int[] rows) {
    Tensor r = ops.ids(rows, rows.length);
    for (AttentionCache c : self) {
      c.selectRows(ops, r);
    }
    for (AttentionCache c : cross) {
      c.selectRows(ops, r);
    }
  }
}
