package io.github.transformers4j.training.data;

import java.util.List;
import java.util.Map;

/**
 * Batches of examples in a seeded random order, reshuffled each epoch: inputs padded with the pad
 * id to the longest in the batch, with an attention mask; targets padded with {@code targetPad}
 * (the pad id for seq2seq, -100 for token labels) and a target mask. The state is (epoch, index),
 * and each epoch's order is a pure function of (seed, epoch).
 */
public final class ExampleBatches implements BatchSource {
  private final List<Example> examples;
  private final int batchSize;
  private final int padId;
  private final int targetPad;
  private final long seed;
  private final boolean shuffle;
  private long epoch;
  private int index;
  private int[] order;

  /**
   * Batches of {@code batchSize} from {@code examples}.
   *
   * @param shuffle false for evaluation (file order, every example once per pass)
   */
  public ExampleBatches(
      List<Example> examples, int batchSize, int padId, int targetPad, long seed, boolean shuffle) {
    if (examples.isEmpty()) {
      throw new IllegalArgumentException("example batches: no examples");
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException(
          "example batches: batch size must be >= 1, got " + batchSize);
    }
    this.examples = List.copyOf(examples);
    this.batchSize = batchSize;
    this.padId = padId;
    this.targetPad = targetPad;
    this.seed = seed;
    this.shuffle = shuffle;
    this.order = orderOf(0);
  }

  private int[] orderOf(long e) {
    int[] o = new int[examples.size()];
    for (int i = 0; i < o.length; i++) {
      o[i] = i;
    }
    if (shuffle) {
      Rng.derive(seed, e).shuffle(o);
    }
    return o;
  }

  /** Number of batches in one pass (the last one may be short). */
  public int batchesPerEpoch() {
    return (examples.size() + batchSize - 1) / batchSize;
  }

  @Override
  public Batch next() {
    if (index >= examples.size()) {
      epoch++;
      index = 0;
      order = orderOf(epoch);
    }
    int n = Math.min(batchSize, examples.size() - index);
    Example[] rows = new Example[n];
    for (int i = 0; i < n; i++) {
      rows[i] = examples.get(order[index + i]);
    }
    index += n;
    return pad(rows, padId, targetPad);
  }

  /** The batch of {@code rows}, padded as described in the class comment. */
  public static Batch pad(Example[] rows, int padId, int targetPad) {
    int n = rows.length;
    int t = 0;
    int tt = 0;
    for (Example e : rows) {
      t = Math.max(t, e.input().length);
      tt = Math.max(tt, e.target().length);
    }
    int[] ids = new int[n * t];
    int[] mask = new int[n * t];
    java.util.Arrays.fill(ids, padId);
    int[] tgt = new int[n * tt];
    int[] tmask = new int[n * tt];
    java.util.Arrays.fill(tgt, targetPad);
    for (int r = 0; r < n; r++) {
      int[] in = rows[r].input();
      System.arraycopy(in, 0, ids, r * t, in.length);
      java.util.Arrays.fill(mask, r * t, r * t + in.length, 1);
      int[] out = rows[r].target();
      System.arraycopy(out, 0, tgt, r * tt, out.length);
      java.util.Arrays.fill(tmask, r * tt, r * tt + out.length, 1);
    }
    IntGrid targets = tt == 0 ? null : new IntGrid(n, tt, tgt);
    return new Batch(
        new IntGrid(n, t, ids),
        new IntGrid(n, t, mask),
        targets,
        tt == 0 ? null : new IntGrid(n, tt, tmask));
  }

  @Override
  public Map<String, Long> state() {
    Map<String, Long> s = new java.util.LinkedHashMap<>(); // fixed order in trainer_state.json
    s.put("epoch", epoch);
    s.put("index", (long) index);
    return s;
  }

  @Override
  public void restore(Map<String, Long> state) {
    epoch = BatchSource.require(state, "epoch");
    index = (int) BatchSource.require(state, "index");
    order = orderOf(epoch);
  }
}
