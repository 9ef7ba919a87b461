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
 * (nanoGPT's {@code shakespeare_char}), after special tokens: the full set {@code [PAD] [BOS] [EOS]
 * [MASK] [UNK]} (seq2seq, BERT) or {@code [UNK]} alone (causal LM).
 *
 * <p>Unknown characters, one rule for every model kind: a character the corpus did not have is
 * read as {@code [UNK]}; {@link #unknownIn} lists such characters so that a command can say so.
 * Vocabularies saved before causal LMs had {@code [UNK]} ({@code "specials": []}) still load; they
 * have no id for an unknown character, so encoding one is an error that names it.
 */
public final class CharTokenizer implements TextTokenizer {
  private static final List<String> SPECIAL_NAMES =
      List.of("[PAD]", "[BOS]", "[EOS]", "[MASK]", "[UNK]");

  /** The specials of a causal LM's vocabulary: only the unknown token. */
  public static final List<String> UNKNOWN_ONLY = List.of("[UNK]");

  private final List<String> specialNames;
  private final int[] codePoints;
  private final Map<Integer, Integer> ids = new HashMap<>();
  private final int unk;

  private CharTokenizer(int[] codePoints, List<String> specialNames) {
    this.codePoints = codePoints;
    this.specialNames = List.copyOf(specialNames);
    int base = specialNames.size();
    for (int i = 0; i < codePoints.length; i++) {
      ids.put(codePoints[i], base + i);
    }
    this.unk = specialNames.indexOf("[UNK]");
  }

  /**
   * The tokenizer of the distinct characters of {@code corpus}, with the five specials or none
   * (none: unknown characters are an error).
   */
  public static CharTokenizer fit(String corpus, boolean withSpecials) {
    return fit(corpus, withSpecials ? SPECIAL_NAMES : List.of());
  }

  /**
   * The tokenizer of the distinct characters of {@code corpus} after {@code specials} (the five
   * names above, {@link #UNKNOWN_ONLY}, or none).
   */
  public static CharTokenizer fit(String corpus, List<String> specials) {
    for (String n : specials) {
      if (!SPECIAL_NAMES.contains(n)) {
        throw new IllegalArgumentException(
            "char tokenizer: unknown special token '" + n + "'; known: " + SPECIAL_NAMES);
      }
    }
    TreeSet<Integer> set = new TreeSet<>();
    corpus.codePoints().forEach(set::add);
    return new CharTokenizer(set.stream().mapToInt(Integer::intValue).toArray(), specials);
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
              if (unk >= 0) {
                return unk;
              }
              throw new IllegalArgumentException(
                  "character "
                      + show(cp)
                      + " is not in the model's vocabulary, and the vocabulary has no unknown"
                      + " token (it was saved by an older version: retrain the model to read"
                      + " unseen characters as [UNK], or remove the character from the input)");
            })
        .toArray();
  }

  /** The distinct characters of {@code text} that this vocabulary does not have, in order. */
  public List<String> unknownIn(String text) {
    java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
    text.codePoints().filter(cp -> !ids.containsKey(cp)).forEach(cp -> out.add(show(cp)));
    return List.copyOf(out);
  }

  /** Whether unknown characters map to {@code [UNK]} (false: they are an error). */
  public boolean hasUnknown() {
    return unk >= 0;
  }

  /** {@code 'x' (U+78)}. */
  static String show(int cp) {
    String hex = Integer.toHexString(cp).toUpperCase(java.util.Locale.ROOT);
    return Character.isISOControl(cp) || Character.isWhitespace(cp)
        ? "U+" + hex
        : "'" + new String(Character.toChars(cp)) + "' (U+" + hex + ")";
  }

  /** The characters of the vocabulary, in id order. */
  public List<String> characters() {
    List<String> out = new ArrayList<>(codePoints.length);
    for (int cp : codePoints) {
      out.add(new String(Character.toChars(cp)));
    }
    return out;
  }

  @Override
  public String decode(int[] ids) {
    StringBuilder sb = new StringBuilder();
    int base = specialNames.size();
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
    return codePoints.length + specialNames.size();
  }

  @Override
  public SpecialTokens specials() {
    return new SpecialTokens(
        specialNames.indexOf("[PAD]"),
        specialNames.indexOf("[BOS]"),
        specialNames.indexOf("[EOS]"),
        specialNames.indexOf("[MASK]"),
        unk);
  }

  /** Writes the vocabulary as JSON ({@code {"type":"char","specials":[...],"chars":[...]}}). */
  public void save(Path file) throws IOException {
    JsonObject o = new JsonObject();
    o.addProperty("type", "char");
    JsonArray sp = new JsonArray();
    specialNames.forEach(sp::add);
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
    if (!Files.isRegularFile(file)) {
      throw new IOException(file + ": no such file (a char vocabulary was expected there)");
    }
    JsonObject o;
    try {
      o = new Gson().fromJson(Files.readString(file), JsonObject.class);
    } catch (RuntimeException | IOException e) {
      throw new IOException(file + ": not a JSON char vocabulary (" + e.getMessage() + ")", e);
    }
    if (o == null
        || !o.has("type")
        || !"char".equals(o.get("type").getAsString())
        || !o.has("chars")
        || !o.has("specials")) {
      throw new IOException(
          file + ": expected a char vocabulary {\"type\":\"char\", \"specials\": [...],"
              + " \"chars\": [...]}");
    }
    List<Integer> cps = new ArrayList<>();
    o.getAsJsonArray("chars").forEach(e -> cps.add(e.getAsString().codePointAt(0)));
    List<String> specials = new ArrayList<>();
    o.getAsJsonArray("specials").forEach(e -> specials.add(e.getAsString()));
    if (!specials.isEmpty() && !SPECIAL_NAMES.containsAll(specials)) {
      throw new IOException(file + ": unknown special tokens " + specials + "; known: "
          + SPECIAL_NAMES);
    }
    return new CharTokenizer(cps.stream().mapToInt(Integer::intValue).toArray(), specials);
  }
}
