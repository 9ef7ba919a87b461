package io.github.transformers4j.training.data;

/**
 * One batch on the host. Which fields are set depends on the task: language modelling sets {@code
 * inputs} (and {@code mask} when padded); sequence-to-sequence adds {@code targets} and {@code
 * targetMask}; sequence classification sets {@code targets} to (B, 1) labels and token
 * classification to (B, T) labels with -100 where no label applies.
 *
 * @param inputs (B, T) input ids
 * @param mask (B, T) 1 for real tokens, 0 for padding; null when nothing is padded
 * @param targets target ids or labels, or null
 * @param targetMask (B, T') 1 for real target tokens, or null
 * @param pixels (B, C, H, W) images paired row by row with {@code inputs} (text-image
 *     objectives), or null
 */
public record Batch(
    IntGrid inputs, IntGrid mask, IntGrid targets, IntGrid targetMask, Pixels pixels) {

  /** A text-only batch. */
  public Batch(IntGrid inputs, IntGrid mask, IntGrid targets, IntGrid targetMask) {
    this(inputs, mask, targets, targetMask, null);
  }

  /** Checks that images and texts pair up. */
  public Batch {
    if (pixels != null && inputs != null && pixels.batch() != inputs.rows()) {
      throw new IllegalArgumentException(
          "Batch: " + pixels.batch() + " images for " + inputs.rows() + " texts");
    }
  }

  /** A batch of unpadded inputs only. */
  public static Batch of(IntGrid inputs) {
    return new Batch(inputs, null, null, null);
  }

  /** Number of rows (B). */
  public int size() {
    return inputs.rows();
  }

  /** Number of real (unpadded) input tokens, for tokens/s. */
  public long tokens() {
    if (mask == null) {
      return (long) inputs.rows() * inputs.cols();
    }
    long n = 0;
    for (int m : mask.data()) {
      n += m;
    }
    return n;
  }

  /** A short description naming the batch for error messages: its shape and first ids. */
  public String describe() {
    StringBuilder sb = new StringBuilder();
    sb.append("inputs (").append(inputs.rows()).append(", ").append(inputs.cols()).append(")");
    int n = Math.min(12, inputs.cols());
    sb.append(", row 0 starts [");
    for (int i = 0; i < n; i++) {
      sb.append(i > 0 ? " " : "").append(inputs.at(0, i));
    }
    sb.append(n < inputs.cols() ? " ...]" : "]");
    return sb.toString();
  }
}
