package io.github.transformers4j.clip.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.transformers4j.api.testing.Fuzz;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The Jazzer fuzz targets of CLIP's image inputs (issue 12): an image file read by {@link
 * ImageFiles} and preprocessed as CLIP does, and a {@code preprocessor_config.json} read by {@link
 * ClipImageProcessor} and applied to a small picture. Seeds (the CLIP fixture's PNGs, a BMP, a GIF,
 * a PNG header of 10^10 pixels, CLIP's preprocessor config and one of two-billion sizes) and
 * findings are the files of {@code ImageFuzzTestInputs/<method>/} in the test resources.
 *
 * <p>Contract ({@link Fuzz}): floats of the expected size, or an {@link IOException} naming the
 * file in at most 300 characters; nothing else, nothing slower than 10 s.
 */
class ImageFuzzTest {
  /**
   * The pixel limit of the image target, for the decoded picture and its resize: the defaults
   * (Pillow's 89 million) are the same checks with a bigger number, and decoding or resizing that
   * many pixels takes seconds, not microseconds.
   */
  private static final long MAX_PIXELS = 1L << 22;

  private static final ClipImageProcessor CLIP = ClipImageProcessor.clip(16);

  @FuzzTest(maxDuration = "20s")
  void imageFile(byte[] input) {
    Path dir = Fuzz.folder();
    try {
      Path file = Fuzz.write(dir, "picture", input);
      Fuzz.within(
          () -> {
            try {
              RgbImage image = ImageFiles.readRgb(file, MAX_PIXELS);
              assertEquals(3 * 16 * 16, CLIP.preprocess(image, MAX_PIXELS).length);
            } catch (IOException e) {
              Fuzz.requireRefusal(e, file.toString());
            } catch (IllegalArgumentException e) {
              // A resize beyond the limit (an extreme aspect ratio): preprocess(Path) and batch
              // put the file's name in front.
              Fuzz.requireRefusal(e, "resizing the ");
            }
          });
    } finally {
      Fuzz.delete(dir);
    }
  }

  @FuzzTest(maxDuration = "20s")
  void preprocessorConfig(byte[] input) {
    Path dir = Fuzz.folder();
    try {
      Path file = Fuzz.write(dir, ClipImageProcessor.FILE, input);
      Fuzz.within(
          () -> {
            ClipImageProcessor p;
            try {
              p = ClipImageProcessor.load(dir);
            } catch (IOException e) {
              Fuzz.requireRefusal(e, file.toString());
              return;
            }
            int[] hw = p.outputSize(5, 7);
            try {
              float[] out = p.preprocess(new RgbImage(7, 5, new byte[7 * 5 * 3]), MAX_PIXELS);
              assertEquals(3L * hw[0] * hw[1], out.length);
            } catch (IllegalArgumentException e) {
              Fuzz.requireRefusal(e, "resizing the ");
            }
          });
    } finally {
      Fuzz.delete(dir);
    }
  }
}
