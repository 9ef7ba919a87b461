package io.github.transformers4j.clip.image;

/**
 * An 8-bit RGB picture as Pillow holds one in mode {@code "RGB"}: rows top to bottom, each pixel
 * three bytes (red, green, blue), no padding. Values are unsigned: read them with {@code & 0xFF}.
 *
 * @param width columns (W)
 * @param height rows (H)
 * @param pixels {@code H·W·3} bytes, (H, W, C) order
 */
public record RgbImage(int width, int height, byte[] pixels) {
  /** Checks that the bytes fill the size. */
  public RgbImage {
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException("RgbImage: size " + width + "x" + height + " is not valid");
    }
    if ((long) width * height * 3 != pixels.length) {
      throw new IllegalArgumentException(
          "RgbImage: " + pixels.length + " bytes do not fill " + width + "x" + height + "x3");
    }
  }

  /** The value of channel {@code c} (0 red, 1 green, 2 blue) at row {@code y}, column {@code x}. */
  public int get(int y, int x, int c) {
    return pixels[(y * width + x) * 3 + c] & 0xFF;
  }
}
