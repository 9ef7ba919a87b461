package io.github.transformers4j.training.data;

import io.github.transformers4j.api.io.AtomicFiles;
import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A character-level tokenizer: one id per distinct code point of a corpus, in code point order
 * (nanoGPT's {@code shakespeare_char}), after optional special tokens {@code [PAD] [BOS] [EOS]
 * [MASK] [UNK]}. Characters not seen in the corpus map to {@code [UNK]} when there is one.
 */
public final class CharTokenizer implements TextTokenizer {
  private static final List<String> SPECIAL_NAMES =
      List.of("[PAD]", "[BOS]", "[EOS]", "[MASK]", "[UNK]");

  private final boolean withSpecials;
  private final int[] codePoints;
  private final Map<Integer, Integer> ids = new HashMap<>();

  private CharTokenizer(int[] codePoints, boolean withSpecials) {
    this.codePoints = codePoints;
    this.withSpecials = withSpecials;
    int base = withSpecials ? SPECIAL_NAMES.size() : 0;
    for (int i = 0; i < codePoints.length; i++) {
      ids.put(codePoints[i], base + i);
    }
  }

  /** The tokenizer of the distinct characters of {@code corpus}, with or without specials. */
  public static CharTokenizer fit(String corpus, boolean withSpecials) {
    TreeSet<Integer> set = new TreeSet<>();
    corpus.codePoints().forEach(set::add);
    return new CharTokenizer(set.stream().mapToInt(Integer::intValue).toArray(), withSpecials);
  }

  @Override
  public int[] encode(String text) {
    return text.codePoints()
        .map(
            cp -> {
              Integer id = ids.get(cp);
              if (id != null) {
                return id;
              }
              if (withSpecials) {
                return 4;
              }
              throw new IllegalArgumentException(
                  "char tokenizer: character '"
                      + new String(Character.toChars(cp))
                      + "' (U+"
                      + Integer.toHexString(cp).toUpperCase()
                      + ") is not in the vocabulary");
            })
        .toArray();
  }

  @Override
  public String decode(int[] ids) {
    StringBuilder sb = new StringBuilder();
    int base = withSpecials ? SPECIAL_NAMES.size() : 0;
    for (int id : ids) {
      int i = id - base;
      if (i >= 0 && i < codePoints.length) {
        sb.appendCodePoint(codePoints[i]);
      }
    }
    return sb.toString();
  }

  @Override
  public int vocabSize() {
    return codePoints.length + (withSpecials ? SPECIAL_NAMES.size() : 0);
  }

  @Override
  public SpecialTokens specials() {
    return withSpecials ? new SpecialTokens(0, 1, 2, 3, 4) : SpecialTokens.NONE;
  }

  /** Writes the vocabulary as JSON ({@code {"type":"char","specials":[...],"chars":[...]}}). */
  public void save(Path file) throws IOException {
    JsonObject o = new JsonObject();
    o.addProperty("type", "char");
    JsonArray sp = new JsonArray();
    if (withSpecials) {
      SPECIAL_NAMES.forEach(sp::add);
    }
    o.add("specials", sp);
    JsonArray chars = new JsonArray();
    for (int cp : codePoints) {
      chars.add(new String(Character.toChars(cp)));
    }
    o.add("chars", chars);
    AtomicFiles.write(file, new Gson().toJson(o).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Reads a vocabulary written by {@link #save}.
   *
   * @throws IOException naming the file when it is not such a vocabulary
   */
  public static CharTokenizer load(Path file) throws IOException {
    JsonObject o;
    try {
      o = new Gson().fromJson(Files.readString(file), JsonObject.class);
    } catch (RuntimeException e) {
      throw new IOException(file + ": not a JSON char vocabulary: " + e.getMessage(), e);
    }
    if (o == null || !"char".equals(o.has("type") ? o.get("type").getAsString() : null)) {
      throw new IOException(file + ": expected {\"type\":\"char\", ...}");
    }
    List<Integer> cps = new ArrayList<>();
    o.getAsJsonArray("chars").forEach(e -> cps.add(e.getAsString().codePointAt(0)));
    boolean specials = o.getAsJsonArray("specials").size() > 0;
    return new CharTokenizer(cps.stream().mapToInt(Integer::intValue).toArray(), specials);
  }
}
