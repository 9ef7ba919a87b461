package io.github.transformers4j.models.config;

import com.google.gson.Gson;
import com.google.gson.JsonParseException;
import com.google.gson.ToNumberPolicy;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Reads a Hugging Face {@code config.json} into the plain map the architecture SPI takes (strings,
 * numbers, booleans, null, lists, maps).
 */
public final class HfConfig {
  // Integers stay Long and fractions Double, so 1e-05 and 30522 both survive exactly.
  private static final Gson GSON =
      new Gson().newBuilder().setObjectToNumberStrategy(ToNumberPolicy.LONG_OR_DOUBLE).create();

  private HfConfig() {}

  /**
   * The JSON object in {@code file}.
   *
   * @throws IOException naming the file when it cannot be read
   * @throws IllegalArgumentException naming the file when it is not a JSON object
   */
  public static Map<String, Object> read(Path file) throws IOException {
    if (Files.isDirectory(file)) {
      throw new IOException(file + ": is a folder, expected a JSON file");
    }
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return parse(file.toString(), r);
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new IOException(file + ": not UTF-8 text, not a JSON file", e);
    }
  }

  /** The JSON object in {@code json}. */
  public static Map<String, Object> parse(String json) {
    return parse("config", new StringReader(json));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> parse(String source, Reader r) {
    try {
      Object o = GSON.fromJson(r, Object.class);
      if (!(o instanceof Map)) {
        throw new IllegalArgumentException(source + ": expected a JSON object, got " + o);
      }
      return (Map<String, Object>) o;
    } catch (JsonParseException e) {
      if (e.getCause() instanceof java.nio.charset.CharacterCodingException) {
        throw new IllegalArgumentException(source + ": not UTF-8 text, not a JSON file", e);
      }
      // Gson's message without the Java class names and the troubleshooting link it adds.
      String m = String.valueOf(e.getMessage())
          .replaceAll("\\b(?:[a-z_][\\w$]*\\.)+[A-Z][\\w$]*(?:Exception|Error):\\s*", "");
      int see = m.indexOf("\nSee ");
      m = (see >= 0 ? m.substring(0, see) : m).strip().replaceAll("\\s*\\R\\s*", "; ");
      throw new IllegalArgumentException(
          source + ": malformed JSON: " + (m.length() <= 200 ? m : m.substring(0, 199) + "\u2026"), e);
    }
  }
}
