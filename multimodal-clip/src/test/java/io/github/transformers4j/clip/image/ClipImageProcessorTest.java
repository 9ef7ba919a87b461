package io.github.transformers4j.clip.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.transformers4j.api.testing.SharedData;
import io.github.transformers4j.training.data.Pixels;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Decoding and preprocessing against Hugging Face's {@code CLIPImageProcessorPil} on Pillow 12.3
 * ({@code testdata/images/clip/expected.json}, made by {@code bench/clip_image_references.py}):
 * the decoded RGB bytes and the resized 8-bit picture must be identical, the pixel values within
 * 1e-5 (they come out identical too: the check allows for numpy's float rounding on other hosts).
 */
class ClipImageProcessorTest {
  static final double PIXEL_TOLERANCE = 1e-5;

  @TempDir Path dir;

  static JsonObject expected() throws IOException {
    return JsonParser.parseString(
            Files.readString(SharedData.require("images/clip/expected.json"), StandardCharsets.UTF_8))
        .getAsJsonObject();
  }

  @TestFactory
  List<DynamicTest> matchesPillowAndHuggingFace() throws IOException {
    JsonObject all = expected();
    JsonObject settings = all.getAsJsonObject("settings");
    Path folder = SharedData.require("images/clip/expected.json").getParent();
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonElement ce : all.getAsJsonArray("cases")) {
      JsonObject c = ce.getAsJsonObject();
      String name = c.get("image").getAsString();
      Path file = folder.resolve(name).normalize();
      tests.add(
          DynamicTest.dynamicTest(
              name + " decoded (" + c.get("mode").getAsString() + ")",
              () -> {
                RgbImage img = ImageFiles.readRgb(file);
                checkBytes(name + " decoded", c.getAsJsonObject("decoded"), img.pixels(),
                    new int[] {img.height(), img.width(), 3});
              }));
      for (Map.Entry<String, JsonElement> r : c.getAsJsonObject("results").entrySet()) {
        JsonObject res = r.getValue().getAsJsonObject();
        String what = name + " " + r.getKey();
        tests.add(
            DynamicTest.dynamicTest(
                what,
                () -> {
                  ClipImageProcessor p =
                      ClipImageProcessor.fromJson(settings.getAsJsonObject(r.getKey()));
                  RgbImage img = ImageFiles.readRgb(file);
                  if (res.has("resized")) {
                    RgbImage resized = p.resized(img);
                    checkBytes(what + " resized", res.getAsJsonObject("resized"), chw(resized),
                        new int[] {3, resized.height(), resized.width()});
                  }
                  float[] pv = p.preprocess(file);
                  // The 8-bit form a training cache keeps gives the same floats, bit for bit.
                  assertArrayEquals(pv, p.toFloats(p.preprocessed8bit(file)), 0f,
                      what + ": toFloats(preprocessed8bit) vs preprocess");
                  int[] hw = p.outputSize(img.height(), img.width());
                  checkFloats(what + " pixel_values", res.getAsJsonObject("pixel_values"), pv,
                      new int[] {3, hw[0], hw[1]});
                }));
      }
    }
    return tests;
  }

  static byte[] chw(RgbImage img) {
    int n = img.width() * img.height();
    byte[] out = new byte[3 * n];
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < 3; c++) {
        out[c * n + i] = img.pixels()[i * 3 + c];
      }
    }
    return out;
  }

  static void checkBytes(String what, JsonObject want, byte[] got, int[] shape) {
    assertArrayEquals(ints(want.getAsJsonArray("shape")), shape, what + ": shape");
    if (want.has("values")) {
      JsonArray v = want.getAsJsonArray("values");
      int diffs = 0;
      int first = -1;
      for (int i = 0; i < got.length; i++) {
        if ((got[i] & 0xFF) != v.get(i).getAsInt()) {
          diffs++;
          first = first < 0 ? i : first;
        }
      }
      assertEquals(0, diffs, what + ": " + diffs + " bytes differ, the first at " + first);
    }
    assertEquals(want.get("sha256").getAsString(), sha256(got), what + ": sha256 of the bytes");
  }

  static void checkFloats(String what, JsonObject want, float[] got, int[] shape) {
    assertArrayEquals(ints(want.getAsJsonArray("shape")), shape, what + ": shape");
    if (want.has("values")) {
      JsonArray v = want.getAsJsonArray("values");
      double worst = 0;
      for (int i = 0; i < got.length; i++) {
        worst = Math.max(worst, Math.abs(got[i] - v.get(i).getAsFloat()));
      }
      assertTrue(worst <= PIXEL_TOLERANCE, what + ": max |diff| " + worst + " > " + PIXEL_TOLERANCE);
    } else {
      // Only a digest and a sum are stored for large pictures: equal bytes, or a close sum.
      double sum = 0;
      for (float f : got) {
        sum += f;
      }
      double wantSum = want.get("sum").getAsDouble();
      assertTrue(Math.abs(sum - wantSum) <= PIXEL_TOLERANCE * got.length,
          what + ": sum " + sum + " vs " + wantSum);
      byte[] bytes;
      if (want.get("dtype").getAsString().equals("uint8")) {
        // Without rescale and normalize, Hugging Face hands back the 8-bit values themselves.
        bytes = new byte[got.length];
        for (int i = 0; i < got.length; i++) {
          assertEquals(Math.rint(got[i]), got[i], what + ": not an integer at " + i);
          bytes[i] = (byte) got[i];
        }
      } else {
        ByteBuffer b = ByteBuffer.allocate(got.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(got);
        bytes = b.array();
      }
      assertEquals(want.get("sha256").getAsString(), sha256(bytes), what + ": sha256 of the values");
    }
  }

  static int[] ints(JsonArray a) {
    int[] r = new int[a.size()];
    for (int i = 0; i < r.length; i++) {
      r[i] = a.get(i).getAsInt();
    }
    return r;
  }

  static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  /**
   * A fuzz finding (issue 12): a 1 x 62977 GIF decodes in milliseconds, but CLIP's resize to a
   * shortest edge of 224 would make it 224 x 14,106,848 (3.2 billion pixels, 9.5 GB). Refused before allocating, with
   * the sizes; the file's name in front when it comes from a file.
   */
  @Test
  void aResizeBeyondTheLimitIsRefusedBeforeAllocating() throws IOException {
    RgbImage thin = new RgbImage(1, 62977, new byte[62977 * 3]);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ClipImageProcessor.clip(224).preprocess(thin));
    assertTrue(
        e.getMessage().contains("1x62977 picture to 224x14106848 gives 3159933952 pixels, more than"
            + " the limit of " + ImageFiles.DEFAULT_MAX_PIXELS), e.getMessage());
    byte[] gif =
        HexFormat.of()
            .parseHex("474946383961010001008000" + "00ff0000000000" + "2c00000000010001f60002024401003b");
    Path file = dir.resolve("thin.gif");
    Files.write(file, gif);
    IOException named = assertThrows(IOException.class, () -> ClipImageProcessor.clip(224).preprocess(file));
    assertTrue(named.getMessage().startsWith(file + ": resizing the 1x62977 picture"), named.getMessage());
    // A small picture of an ordinary shape still comes out at the crop size.
    assertEquals(3 * 224 * 224, ClipImageProcessor.clip(224).preprocess(new RgbImage(3, 5, new byte[45])).length);
  }

  @Test
  void fixturePixelValuesOfTheSharedClipFolder() throws IOException {
    // The pixel_values that HF computed for the CLIP fixture, through the fixture's own settings.
    Path clip = SharedData.require("models/hf-tiny/clip/preprocessor_config.json").getParent();
    JsonObject c =
        JsonParser.parseString(Files.readString(clip.resolve("expected_outputs.json")))
            .getAsJsonObject().getAsJsonArray("cases").get(0).getAsJsonObject();
    ClipImageProcessor p = ClipImageProcessor.load(clip);
    List<Path> files = new ArrayList<>();
    for (JsonElement e : c.getAsJsonArray("images")) {
      files.add(clip.resolve(e.getAsString()));
    }
    Pixels px = p.batch(files);
    assertEquals(List.of(2, 3, 32, 32), List.of(px.batch(), px.channels(), px.height(), px.width()));
    float[] want = flatten(c.get("pixel_values"));
    assertEquals(want.length, px.data().length);
    double worst = 0;
    for (int i = 0; i < want.length; i++) {
      worst = Math.max(worst, Math.abs(want[i] - px.data()[i]));
    }
    assertTrue(worst <= PIXEL_TOLERANCE, "pixel_values max |diff| " + worst);
  }

  static float[] flatten(JsonElement e) {
    List<Float> out = new ArrayList<>();
    flatten(e, out);
    float[] r = new float[out.size()];
    for (int i = 0; i < r.length; i++) {
      r[i] = out.get(i);
    }
    return r;
  }

  private static void flatten(JsonElement e, List<Float> out) {
    if (e.isJsonArray()) {
      for (JsonElement x : e.getAsJsonArray()) {
        flatten(x, out);
      }
    } else {
      out.add(e.getAsFloat());
    }
  }

  @Test
  void savesAndLoadsItsSettings() throws IOException {
    ClipImageProcessor p =
        new ClipImageProcessor(true, ClipImageProcessor.Size.exact(30, 40),
            PillowResize.Filter.BILINEAR, false, 20, 21, true, 0.5, false,
            new double[] {0.1, 0.2, 0.3}, new double[] {1, 2, 3});
    p.save(dir);
    assertEquals(p, ClipImageProcessor.load(dir));
    try (var s = Files.list(dir)) {
      assertEquals(List.of(dir.resolve(ClipImageProcessor.FILE)), s.toList(), "no temporary files left");
    }
    ClipImageProcessor d = ClipImageProcessor.clip(224);
    d.save(dir);
    assertEquals(d, ClipImageProcessor.load(dir.resolve(ClipImageProcessor.FILE)));
  }

  @Test
  void refusesSettingsItDoesNotReproduce() {
    for (String[] bad :
        new String[][] {
          {"{\"resample\": 0}", "resample 0 is not supported"},
          {"{\"resample\": 9}", "resample 9 is not supported"},
          {"{\"size\": {\"shortest_edge\": 10, \"longest_edge\": 20}}", "is not supported"},
          {"{\"do_convert_rgb\": false}", "do_convert_rgb false"},
          {"{\"do_pad\": true}", "do_pad true"},
          {"{\"crop_size\": {\"height\": 0, \"width\": 3}}", "crop_size.height"},
          {"{\"image_std\": [1, 0, 1]}", "image_std"},
          {"{\"image_mean\": [1, 2]}", "image_mean"},
          {"{\"rescale_factor\": \"x\"}", "rescale_factor"},
          {"{\"do_resize\": 1}", "do_resize: expected true or false"},
          {"{\"shortest_edge\": 3}", "unknown setting \"shortest_edge\""},
        }) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class,
              () -> ClipImageProcessor.fromJson(JsonParser.parseString(bad[0]).getAsJsonObject()), bad[0]);
      assertTrue(e.getMessage().contains(bad[1]), bad[0] + " -> " + e.getMessage());
    }
  }

  @Test
  void clearErrorsForBadFiles() throws IOException {
    Path folder = SharedData.require("images/clip/expected.json").getParent();
    Path truncatedJpeg = dir.resolve("truncated.jpg");
    byte[] jpg = Files.readAllBytes(folder.resolve("photo.jpg"));
    Files.write(truncatedJpeg, java.util.Arrays.copyOf(jpg, jpg.length / 2));
    Path truncatedPng = dir.resolve("truncated.png");
    byte[] png = Files.readAllBytes(folder.resolve("odd.png"));
    Files.write(truncatedPng, java.util.Arrays.copyOf(png, png.length - 300));
    Path empty = Files.createFile(dir.resolve("empty.png"));
    Object[][] cases = {
      {dir.resolve("missing.png"), "no such file (expected a PNG, JPEG, BMP or GIF image)"},
      {dir, "is a folder"},
      {empty, "it is empty"},
      {folder.resolve("not-an-image.png"), "not a PNG, JPEG, BMP or GIF image (the file starts with bytes 74 68"},
      {folder.resolve("corrupt.png"), "cannot decode this PNG image"},
      {truncatedPng, "cannot decode this PNG image"},
      {truncatedJpeg, "cannot decode this JPEG image"},
      {truncatedJpeg, "is corrupt or truncated"},
      {folder.resolve("cmyk.jpg"), "(JPEG): colour space CMYK is not supported (expected RGB or gray"},
    };
    for (Object[] c : cases) {
      Path f = (Path) c[0];
      IOException e = assertThrows(IOException.class, () -> ImageFiles.readRgb(f), f.toString());
      assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
      assertTrue(e.getMessage().contains((String) c[1]), f + " -> " + e.getMessage());
      assertTrue(!e.getMessage().contains("Exception"), e.getMessage());
    }
    IOException big =
        assertThrows(IOException.class, () -> ImageFiles.readRgb(folder.resolve("big.png"), 300_000));
    assertTrue(big.getMessage().contains("640x480 = 307200 pixels is more than the limit of 300000"),
        big.getMessage());
  }
}
