package io.github.transformers4j.training.data;

import java.util.Map;

/**
 * Random windows of a token stream, as nanoGPT's {@code get_batch}: each row is {@code block + 1}
 * consecutive tokens from a uniformly drawn offset, so that a causal LM sees the first {@code
 * block} and predicts the last {@code block}.
 */
public final class BlockSampler implements BatchSource {
  private final int[] tokens;
  private final int batchSize;
  private final int block;
  private final Rng rng;

  /**
   * Windows of {@code tokens}, {@code batchSize} rows of {@code block + 1} tokens.
   *
   * @throws IllegalArgumentException when the stream is shorter than one window
   */
  public BlockSampler(int[] tokens, int batchSize, int block, long seed) {
    if (tokens.length < block + 2) {
      throw new IllegalArgumentException(
          "block sampler: "
              + tokens.length
              + " tokens cannot fill a block of "
              + block
              + " plus its shifted target");
    }
    if (batchSize < 1 || block < 1) {
      throw new IllegalArgumentException(
          "block sampler: batch size and block must be >= 1, got " + batchSize + ", " + block);
    }
    this.tokens = tokens;
    this.batchSize = batchSize;
    this.block = block;
    this.rng = new Rng(seed);
  }

  @Override
  public Batch next() {
    int w = block + 1;
    int[] out = new int[batchSize * w];
    for (int b = 0; b < batchSize; b++) {
      int off = rng.nextInt(tokens.length - w + 1);
      System.arraycopy(tokens, off, out, b * w, w);
    }
    return Batch.of(new IntGrid(batchSize, w, out));
  }

  @Override
  public Map<String, Long> state() {
    return Map.of("rng", rng.state());
  }

  @Override
  public void restore(Map<String, Long> state) {
    rng.setState(BatchSource.require(state, "rng"));
  }
}
