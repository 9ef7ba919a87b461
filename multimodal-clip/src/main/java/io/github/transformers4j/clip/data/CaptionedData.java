package io.github.transformers4j.clip.data;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Captioned image datasets read from a list file whose image paths are relative to the file:
 *
 * <ul>
 *   <li>OpenCLIP's CSV ({@code .csv}, {@code .tsv}, {@code .txt}): one {@code
 *       filepath<TAB>caption} row per line. The header is optional: a first line whose fields are
 *       column names (an image column of {@link #IMAGE_KEYS} and a caption column of {@link
 *       #CAPTION_KEYS}, in any order, other columns ignored) is a header; otherwise the first field
 *       is the image and the second the caption;
 *   <li>JSON lines ({@code .jsonl}): one object per line with an image key of {@link #IMAGE_KEYS}
 *       and a caption key of {@link #CAPTION_KEYS} ({@code {"image": "a.png", "caption": "a red
 *       circle"}}, or Hugging Face imagefolder's {@code {"file_name": ..., "text": ...}}).
 * </ul>
 *
 * Blank lines are skipped. A malformed row fails naming {@code file:line}.
 */
public final class CaptionedData {
  private CaptionedData() {}

  /** Column or key names of the image path, in the order they are looked for. */
  public static final List<String> IMAGE_KEYS = List.of("filepath", "image", "file_name", "path");

  /** Column or key names of the caption, in the order they are looked for. */
  public static final List<String> CAPTION_KEYS = List.of("caption", "title", "text");

  /**
   * One image and its caption.
   *
   * @param image the image file (resolved against the list file's folder)
   * @param caption the caption
   * @param row where it was read, {@code file:line}, for error messages
   */
  public record Captioned(Path image, String caption, String row) {}

  /**
   * The list file of split {@code split} ({@code train} or {@code test}) in {@code data}: {@code
   * data} itself when it is a file, else {@code data/split.csv}, {@code .tsv} or {@code .jsonl}.
   *
   * @throws IllegalArgumentException naming the option and the files looked for
   */
  public static Path splitFile(Path data, String split, String option) {
    if (Files.isRegularFile(data)) {
      return data;
    }
    if (!Files.isDirectory(data)) {
      throw new IllegalArgumentException(option + " " + data + " does not exist");
    }
    for (String ext : List.of(".csv", ".tsv", ".jsonl")) {
      Path p = data.resolve(split + ext);
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    throw new IllegalArgumentException(
        option
            + " "
            + data
            + " has no "
            + split
            + ".csv, "
            + split
            + ".tsv or "
            + split
            + ".jsonl (a captioned dataset: t4j clip synth writes one)");
  }

  /**
   * The rows of {@code file}, by its extension (JSON lines for {@code .jsonl}, OpenCLIP CSV
   * otherwise).
   *
   * @throws IllegalArgumentException naming {@code file:line} for a malformed row, or the file when
   *     it holds no rows
   */
  public static List<Captioned> read(Path file) throws IOException {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    Path base = file.toAbsolutePath().getParent();
    List<Captioned> rows =
        name.endsWith(".jsonl") ? jsonl(file, base, lines) : csv(file, base, lines);
    if (rows.isEmpty()) {
      throw new IllegalArgumentException(
          file
              + ": no captioned images; expected lines of filepath<TAB>caption (or .jsonl objects"
              + " with \"image\" and \"caption\")");
    }
    return rows;
  }

  private static List<Captioned> csv(Path file, Path base, List<String> lines) {
    List<Captioned> out = new ArrayList<>();
    int imageCol = 0;
    int captionCol = 1;
    int width = 2;
    for (int i = 0; i < lines.size(); i++) {
      String line = stripBom(lines.get(i), i);
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.split("\t", -1);
      String where = file.getFileName() + ":" + (i + 1);
      if (out.isEmpty() && i == firstNonBlank(lines) && isHeader(f)) {
        imageCol = column(f, IMAGE_KEYS);
        captionCol = column(f, CAPTION_KEYS);
        width = Math.max(imageCol, captionCol) + 1;
        continue;
      }
      if (f.length < width) {
        throw new IllegalArgumentException(
            where
                + ": expected filepath<TAB>caption, found "
                + (f.length == 1 ? "no tab" : f.length + " fields")
                + ": '"
                + abbreviate(line)
                + "'");
      }
      out.add(row(base, f[imageCol], f[captionCol], file, i));
    }
    return out;
  }

  private static int firstNonBlank(List<String> lines) {
    for (int i = 0; i < lines.size(); i++) {
      if (!lines.get(i).isBlank()) {
        return i;
      }
    }
    return -1;
  }

  private static boolean isHeader(String[] f) {
    return column(f, IMAGE_KEYS) >= 0 && column(f, CAPTION_KEYS) >= 0;
  }

  private static int column(String[] f, List<String> keys) {
    for (String k : keys) {
      for (int j = 0; j < f.length; j++) {
        if (f[j].trim().equalsIgnoreCase(k)) {
          return j;
        }
      }
    }
    return -1;
  }

  private static List<Captioned> jsonl(Path file, Path base, List<String> lines) {
    List<Captioned> out = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = stripBom(lines.get(i), i);
      if (line.isBlank()) {
        continue;
      }
      String where = file.getFileName() + ":" + (i + 1);
      JsonObject o;
      try {
        JsonElement e = JsonParser.parseString(line);
        if (!e.isJsonObject()) {
          throw new IllegalArgumentException(where + ": expected a JSON object, found " + abbreviate(line));
        }
        o = e.getAsJsonObject();
      } catch (JsonParseException e) {
        throw new IllegalArgumentException(where + ": not valid JSON: '" + abbreviate(line) + "'", e);
      }
      String image = string(o, IMAGE_KEYS, where, "image");
      String caption = string(o, CAPTION_KEYS, where, "caption");
      out.add(row(base, image, caption, file, i));
    }
    return out;
  }

  private static String string(JsonObject o, List<String> keys, String where, String what) {
    for (String k : keys) {
      if (o.has(k)) {
        JsonElement v = o.get(k);
        if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString()) {
          throw new IllegalArgumentException(where + ": \"" + k + "\" must be a string, found " + v);
        }
        return v.getAsString();
      }
    }
    throw new IllegalArgumentException(
        where + ": no " + what + " key (one of " + String.join(", ", keys) + "); keys are " + o.keySet());
  }

  private static Captioned row(Path base, String image, String caption, Path file, int i) {
    String where = file.getFileName() + ":" + (i + 1);
    if (image.isBlank()) {
      throw new IllegalArgumentException(where + ": the image path is empty");
    }
    if (caption.isBlank()) {
      throw new IllegalArgumentException(where + ": the caption of " + image + " is empty");
    }
    return new Captioned(base.resolve(image.trim()).normalize(), caption.trim(), where);
  }

  private static String stripBom(String line, int i) {
    return i == 0 && line.startsWith("\uFEFF") ? line.substring(1) : line;
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }
}
