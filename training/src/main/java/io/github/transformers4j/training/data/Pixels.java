package io.github.transformers4j.training.data;

/**
 * A batch of images on the host, (B, C, H, W) row-major floats as a model takes them (already
 * rescaled and normalized): what a text-image batch carries beside its token ids.
 *
 * @param batch number of images (B)
 * @param channels channels per image (C, 3 for RGB)
 * @param height rows per image (H)
 * @param width columns per image (W)
 * @param data the values, {@code B·C·H·W} of them
 */
public record Pixels(int batch, int channels, int height, int width, float[] data) {
  /** Validates the size. */
  public Pixels {
    if (batch < 0 || channels <= 0 || height <= 0 || width <= 0) {
      throw new IllegalArgumentException(
          "Pixels: shape (" + batch + ", " + channels + ", " + height + ", " + width + ") is not valid");
    }
    if ((long) batch * channels * height * width != data.length) {
      throw new IllegalArgumentException(
          "Pixels: "
              + data.length
              + " values do not fill ("
              + batch
              + ", "
              + channels
              + ", "
              + height
              + ", "
              + width
              + ")");
    }
  }

  /** Values per image (C·H·W). */
  public int imageSize() {
    return channels * height * width;
  }
}
