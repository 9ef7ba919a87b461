package io.github.transformers4j.clip.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;

/**
 * Reads image files into {@link RgbImage}s with the pixels Pillow's {@code
 * Image.open(f).convert("RGB")} gives, which is what Hugging Face's CLIP processor starts from.
 *
 * <p>Decoding is ImageIO's (PNG, JPEG, BMP, GIF); the conversion to RGB is done here from the raw
 * samples, because {@code BufferedImage.getRGB} applies colour-space conversions (a gray PNG would
 * come out gamma-corrected) and Pillow does not. Pillow's rules: gray is copied to the three
 * channels; an alpha channel is dropped, not composited; a palette is looked up (its transparency
 * ignored); 16-bit colour keeps the high byte of each sample, while a 16-bit gray image (Pillow's
 * mode {@code I;16}) is clipped to 255.
 *
 * <p>Every failure is an {@link IOException} whose message names the file and what was expected: a
 * missing file, an unknown format, a picture larger than the pixel limit (checked from the header,
 * before decoding), or one that cannot be decoded: corrupt, truncated or of a variant ImageIO does
 * not read (ImageIO's warnings count as errors: its JPEG reader would otherwise return a half-gray
 * picture where Pillow refuses the file).
 */
public final class ImageFiles {
  /**
   * The default limit on width·height: Pillow's {@code Image.MAX_IMAGE_PIXELS}, above which it
   * warns of a decompression bomb.
   */
  public static final long DEFAULT_MAX_PIXELS = 89_478_485L;

  static final String EXPECTED = "a PNG, JPEG, BMP or GIF image";

  private ImageFiles() {}

  /** Reads {@code file} as RGB, refusing pictures of more than {@link #DEFAULT_MAX_PIXELS}. */
  public static RgbImage readRgb(Path file) throws IOException {
    return readRgb(file, DEFAULT_MAX_PIXELS);
  }

  /** Reads {@code file} as RGB, refusing pictures of more than {@code maxPixels} pixels. */
  public static RgbImage readRgb(Path file, long maxPixels) throws IOException {
    if (Files.isDirectory(file)) {
      throw new IOException(file + ": is a folder, expected " + EXPECTED);
    }
    if (!Files.isRegularFile(file)) {
      throw new IOException(file + ": no such file (expected " + EXPECTED + ")");
    }
    BufferedImage image;
    String format;
    try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
      if (in == null) {
        throw new IOException(file + ": cannot be opened as an image stream");
      }
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        throw new IOException(
            file + ": not " + EXPECTED + " (the file starts with " + head(file) + ")");
      }
      ImageReader reader = readers.next();
      format = reader.getFormatName().toUpperCase(Locale.ROOT);
      List<String> warnings = new ArrayList<>();
      try {
        reader.setInput(in, true, true);
        int w = reader.getWidth(0);
        int h = reader.getHeight(0);
        if (w <= 0 || h <= 0) {
          throw new IOException(file + ": the " + format + " header gives a size of " + w + "x" + h);
        }
        if ((long) w * h > maxPixels) {
          throw new IOException(
              file + ": " + w + "x" + h + " = " + (long) w * h + " pixels is more than the limit of "
                  + maxPixels + " (a decompression bomb, or raise the limit)");
        }
        reader.addIIOReadWarningListener(
            new IIOReadWarningListener() {
              @Override
              public void warningOccurred(ImageReader source, String warning) {
                warnings.add(warning);
              }
            });
        image = reader.read(0);
      } catch (IOException e) {
        if (e.getMessage() != null && e.getMessage().startsWith(file.toString())) {
          throw e;
        }
        throw corrupt(file, format, e);
      } catch (RuntimeException e) {
        // ImageIO's decoders throw unchecked exceptions on some malformed input.
        throw corrupt(file, format, e);
      } finally {
        reader.dispose();
      }
      if (!warnings.isEmpty()) {
        throw new IOException(
            file + ": cannot decode this " + format + " image (" + warnings.get(0) + "): the file"
                + " is corrupt or truncated");
      }
    }
    if (image == null) {
      throw new IOException(file + ": the " + format + " decoder returned no picture");
    }
    return toRgb(image, file + " (" + format + ")");
  }

  private static IOException corrupt(Path file, String format, Exception e) {
    String why = e.getMessage() == null || e.getMessage().isBlank() ? "unreadable data" : e.getMessage();
    return new IOException(
        file + ": cannot decode this " + format + " image (" + why + "): the file is corrupt,"
            + " truncated or a variant ImageIO does not read (such as CMYK JPEG)",
        e);
  }

  private static String head(Path file) throws IOException {
    byte[] b = new byte[8];
    int n;
    try (InputStream in = Files.newInputStream(file)) {
      n = in.readNBytes(b, 0, b.length);
    }
    if (n == 0) {
      return "nothing: it is empty";
    }
    StringBuilder s = new StringBuilder("bytes");
    for (int i = 0; i < n; i++) {
      s.append(String.format(Locale.ROOT, " %02x", b[i] & 0xFF));
    }
    return s.toString();
  }

  /**
   * The Pillow {@code convert("RGB")} of a decoded picture; {@code what} names it in errors.
   *
   * @throws IOException for colour models Pillow would not read as these formats (CMYK, 32-bit)
   */
  public static RgbImage toRgb(BufferedImage image, String what) throws IOException {
    int w = image.getWidth();
    int h = image.getHeight();
    byte[] out = new byte[w * h * 3];
    Raster raster = image.getRaster();
    ColorModel cm = image.getColorModel();
    int bands = raster.getNumBands();
    int[] row = new int[w * bands];
    if (cm instanceof IndexColorModel icm) {
      int size = icm.getMapSize();
      for (int y = 0; y < h; y++) {
        raster.getPixels(0, y, w, 1, row);
        for (int x = 0; x < w; x++) {
          int i = Math.min(row[x * bands], size - 1);
          int o = (y * w + x) * 3;
          out[o] = (byte) icm.getRed(i);
          out[o + 1] = (byte) icm.getGreen(i);
          out[o + 2] = (byte) icm.getBlue(i);
        }
      }
      return new RgbImage(w, h, out);
    }
    int csType = cm.getColorSpace().getType();
    if (csType != ColorSpace.TYPE_RGB && csType != ColorSpace.TYPE_GRAY) {
      throw new IOException(
          what + ": colour space " + colourSpace(csType) + " is not supported (expected RGB or"
              + " gray, with or without alpha)");
    }
    int bits = raster.getSampleModel().getSampleSize(0);
    int colours = csType == ColorSpace.TYPE_GRAY ? 1 : 3;
    if (bands != colours && bands != colours + 1) {
      throw new IOException(what + ": " + bands + " channels in a " + colourSpace(csType) + " picture");
    }
    if (bits != 8 && bits != 16) {
      if (bits < 8 && colours == 1 && bands == 1) {
        // Gray of 1, 2 or 4 bits without a palette: Pillow scales up to 0..255 (L;2 and L;4).
        int max = (1 << bits) - 1;
        for (int y = 0; y < h; y++) {
          raster.getPixels(0, y, w, 1, row);
          for (int x = 0; x < w; x++) {
            byte v = (byte) (row[x] * 255 / max);
            int o = (y * w + x) * 3;
            out[o] = v;
            out[o + 1] = v;
            out[o + 2] = v;
          }
        }
        return new RgbImage(w, h, out);
      }
      throw new IOException(what + ": " + bits + "-bit samples are not supported (expected 8 or 16)");
    }
    for (int y = 0; y < h; y++) {
      raster.getPixels(0, y, w, 1, row);
      for (int x = 0; x < w; x++) {
        int o = (y * w + x) * 3;
        int p = x * bands;
        if (colours == 1) {
          // 16-bit gray is Pillow's I;16, whose conversion clips; 16-bit gray+alpha keeps the high byte.
          int v = row[p];
          if (bits == 16) {
            v = bands == 1 ? Math.min(v, 255) : v >>> 8;
          }
          out[o] = (byte) v;
          out[o + 1] = (byte) v;
          out[o + 2] = (byte) v;
        } else {
          int shift = bits == 16 ? 8 : 0;
          out[o] = (byte) (row[p] >>> shift);
          out[o + 1] = (byte) (row[p + 1] >>> shift);
          out[o + 2] = (byte) (row[p + 2] >>> shift);
        }
      }
    }
    return new RgbImage(w, h, out);
  }

  private static String colourSpace(int type) {
    return switch (type) {
      case ColorSpace.TYPE_CMYK -> "CMYK";
      case ColorSpace.TYPE_YCbCr -> "YCbCr";
      case ColorSpace.TYPE_GRAY -> "gray";
      case ColorSpace.TYPE_RGB -> "RGB";
      default -> "type " + type;
    };
  }
}
