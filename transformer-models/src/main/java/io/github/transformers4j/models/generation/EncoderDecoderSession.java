package io.github.transformers4j.models.generation;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.models.layers.AttentionMasks;
import io.github.transformers4j.models.layers.KvCache;

/**
 * The decoding session of an encoder-decoder, whatever the family: it holds the encoder output
 * (B, S, C) and its padding mask, the decoder's self- and cross-attention caches, and keeps them
 * in step with the generator's rows (beam reordering gathers the encoder rows too). A fresh
 * session fed k·B rows at its first step (every beam of every source, as beam search without the
 * cache does) lets each source serve the k consecutive rows after it. The family supplies only
 * the decoder step.
 *
 * <p>Thread safety: a session holds one generation's cache: it belongs to one thread at a time.
 * Open one per thread from a shared model.
 */
public abstract class EncoderDecoderSession implements DecodingSession {
  /** The ops the session computes with. */
  protected final Ops ops;

  /** The self- and cross-attention caches of the decoder's layers. */
  protected final KvCache cache;

  private final int sourceLength;
  private final int vocab;
  private Tensor memory;
  private int[] sourceMask;
  private int rows;

  /**
   * @param memory the encoder output (B, S, C)
   * @param sourceMask (B·S) 1 for a token, 0 for padding; null when nothing is padded
   * @param layers the decoder's layers (one self- and one cross-attention cache each)
   */
  protected EncoderDecoderSession(Ops ops, Tensor memory, int[] sourceMask, int layers, int vocab) {
    this.ops = ops;
    this.memory = memory;
    this.sourceMask = sourceMask;
    this.rows = memory.shape().dim(0);
    this.sourceLength = memory.shape().dim(1);
    this.cache = new KvCache(layers, true);
    this.vocab = vocab;
  }

  /**
   * The decoder's logits of each row's last new token.
   *
   * @param ids (B·t) new token ids
   * @param positions (B·t) their absolute positions
   * @param selfMask additive mask over the decoder's keys (cached and new), or null
   * @param memory the encoder output (B, S, C)
   * @param memoryMask additive mask over the source, or null
   * @return (B, V)
   */
  protected abstract Tensor decodeLast(
      int[] ids, int[] positions, int batch, Tensor selfMask, Tensor memory, Tensor memoryMask);

  @Override
  public int vocabSize() {
    return vocab;
  }

  @Override
  public int length() {
    return cache.length();
  }

  @Override
  public Tensor step(int[] ids, int[] positions, int b, int[] keyMask) {
    if (b != rows && cache.length() == 0 && b % rows == 0) {
      int k = b / rows;
      int[] repeat = new int[b];
      for (int r = 0; r < b; r++) {
        repeat[r] = r / k;
      }
      selectRows(repeat);
    }
    if (b != rows) {
      throw new IllegalArgumentException("session has " + rows + " rows, step got " + b);
    }
    int t = ids.length / b;
    Tensor selfMask = AttentionMasks.padding(ops, keyMask, b, cache.length() + t);
    Tensor memoryMask = AttentionMasks.padding(ops, sourceMask, b, sourceLength);
    return decodeLast(ids, positions, b, selfMask, memory, memoryMask);
  }

  @Override
  public void selectRows(int[] select) {
    cache.selectRows(ops, select);
    int c = memory.shape().dim(2);
    memory =
        ops.reshape(
            ops.embedding(ops.reshape(memory, rows, -1), ops.ids(select, select.length)),
            select.length, sourceLength, c);
    if (sourceMask != null) {
      int[] m = new int[select.length * sourceLength];
      for (int r = 0; r < select.length; r++) {
        System.arraycopy(sourceMask, select[r] * sourceLength, m, r * sourceLength, sourceLength);
      }
      sourceMask = m;
    }
    rows = select.length;
  }
}
