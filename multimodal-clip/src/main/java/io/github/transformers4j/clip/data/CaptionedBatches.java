package io.github.transformers4j.clip.data;

import io.github.transformers4j.clip.data.CaptionedData.Captioned;
import io.github.transformers4j.training.data.Batch;
import io.github.transformers4j.training.data.BatchSource;
import io.github.transformers4j.training.data.IntGrid;
import io.github.transformers4j.training.data.Pixels;
import io.github.transformers4j.training.data.Rng;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Batches of captioned images for contrastive training: {@link Batch#pixels} (B, C, H, W) from the
 * images, {@link Batch#inputs} and {@link Batch#mask} the padded caption ids, row by row. In
 * training the order is a seeded shuffle per epoch (a pure function of (seed, epoch)) and a short
 * last batch is dropped, as OpenCLIP does, so every batch has B rows to contrast; in evaluation
 * the order is the file's and every row comes once per pass. The state is (epoch, index), which a
 * checkpoint stores for an exact resume.
 *
 * <p>Images are decoded and preprocessed when a batch needs them; with {@code cache} each one is
 * kept after its first use, in the form {@link Images#keep} gives (8-bit pixels for CLIP's
 * preprocessing: C·H·W bytes per image).
 */
public final class CaptionedBatches implements BatchSource {

  /**
   * An image file to (C, H, W) model input, already normalized. A cache keeps what {@link #keep}
   * returns, by default the floats; an implementation may keep a smaller form (8-bit pixels)
   * that {@link #floats} turns into the same floats.
   */
  @FunctionalInterface
  public interface Images {
    /**
     * @throws IOException or IllegalArgumentException naming the file when it cannot be read
     */
    float[] load(Path image) throws IOException;

    /** What a cache keeps of {@code image}; {@link #floats} of it must equal {@link #load}. */
    default Object keep(Path image) throws IOException {
      return load(image);
    }

    /** The model input of a {@link #keep} result. */
    default float[] floats(Object kept) {
      return (float[]) kept;
    }
  }

  /** Captions to padded ids and their mask, (B, T) each. */
  @FunctionalInterface
  public interface Texts {
    /** {@code [ids, mask]}. */
    IntGrid[] encode(List<String> captions);
  }

  private final List<Captioned> rows;
  private final int batchSize;
  private final int[] chw;
  private final Images images;
  private final Texts texts;
  private final long seed;
  private final boolean shuffle;
  private final Object[] cache;
  private long epoch;
  private int index;
  private int[] order;

  /**
   * Batches of {@code batchSize} rows.
   *
   * @param chw the images' (C, H, W) after preprocessing
   * @param shuffle true for training (seeded shuffle per epoch, full batches only), false for
   *     evaluation (file order, every row once per pass)
   * @param cache keep each preprocessed image in memory after its first use
   */
  public CaptionedBatches(
      List<Captioned> rows,
      int batchSize,
      int[] chw,
      Images images,
      Texts texts,
      long seed,
      boolean shuffle,
      boolean cache) {
    if (rows.isEmpty()) {
      throw new IllegalArgumentException("captioned batches: no rows");
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("captioned batches: batch size must be >= 1, got " + batchSize);
    }
    if (shuffle && rows.size() < batchSize) {
      throw new IllegalArgumentException(
          "captioned batches: "
              + rows.size()
              + " captioned images are fewer than one batch of "
              + batchSize
              + "; lower --batch or give more data");
    }
    this.rows = List.copyOf(rows);
    this.batchSize = batchSize;
    this.chw = chw.clone();
    this.images = images;
    this.texts = texts;
    this.seed = seed;
    this.shuffle = shuffle;
    this.cache = cache ? new Object[rows.size()] : null;
    this.order = orderOf(0);
  }

  private int[] orderOf(long e) {
    int[] o = new int[rows.size()];
    for (int i = 0; i < o.length; i++) {
      o[i] = i;
    }
    if (shuffle) {
      Rng.derive(seed, e).shuffle(o);
    }
    return o;
  }

  /** Batches in one pass: the full ones in training, all in evaluation. */
  public int batchesPerEpoch() {
    return shuffle ? rows.size() / batchSize : (rows.size() + batchSize - 1) / batchSize;
  }

  @Override
  public Batch next() {
    int end = shuffle ? rows.size() - rows.size() % batchSize : rows.size();
    if (index >= end) {
      epoch++;
      index = 0;
      order = orderOf(epoch);
    }
    int n = Math.min(batchSize, rows.size() - index);
    int[] idx = new int[n];
    System.arraycopy(order, index, idx, 0, n);
    index += n;
    return batch(idx);
  }

  /** The batch of rows {@code idx} (indices into the rows), in that order. */
  public Batch batch(int[] idx) {
    int size = chw[0] * chw[1] * chw[2];
    float[] px = new float[idx.length * size];
    List<String> captions = new ArrayList<>(idx.length);
    for (int i = 0; i < idx.length; i++) {
      float[] img = image(idx[i]);
      System.arraycopy(img, 0, px, i * size, size);
      captions.add(rows.get(idx[i]).caption());
    }
    IntGrid[] t = texts.encode(captions);
    return new Batch(t[0], t[1], null, null, new Pixels(idx.length, chw[0], chw[1], chw[2], px));
  }

  private float[] image(int i) {
    if (cache != null && cache[i] != null) {
      return images.floats(cache[i]);
    }
    Captioned r = rows.get(i);
    float[] img;
    Object kept = null;
    try {
      if (cache != null) {
        kept = images.keep(r.image());
        img = images.floats(kept);
      } else {
        img = images.load(r.image());
      }
    } catch (IOException | RuntimeException e) {
      String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      throw new IllegalArgumentException(
          r.row()
              + ": image "
              + r.image()
              + (m.contains(r.image().getFileName().toString()) ? ": " + m : " cannot be read: " + m),
          e);
    }
    if (img.length != chw[0] * chw[1] * chw[2]) {
      throw new IllegalArgumentException(
          r.row()
              + ": image "
              + r.image()
              + " gave "
              + img.length
              + " values, expected ("
              + chw[0]
              + ", "
              + chw[1]
              + ", "
              + chw[2]
              + ")");
    }
    if (cache != null) {
      cache[i] = kept;
    }
    return img;
  }

  /** Number of rows. */
  public int size() {
    return rows.size();
  }

  @Override
  public Map<String, Long> state() {
    Map<String, Long> s = new LinkedHashMap<>(); // fixed order in trainer_state.json
    s.put("epoch", epoch);
    s.put("index", (long) index);
    return s;
  }

  @Override
  public void restore(Map<String, Long> state) {
    epoch = BatchSource.require(state, "epoch");
    long i = BatchSource.require(state, "index");
    if (i < 0 || i > rows.size()) {
      throw new IllegalArgumentException(
          "batch source state: index " + i + " is outside the " + rows.size() + " rows of the data");
    }
    index = (int) i;
    order = orderOf(epoch);
  }
}
