package io.github.transformers4j.models.layers;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.models.nn.AbstractModule;
import io.github.transformers4j.models.nn.Parameter;
import java.util.SplittableRandom;

/**
 * T5's relative position bias (Raffel et al. 2020, §2.1): a learned scalar per head for each bucket
 * of the distance {@code key position − query position}, added to the attention scores. Small
 * distances get a bucket each; larger ones share logarithmically wider buckets up to {@code
 * max_distance}, beyond which all fall in the last. Bidirectional (encoder) buckets tell the sign
 * apart with half of the buckets each; causal (decoder) ones see only keys at or before the query.
 *
 * <p>One table {@code weight} (buckets, nh) per stack, computed once per forward and added to every
 * layer's scores. Positions are explicit, so a KV cache at any offset gets the same bias as the
 * whole sequence would.
 */
public final class RelativePositionBias extends AbstractModule {
  private final Parameter weight;
  private final int buckets;
  private final int maxDistance;
  private final boolean bidirectional;
  private final int heads;

  /** A (buckets, nh) table from N(0, std²). */
  public RelativePositionBias(
      Ops ops,
      int buckets,
      int maxDistance,
      int heads,
      boolean bidirectional,
      SplittableRandom rng,
      double std) {
    super(ops);
    int least = bidirectional ? 4 : 2;
    if (buckets < least) {
      throw new IllegalArgumentException(
          "relative_attention_num_buckets must be >= " + least + ", got " + buckets);
    }
    if (maxDistance <= 0) {
      throw new IllegalArgumentException(
          "relative_attention_max_distance must be > 0, got " + maxDistance);
    }
    this.weight = normal("weight", rng, std, buckets, heads);
    this.buckets = buckets;
    this.maxDistance = maxDistance;
    this.bidirectional = bidirectional;
    this.heads = heads;
  }

  /**
   * The bucket of {@code relative} = key position − query position, as Hugging Face's {@code
   * T5Attention._relative_position_bucket} computes it (the logarithm in float32, truncated).
   */
  public static int bucket(int relative, boolean bidirectional, int buckets, int maxDistance) {
    int base = 0;
    int nb = buckets;
    long n;
    if (bidirectional) {
      nb /= 2;
      if (relative > 0) {
        base = nb;
      }
      n = Math.abs((long) relative);
    } else {
      n = Math.max(-(long) relative, 0L);
    }
    int maxExact = nb / 2;
    if (n < maxExact) {
      return base + (int) n;
    }
    // float32 throughout, as the reference computes it, so that bucket edges fall alike.
    float ratio = (float) n / (float) maxExact;
    float log = (float) Math.log(ratio);
    float range = (float) Math.log((double) maxDistance / maxExact);
    float scaled = log / range * (float) (nb - maxExact);
    long large = maxExact + (long) scaled;
    return base + (int) Math.min(large, nb - 1);
  }

  /**
   * The bias for {@code rows} rows (1 when all rows share their positions, else B) of {@code
   * queries} query and {@code keys} key positions.
   *
   * @param queryPositions (rows·Tq) row-major absolute query positions
   * @param keyPositions (rows·Tk) row-major absolute key positions
   * @return (rows, nh, Tq, Tk)
   */
  public Tensor forward(int[] queryPositions, int[] keyPositions, int rows) {
    int tq = queryPositions.length / rows;
    int tk = keyPositions.length / rows;
    if (tq * rows != queryPositions.length || tk * rows != keyPositions.length) {
      throw new IllegalArgumentException(
          "relative position bias: "
              + queryPositions.length
              + " query and "
              + keyPositions.length
              + " key positions do not split into "
              + rows
              + " rows");
    }
    int[] ids = new int[rows * tq * tk];
    for (int r = 0; r < rows; r++) {
      for (int i = 0; i < tq; i++) {
        int q = queryPositions[r * tq + i];
        for (int j = 0; j < tk; j++) {
          int rel = keyPositions[r * tk + j] - q;
          ids[(r * tq + i) * tk + j] = bucket(rel, bidirectional, buckets, maxDistance);
        }
      }
    }
    Tensor table = ops.embedding(weight.get(), ops.ids(ids, rows, tq, tk)); // (R, Tq, Tk, nh)
    return ops.permute(table, 0, 3, 1, 2); // (R, Tq, Tk, nh) -> (R, nh, Tq, Tk)
  }

  /** The number of heads nh. */
  public int heads() {
    return heads;
  }
}
