package io.github.transformers4j.clip.image;

import java.util.Arrays;

/**
 * Image resizing that gives the same bytes as Pillow's {@code Image.resize(size, resample)} on an
 * RGB picture (no {@code box}, no {@code reducing_gap}, as Hugging Face's processors call it).
 *
 * <p>Pillow resamples with a separable convolution, in two passes: horizontally into an 8-bit
 * intermediate picture (each value rounded and clipped), then vertically. A pass is skipped when
 * its dimension does not change. For each output position the filter is centred at {@code (i +
 * 0.5)·scale} of the input, where {@code scale = in/out}; when shrinking, the filter is stretched
 * by {@code scale} (so every input pixel contributes) and its support grows with it. The weights of
 * one output are computed in doubles, divided by their sum, then turned into fixed point with 22
 * fractional bits (rounded half away from zero); a sample is the integer sum of weights times
 * 8-bit inputs plus one half, shifted right by 22 and clipped to 0..255. Reproducing these steps,
 * not only the filter, is what makes the result identical rather than merely close.
 */
public final class PillowResize {
  /** Fractional bits of the fixed-point weights: 32 - 8 - 2, two bits spare for overshoot. */
  static final int PRECISION_BITS = 32 - 8 - 2;

  /** Pillow's resampling filters, by the number of {@code PIL.Image.Resampling}. */
  public enum Filter {
    /** {@code Resampling.LANCZOS} (1): a 3-lobed windowed sinc. */
    LANCZOS(1, 3.0),
    /** {@code Resampling.BILINEAR} (2): a triangle. */
    BILINEAR(2, 1.0),
    /** {@code Resampling.BICUBIC} (3): cubic convolution with a = -0.5, CLIP's. */
    BICUBIC(3, 2.0),
    /** {@code Resampling.BOX} (4): each input pixel counts with equal weight. */
    BOX(4, 0.5),
    /** {@code Resampling.HAMMING} (5): a sinc with a Hamming window. */
    HAMMING(5, 1.0);

    /** Pillow's number for it. */
    public final int pillowId;

    /** Half-width of the filter at scale 1. */
    final double support;

    Filter(int pillowId, double support) {
      this.pillowId = pillowId;
      this.support = support;
    }

    /** The filter of Pillow's number {@code id}; NEAREST (0) and unknown numbers are refused. */
    public static Filter ofPillowId(int id) {
      for (Filter f : values()) {
        if (f.pillowId == id) {
          return f;
        }
      }
      throw new IllegalArgumentException(
          "resample "
              + id
              + " is not supported (expected 1 LANCZOS, 2 BILINEAR, 3 BICUBIC, 4 BOX or 5 HAMMING"
              + (id == 0 ? "; NEAREST takes another code path in Pillow" : "")
              + ")");
    }

    double weight(double x) {
      switch (this) {
        case BOX:
          return x > -0.5 && x <= 0.5 ? 1.0 : 0.0;
        case BILINEAR:
          x = Math.abs(x);
          return x < 1.0 ? 1.0 - x : 0.0;
        case BICUBIC:
          {
            final double a = -0.5;
            x = Math.abs(x);
            if (x < 1.0) {
              return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
            }
            if (x < 2.0) {
              return (((x - 5) * x + 8) * x - 4) * a;
            }
            return 0.0;
          }
        case HAMMING:
          x = Math.abs(x);
          if (x == 0.0) {
            return 1.0;
          }
          if (x >= 1.0) {
            return 0.0;
          }
          x = x * Math.PI;
          // Pillow writes the window's constants as C floats: 0.54f and 0.46f, widened.
          return Math.sin(x) / x * ((double) 0.54f + (double) 0.46f * Math.cos(x));
        case LANCZOS:
          return -3.0 <= x && x < 3.0 ? sinc(x) * sinc(x / 3) : 0.0;
        default:
          throw new AssertionError(this);
      }
    }

    private static double sinc(double x) {
      if (x == 0.0) {
        return 1.0;
      }
      x = x * Math.PI;
      return Math.sin(x) / x;
    }
  }

  /** The taps of one pass: for each output index, the first input index, the count, the weights. */
  record Taps(int[] first, int[] count, int[] weights, int stride) {}

  private PillowResize() {}

  /**
   * {@code image} resized to {@code width}x{@code height} with {@code filter}, byte for byte as
   * Pillow 12 resizes an RGB image.
   */
  public static RgbImage resize(RgbImage image, int width, int height, Filter filter) {
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException("resize: target size " + width + "x" + height + " is not valid");
    }
    RgbImage out = image;
    if (width != image.width()) {
      out = horizontal(out, width, taps(image.width(), width, filter));
    }
    if (height != image.height()) {
      out = vertical(out, height, taps(image.height(), height, filter));
    }
    return out == image ? new RgbImage(width, height, image.pixels().clone()) : out;
  }

  /** The fixed-point taps mapping {@code inSize} samples onto {@code outSize}. */
  static Taps taps(int inSize, int outSize, Filter filter) {
    double scale = (double) inSize / outSize;
    double filterScale = Math.max(scale, 1.0);
    double support = filter.support * filterScale;
    int stride = (int) Math.ceil(support) * 2 + 1;
    int[] first = new int[outSize];
    int[] count = new int[outSize];
    int[] weights = new int[outSize * stride];
    double[] w = new double[stride];
    double inverse = 1.0 / filterScale;
    for (int i = 0; i < outSize; i++) {
      double center = (i + 0.5) * scale;
      // (int) truncates toward zero as C's cast does; the clamps make that a rounding.
      int min = Math.max((int) (center - support + 0.5), 0);
      int max = Math.min((int) (center + support + 0.5), inSize) - min;
      double sum = 0.0;
      for (int k = 0; k < max; k++) {
        w[k] = filter.weight((k + min - center + 0.5) * inverse);
        sum += w[k];
      }
      for (int k = 0; k < max; k++) {
        double v = sum != 0.0 ? w[k] / sum : w[k];
        weights[i * stride + k] =
            (int) (v < 0 ? -0.5 + v * (1 << PRECISION_BITS) : 0.5 + v * (1 << PRECISION_BITS));
      }
      first[i] = min;
      count[i] = max;
    }
    return new Taps(first, count, weights, stride);
  }

  /** Rounds a fixed-point sum (with its half already added) to a byte, clipping. */
  static byte clip8(int sum) {
    int v = sum >> PRECISION_BITS;
    return (byte) (v < 0 ? 0 : Math.min(v, 255));
  }

  private static RgbImage horizontal(RgbImage in, int width, Taps t) {
    int h = in.height();
    int inW = in.width();
    byte[] src = in.pixels();
    byte[] dst = new byte[h * width * 3];
    for (int y = 0; y < h; y++) {
      int rowIn = y * inW * 3;
      for (int x = 0; x < width; x++) {
        int s0 = 1 << (PRECISION_BITS - 1);
        int s1 = s0;
        int s2 = s0;
        int k0 = x * t.stride();
        int p = rowIn + t.first()[x] * 3;
        for (int k = 0; k < t.count()[x]; k++, p += 3) {
          int wk = t.weights()[k0 + k];
          s0 += (src[p] & 0xFF) * wk;
          s1 += (src[p + 1] & 0xFF) * wk;
          s2 += (src[p + 2] & 0xFF) * wk;
        }
        int o = (y * width + x) * 3;
        dst[o] = clip8(s0);
        dst[o + 1] = clip8(s1);
        dst[o + 2] = clip8(s2);
      }
    }
    return new RgbImage(width, h, dst);
  }

  private static RgbImage vertical(RgbImage in, int height, Taps t) {
    int w = in.width();
    byte[] src = in.pixels();
    byte[] dst = new byte[height * w * 3];
    int[] acc = new int[w * 3];
    int rowBytes = w * 3;
    for (int y = 0; y < height; y++) {
      Arrays.fill(acc, 1 << (PRECISION_BITS - 1));
      int k0 = y * t.stride();
      for (int k = 0; k < t.count()[y]; k++) {
        int wk = t.weights()[k0 + k];
        int p = (t.first()[y] + k) * rowBytes;
        for (int j = 0; j < rowBytes; j++) {
          acc[j] += (src[p + j] & 0xFF) * wk;
        }
      }
      int o = y * rowBytes;
      for (int j = 0; j < rowBytes; j++) {
        dst[o + j] = clip8(acc[j]);
      }
    }
    return new RgbImage(w, height, dst);
  }
}
