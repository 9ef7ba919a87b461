package io.github.transformers4j.clip.image;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import io.github.transformers4j.api.io.AtomicFiles;
import io.github.transformers4j.training.data.Pixels;
import io.github.transformers4j.api.io.ParserMessages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * CLIP's image preprocessing, value for value as Hugging Face's {@code CLIPImageProcessorPil}
 * computes it: convert to RGB, resize (the shortest edge to {@code size}, or to an exact height and
 * width) with Pillow's resampling, center crop (zero padding where the picture is smaller), rescale
 * by {@code rescale_factor}, normalize with {@code image_mean} / {@code image_std}; a (C, H, W)
 * float picture per image.
 *
 * <p>The arithmetic follows numpy's: the rescale multiplies in double and rounds to float, the
 * normalization subtracts and divides in float with the mean and std rounded to float first, so
 * the values equal Hugging Face's, not only approximately.
 *
 * @param doResize whether to resize
 * @param size the target of the resize
 * @param resample Pillow's filter for the resize
 * @param doCenterCrop whether to crop the center
 * @param cropHeight rows kept by the crop
 * @param cropWidth columns kept by the crop
 * @param doRescale whether to multiply by {@code rescaleFactor}
 * @param rescaleFactor usually 1/255
 * @param doNormalize whether to subtract the mean and divide by the std
 * @param imageMean per channel (R, G, B)
 * @param imageStd per channel, each positive
 */
public record ClipImageProcessor(
    boolean doResize,
    Size size,
    PillowResize.Filter resample,
    boolean doCenterCrop,
    int cropHeight,
    int cropWidth,
    boolean doRescale,
    double rescaleFactor,
    boolean doNormalize,
    double[] imageMean,
    double[] imageStd) {

  /** The file Hugging Face keeps these settings in. */
  public static final String FILE = "preprocessor_config.json";

  /** OpenAI CLIP's channel means, the default. */
  public static final double[] CLIP_MEAN = {0.48145466, 0.4578275, 0.40821073};

  /** OpenAI CLIP's channel standard deviations, the default. */
  public static final double[] CLIP_STD = {0.26862954, 0.26130258, 0.27577711};

  /**
   * The resize target: the shortest edge (the other keeps the aspect ratio, rounded down as Hugging
   * Face does), or an exact height and width.
   *
   * @param shortestEdge the shortest edge, or 0 when height and width are given
   * @param height exact rows, or 0
   * @param width exact columns, or 0
   */
  public record Size(int shortestEdge, int height, int width) {
    /** Checks that exactly one form is given. */
    public Size {
      boolean edge = shortestEdge > 0 && height == 0 && width == 0;
      boolean exact = shortestEdge == 0 && height > 0 && width > 0;
      if (!edge && !exact) {
        throw new IllegalArgumentException(
            "size: expected a positive shortest_edge, or a positive height and width; got"
                + " shortest_edge "
                + shortestEdge
                + ", height "
                + height
                + ", width "
                + width);
      }
    }

    /** Resize so that the shortest edge is {@code edge}. */
    public static Size shortestEdge(int edge) {
      return new Size(edge, 0, 0);
    }

    /** Resize to exactly {@code height} x {@code width}. */
    public static Size exact(int height, int width) {
      return new Size(0, height, width);
    }

    /**
     * The (height, width) a {@code height}x{@code width} picture is resized to: Hugging Face's
     * {@code get_resize_output_image_size} with {@code default_to_square=False}.
     */
    public int[] outputSize(int height, int width) {
      if (shortestEdge == 0) {
        return new int[] {this.height, this.width};
      }
      int shortSide = Math.min(height, width);
      int longSide = Math.max(height, width);
      // Python's int(size * long / short): a true division in double, truncated.
      int newLong = (int) ((double) ((long) shortestEdge * longSide) / shortSide);
      return width <= height
          ? new int[] {newLong, shortestEdge}
          : new int[] {shortestEdge, newLong};
    }

    JsonObject toJson() {
      JsonObject o = new JsonObject();
      if (shortestEdge > 0) {
        o.addProperty("shortest_edge", shortestEdge);
      } else {
        o.addProperty("height", height);
        o.addProperty("width", width);
      }
      return o;
    }
  }

  /** Validates the settings. */
  public ClipImageProcessor {
    if (size == null || resample == null) {
      throw new IllegalArgumentException("ClipImageProcessor: size and resample are required");
    }
    if (doCenterCrop && (cropHeight <= 0 || cropWidth <= 0)) {
      throw new IllegalArgumentException(
          "crop_size: expected a positive height and width, got " + cropHeight + "x" + cropWidth);
    }
    if (doRescale && !(rescaleFactor > 0 && Double.isFinite(rescaleFactor))) {
      throw new IllegalArgumentException(
          "rescale_factor: expected a positive number, got " + rescaleFactor);
    }
    if (imageMean == null || imageMean.length != 3 || imageStd == null || imageStd.length != 3) {
      throw new IllegalArgumentException("image_mean and image_std: expected 3 values each (R, G, B)");
    }
    for (double s : imageStd) {
      if (doNormalize && !(s > 0 && Double.isFinite(s))) {
        throw new IllegalArgumentException(
            "image_std: expected positive values, got " + Arrays.toString(imageStd));
      }
    }
    imageMean = imageMean.clone();
    imageStd = imageStd.clone();
  }

  /** The settings of OpenAI's CLIP at {@code imageSize} px (224 for ViT-B/32): bicubic, mean/std. */
  public static ClipImageProcessor clip(int imageSize) {
    return new ClipImageProcessor(
        true,
        Size.shortestEdge(imageSize),
        PillowResize.Filter.BICUBIC,
        true,
        imageSize,
        imageSize,
        true,
        1.0 / 255,
        true,
        CLIP_MEAN,
        CLIP_STD);
  }

  @Override
  public double[] imageMean() {
    return imageMean.clone();
  }

  @Override
  public double[] imageStd() {
    return imageStd.clone();
  }

  // ---------------------------------------------------------------- preprocessing

  /**
   * The most pixels a resize may give (Pillow's decompression-bomb limit, as for a decoded file): a
   * picture of an extreme aspect ratio, 1 x 62977 say, resized to a shortest edge of 224 would be
   * 224 x 14 million, gigabytes.
   */
  public static final long MAX_RESIZED_PIXELS = ImageFiles.DEFAULT_MAX_PIXELS;

  /** The (C, H, W) floats of the image file {@code file}. */
  public float[] preprocess(Path file) throws IOException {
    RgbImage image = ImageFiles.readRgb(file);
    try {
      return preprocess(image);
    } catch (IllegalArgumentException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
  }

  /**
   * The image file {@code file} after the resize and the center crop, still 8-bit: {@link
   * #toFloats} of it is {@link #preprocess(Path)}'s result, value for value. A quarter of the
   * floats' memory, for caches.
   */
  public RgbImage preprocessed8bit(Path file) throws IOException {
    RgbImage image = ImageFiles.readRgb(file);
    try {
      return cropped(image);
    } catch (IllegalArgumentException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
  }

  /** The (C, H, W) floats of {@code image}. */
  public float[] preprocess(RgbImage image) {
    return preprocess(image, MAX_RESIZED_PIXELS);
  }

  /**
   * The (C, H, W) floats of {@code image}, refusing a resize to more than {@code maxPixels}.
   *
   * @throws IllegalArgumentException when the resized picture would be larger
   */
  public float[] preprocess(RgbImage image, long maxPixels) {
    return toFloats(cropped(image, maxPixels));
  }

  /** The (height, width) that {@link #preprocess} gives for a picture of this size. */
  public int[] outputSize(int height, int width) {
    if (doCenterCrop) {
      return new int[] {cropHeight, cropWidth};
    }
    return doResize ? size.outputSize(height, width) : new int[] {height, width};
  }

  /** The picture after the resize, still 8-bit (as Pillow returns it). */
  public RgbImage resized(RgbImage image) {
    return resized(image, MAX_RESIZED_PIXELS);
  }

  private RgbImage resized(RgbImage image, long maxPixels) {
    if (!doResize) {
      return image;
    }
    int[] hw = size.outputSize(image.height(), image.width());
    long pixels = (long) hw[0] * hw[1];
    if (pixels > maxPixels) {
      throw new IllegalArgumentException(
          "resizing the " + image.width() + "x" + image.height() + " picture to " + hw[1] + "x"
              + hw[0] + " gives " + pixels + " pixels, more than the limit of " + maxPixels
              + " (an extreme aspect ratio?)");
    }
    return PillowResize.resize(image, hw[1], hw[0], resample);
  }

  /** The picture after the resize and the center crop, still 8-bit. */
  public RgbImage cropped(RgbImage image) {
    return cropped(image, MAX_RESIZED_PIXELS);
  }

  private RgbImage cropped(RgbImage image, long maxPixels) {
    RgbImage r = resized(image, maxPixels);
    return doCenterCrop ? centerCrop(r, cropHeight, cropWidth) : r;
  }

  /**
   * The {@code height}x{@code width} center of {@code image} as Hugging Face crops it: the offset
   * is {@code floor((in - out) / 2)}; where the picture is smaller it is first padded with zeros,
   * {@code ceil((out - in) / 2)} of them before it.
   */
  public static RgbImage centerCrop(RgbImage image, int height, int width) {
    int top = offset(image.height(), height);
    int left = offset(image.width(), width);
    byte[] out = new byte[height * width * 3];
    for (int y = 0; y < height; y++) {
      int sy = y + top;
      if (sy < 0 || sy >= image.height()) {
        continue;
      }
      for (int x = 0; x < width; x++) {
        int sx = x + left;
        if (sx >= 0 && sx < image.width()) {
          System.arraycopy(image.pixels(), (sy * image.width() + sx) * 3, out, (y * width + x) * 3, 3);
        }
      }
    }
    return new RgbImage(width, height, out);
  }

  private static int offset(int in, int out) {
    return in >= out ? Math.floorDiv(in - out, 2) : -((out - in + 1) / 2);
  }

  /** The (C, H, W) model input of an 8-bit picture already resized and cropped: rescaled, normalized. */
  public float[] toFloats(RgbImage image) {
    int h = image.height();
    int w = image.width();
    float[] out = new float[3 * h * w];
    byte[] px = image.pixels();
    for (int c = 0; c < 3; c++) {
      float mean = (float) imageMean[c];
      float std = (float) imageStd[c];
      int base = c * h * w;
      for (int i = 0; i < h * w; i++) {
        int u = px[i * 3 + c] & 0xFF;
        // numpy: uint8 -> float64, times the factor, -> float32; then float32 (x - mean) / std.
        float v = doRescale ? (float) (u * rescaleFactor) : (float) u;
        out[base + i] = doNormalize ? (v - mean) / std : v;
      }
    }
    return out;
  }

  /**
   * The images of {@code files} as one batch (B, 3, H, W). All must come out the same size, which
   * the center crop (or an exact resize) guarantees.
   */
  public Pixels batch(List<Path> files) throws IOException {
    if (files.isEmpty()) {
      throw new IllegalArgumentException("batch: no image files");
    }
    float[] data = null;
    int h = 0;
    int w = 0;
    for (int b = 0; b < files.size(); b++) {
      RgbImage c;
      try {
        c = cropped(ImageFiles.readRgb(files.get(b)));
      } catch (IllegalArgumentException e) {
        throw new IOException(files.get(b) + ": " + e.getMessage(), e);
      }
      if (b == 0) {
        h = c.height();
        w = c.width();
        data = new float[files.size() * 3 * h * w];
      } else if (c.height() != h || c.width() != w) {
        throw new IOException(
            files.get(b) + ": preprocessed to " + c.width() + "x" + c.height() + " but "
                + files.get(0) + " to " + w + "x" + h + " (without a center crop or an exact"
                + " size, images of one batch must have the same size)");
      }
      System.arraycopy(toFloats(c), 0, data, b * 3 * h * w, 3 * h * w);
    }
    return new Pixels(files.size(), 3, h, w, data);
  }

  // ---------------------------------------------------------------- preprocessor_config.json

  /** Keys that do not change the pixels and are accepted as they are. */
  private static final Set<String> INERT =
      Set.of(
          "image_processor_type",
          "feature_extractor_type",
          "processor_class",
          "do_convert_rgb",
          "input_data_format",
          "data_format",
          "default_to_square",
          "return_tensors",
          "device",
          "disable_grouping",
          "do_pad",
          "pad_size",
          "_processor_class");

  private static final Set<String> KNOWN =
      Set.of(
          "do_resize",
          "size",
          "resample",
          "do_center_crop",
          "crop_size",
          "do_rescale",
          "rescale_factor",
          "do_normalize",
          "image_mean",
          "image_std");

  /**
   * A value or key from the file as a message shows it: cut to 60 characters with an ellipsis (a
   * file may hold anything, of any length, where a number was expected).
   */
  private static String show(Object jsonOrKey) {
    String t =
        jsonOrKey instanceof String k ? new com.google.gson.JsonPrimitive(k).toString() : String.valueOf(jsonOrKey);
    return t.length() <= 60 ? t : t.substring(0, 59) + "\u2026";
  }

  /** Reads {@code folder/preprocessor_config.json}. */
  public static ClipImageProcessor load(Path folder) throws IOException {
    Path file = Files.isDirectory(folder) ? folder.resolve(FILE) : folder;
    if (!Files.isRegularFile(file)) {
      throw new IOException(file + ": no such file (expected a Hugging Face " + FILE + ")");
    }
    JsonElement e;
    try {
      e = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8));
    } catch (JsonParseException bad) {
      throw new IOException(file + ": not valid JSON (" + ParserMessages.problem(bad, 150) + ")", bad);
    } catch (java.nio.charset.CharacterCodingException bad) {
      throw new IOException(file + ": not UTF-8 text (expected JSON)", bad);
    }
    if (!e.isJsonObject()) {
      throw new IOException(file + ": expected a JSON object");
    }
    try {
      return fromJson(e.getAsJsonObject());
    } catch (IllegalArgumentException bad) {
      throw new IOException(file + ": " + bad.getMessage(), bad);
    }
  }

  /**
   * The processor of a {@code preprocessor_config.json} object: CLIP's defaults for what is absent
   * ({@code size} as an int is the shortest edge, {@code crop_size} as an int a square). Settings
   * this class does not reproduce ({@code do_convert_rgb} false, {@code do_pad} true, {@code size}
   * with {@code longest_edge}, unknown keys) are refused with their name.
   */
  public static ClipImageProcessor fromJson(JsonObject o) {
    for (String key : o.keySet()) {
      if (!KNOWN.contains(key) && !INERT.contains(key)) {
        throw new IllegalArgumentException(
            "unknown setting " + show(key) + " (known: " + String.join(", ", sorted(KNOWN)) + ")");
      }
    }
    if (o.has("do_convert_rgb") && !o.get("do_convert_rgb").isJsonNull() && !bool(o, "do_convert_rgb", true)) {
      throw new IllegalArgumentException(
          "do_convert_rgb false is not supported (images are always converted to RGB)");
    }
    if (o.has("do_pad") && !o.get("do_pad").isJsonNull() && bool(o, "do_pad", false)) {
      throw new IllegalArgumentException("do_pad true is not supported");
    }
    ClipImageProcessor d = clip(224);
    Size size = d.size();
    if (o.has("size") && !o.get("size").isJsonNull()) {
      size = size(o.get("size"));
    }
    int cropH = d.cropHeight();
    int cropW = d.cropWidth();
    if (o.has("crop_size") && !o.get("crop_size").isJsonNull()) {
      JsonElement c = o.get("crop_size");
      if (c.isJsonPrimitive()) {
        cropH = cropW = positive(c, "crop_size");
      } else if (c.isJsonObject()) {
        JsonObject co = c.getAsJsonObject();
        for (String k : co.keySet()) {
          if (!k.equals("height") && !k.equals("width")) {
            throw new IllegalArgumentException(
                "crop_size: unknown key " + show(k) + " (expected height and width)");
          }
        }
        if (!co.has("height") || !co.has("width")) {
          throw new IllegalArgumentException("crop_size: expected height and width, got " + show(co));
        }
        cropH = positive(co.get("height"), "crop_size.height");
        cropW = positive(co.get("width"), "crop_size.width");
      } else {
        throw new IllegalArgumentException("crop_size: expected an object or an int, got " + show(c));
      }
    }
    PillowResize.Filter resample = d.resample();
    if (o.has("resample") && !o.get("resample").isJsonNull()) {
      resample = PillowResize.Filter.ofPillowId(positiveOrZero(o.get("resample"), "resample"));
    }
    return new ClipImageProcessor(
        bool(o, "do_resize", true),
        size,
        resample,
        bool(o, "do_center_crop", true),
        cropH,
        cropW,
        bool(o, "do_rescale", true),
        number(o, "rescale_factor", 1.0 / 255),
        bool(o, "do_normalize", true),
        triple(o, "image_mean", CLIP_MEAN),
        triple(o, "image_std", CLIP_STD));
  }

  private static List<String> sorted(Set<String> s) {
    return s.stream().sorted().toList();
  }

  private static Size size(JsonElement s) {
    if (s.isJsonPrimitive()) {
      return Size.shortestEdge(positive(s, "size"));
    }
    if (!s.isJsonObject()) {
      throw new IllegalArgumentException("size: expected an object or an int, got " + show(s));
    }
    JsonObject so = s.getAsJsonObject();
    Map<String, JsonElement> m = so.asMap();
    if (m.keySet().equals(Set.of("shortest_edge"))) {
      return Size.shortestEdge(positive(so.get("shortest_edge"), "size.shortest_edge"));
    }
    if (m.keySet().equals(Set.of("height", "width"))) {
      return Size.exact(positive(so.get("height"), "size.height"), positive(so.get("width"), "size.width"));
    }
    throw new IllegalArgumentException(
        "size " + show(so) + " is not supported (expected {\"shortest_edge\": N} or {\"height\": H,"
            + " \"width\": W})");
  }

  private static int positive(JsonElement e, String key) {
    int v = positiveOrZero(e, key);
    if (v == 0) {
      throw new IllegalArgumentException(key + ": expected a positive integer, got 0");
    }
    return v;
  }

  private static int positiveOrZero(JsonElement e, String key) {
    if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
      double d = e.getAsDouble();
      if (d >= 0 && d <= 1 << 20 && d == Math.rint(d)) {
        return (int) d;
      }
    }
    throw new IllegalArgumentException(key + ": expected a non-negative integer, got " + show(e));
  }

  private static boolean bool(JsonObject o, String key, boolean dflt) {
    JsonElement e = o.get(key);
    if (e == null || e.isJsonNull()) {
      return dflt;
    }
    if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isBoolean()) {
      return e.getAsBoolean();
    }
    throw new IllegalArgumentException(key + ": expected true or false, got " + show(e));
  }

  private static double number(JsonObject o, String key, double dflt) {
    JsonElement e = o.get(key);
    if (e == null || e.isJsonNull()) {
      return dflt;
    }
    if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
      return e.getAsDouble();
    }
    throw new IllegalArgumentException(key + ": expected a number, got " + show(e));
  }

  private static double[] triple(JsonObject o, String key, double[] dflt) {
    JsonElement e = o.get(key);
    if (e == null || e.isJsonNull()) {
      return dflt;
    }
    if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
      double v = e.getAsDouble();
      return new double[] {v, v, v};
    }
    if (e.isJsonArray() && e.getAsJsonArray().size() == 3) {
      double[] v = new double[3];
      for (int i = 0; i < 3; i++) {
        JsonElement x = e.getAsJsonArray().get(i);
        if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isNumber()) {
          throw new IllegalArgumentException(key + ": expected 3 numbers, got " + show(e));
        }
        v[i] = x.getAsDouble();
      }
      return v;
    }
    throw new IllegalArgumentException(key + ": expected 3 numbers (R, G, B), got " + show(e));
  }

  /** These settings as Hugging Face writes a {@code CLIPImageProcessor}'s JSON. */
  public JsonObject toJson() {
    JsonObject o = new JsonObject();
    if (cropHeight > 0 && cropWidth > 0) {
      JsonObject crop = new JsonObject();
      crop.addProperty("height", cropHeight);
      crop.addProperty("width", cropWidth);
      o.add("crop_size", crop);
    }
    o.addProperty("do_center_crop", doCenterCrop);
    o.addProperty("do_convert_rgb", true);
    o.addProperty("do_normalize", doNormalize);
    o.addProperty("do_rescale", doRescale);
    o.addProperty("do_resize", doResize);
    o.add("image_mean", array(imageMean));
    o.addProperty("image_processor_type", "CLIPImageProcessor");
    o.add("image_std", array(imageStd));
    o.addProperty("resample", resample.pillowId);
    o.addProperty("rescale_factor", rescaleFactor);
    o.add("size", size.toJson());
    return o;
  }

  private static JsonArray array(double[] v) {
    JsonArray a = new JsonArray();
    for (double x : v) {
      a.add(new JsonPrimitive(x));
    }
    return a;
  }

  /** Writes {@code folder/preprocessor_config.json} atomically (a temporary file moved in place). */
  public void save(Path folder) throws IOException {
    Files.createDirectories(folder);
    String json = new GsonBuilder().setPrettyPrinting().create().toJson(toJson()) + "\n";
    AtomicFiles.write(folder.resolve(FILE), json.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ClipImageProcessor p
        && p.doResize == doResize
        && p.size.equals(size)
        && p.resample == resample
        && p.doCenterCrop == doCenterCrop
        && p.cropHeight == cropHeight
        && p.cropWidth == cropWidth
        && p.doRescale == doRescale
        && Double.compare(p.rescaleFactor, rescaleFactor) == 0
        && p.doNormalize == doNormalize
        && Arrays.equals(p.imageMean, imageMean)
        && Arrays.equals(p.imageStd, imageStd);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(doResize, size, resample, doCenterCrop, cropHeight, cropWidth,
        doRescale, rescaleFactor, doNormalize, Arrays.hashCode(imageMean), Arrays.hashCode(imageStd));
  }

  @Override
  public String toString() {
    return "ClipImageProcessor" + toJson();
  }
}
