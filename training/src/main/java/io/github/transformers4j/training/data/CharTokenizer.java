package io.github.transformers4j.training.data;

import io.github.transformers4j.api.io.AtomicFiles;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
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
 *
 * <p>Thread safety: immutable once built (its word cache is concurrent); one instance may be shared
 * by any number of threads.
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

  /**
   * The regex of the pre-tokenizer that splits text into single characters, as written into a
   * Hugging Face {@code tokenizer.json} ({@code Split}, behaviour {@code Isolated}): every code
   * point, line breaks included (Hugging Face's Oniguruma has no {@code (?s)}, so not {@code .}).
   */
  public static final String CHAR_SPLIT = "[\\s\\S]";

  /**
   * Writes the vocabulary as a Hugging Face {@code tokenizer.json} that the {@code tokenizers}
   * library reads and that gives the same ids: a {@code WordLevel} model (specials first, then the
   * characters), a {@code Split} pre-tokenizer on {@link #CHAR_SPLIT} that isolates each
   * character, {@code [UNK]} as the unknown token, the specials as special added tokens, and a
   * {@code Fuse} decoder so that decoding concatenates the characters (without a decoder Hugging
   * Face joins tokens with spaces). No normalizer and no post-processor: the recipes add their
   * special tokens themselves.
   */
  public void save(Path file) throws IOException {
    JsonObject o = new JsonObject();
    o.addProperty("version", "1.0");
    o.add("truncation", com.google.gson.JsonNull.INSTANCE);
    o.add("padding", com.google.gson.JsonNull.INSTANCE);
    JsonArray added = new JsonArray();
    for (int i = 0; i < specialNames.size(); i++) {
      JsonObject t = new JsonObject();
      t.addProperty("id", i);
      t.addProperty("content", specialNames.get(i));
      t.addProperty("single_word", false);
      t.addProperty("lstrip", false);
      t.addProperty("rstrip", false);
      t.addProperty("normalized", false);
      t.addProperty("special", true);
      added.add(t);
    }
    o.add("added_tokens", added);
    o.add("normalizer", com.google.gson.JsonNull.INSTANCE);
    JsonObject split = new JsonObject();
    split.addProperty("type", "Split");
    JsonObject pattern = new JsonObject();
    pattern.addProperty("Regex", CHAR_SPLIT);
    split.add("pattern", pattern);
    split.addProperty("behavior", "Isolated");
    split.addProperty("invert", false);
    o.add("pre_tokenizer", split);
    o.add("post_processor", com.google.gson.JsonNull.INSTANCE);
    JsonObject decoder = new JsonObject();
    decoder.addProperty("type", "Fuse");
    o.add("decoder", decoder);
    JsonObject model = new JsonObject();
    model.addProperty("type", "WordLevel");
    JsonObject vocab = new JsonObject();
    for (int i = 0; i < specialNames.size(); i++) {
      vocab.addProperty(specialNames.get(i), i);
    }
    for (int i = 0; i < codePoints.length; i++) {
      vocab.addProperty(new String(Character.toChars(codePoints[i])), specialNames.size() + i);
    }
    model.add("vocab", vocab);
    model.addProperty("unk_token", "[UNK]");
    o.add("model", model);
    AtomicFiles.write(
        file,
        new GsonBuilder()
            .setPrettyPrinting()
            .serializeNulls()
            .disableHtmlEscaping()
            .create()
            .toJson(o)
            .getBytes(StandardCharsets.UTF_8));
  }

  /** The special token names of this vocabulary, in id order (ids 0..k-1). */
  public List<String> specialNames() {
    return specialNames;
  }

  /**
   * Whether {@code file} is a char vocabulary {@link #load} reads: the Hugging Face form {@link
   * #save} writes, or the form of t4j before it ({@code {"type":"char", ...}}).
   */
  public static boolean isCharVocabulary(Path file) throws IOException {
    if (!Files.isRegularFile(file) || Files.size(file) > 16 << 20) {
      return false;
    }
    JsonObject o;
    try {
      o = new Gson().fromJson(Files.readString(file), JsonObject.class);
    } catch (RuntimeException | IOException e) {
      return false;
    }
    return o != null && (isOldForm(o) || isHfForm(o));
  }

  private static boolean isOldForm(JsonObject o) {
    return o.has("type")
        && o.get("type").isJsonPrimitive()
        && "char".equals(o.get("type").getAsString());
  }

  private static boolean isHfForm(JsonObject o) {
    if (!(o.get("model") instanceof JsonObject m)
        || !(o.get("pre_tokenizer") instanceof JsonObject pre)) {
      return false;
    }
    return m.has("type")
        && "WordLevel".equals(m.get("type").getAsString())
        && pre.has("type")
        && "Split".equals(pre.get("type").getAsString())
        && pre.get("pattern") instanceof JsonObject p
        && p.has("Regex")
        && CHAR_SPLIT.equals(p.get("Regex").getAsString())
        && (!o.has("normalizer") || o.get("normalizer").isJsonNull())
        && (!o.has("post_processor") || o.get("post_processor").isJsonNull());
  }

  /**
   * Reads a vocabulary written by {@link #save}, or by t4j before Hugging Face's form ({@code
   * {"type":"char","specials":[...],"chars":[...]}}), with the same ids.
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
    if (o != null && isHfForm(o)) {
      return loadHf(file, o);
    }
    if (o == null || !isOldForm(o) || !o.has("chars") || !o.has("specials")) {
      throw new IOException(
          file
              + ": expected a char vocabulary (a tokenizer.json with a WordLevel model and a"
              + " Split pre-tokenizer on "
              + CHAR_SPLIT
              + ", as t4j train writes, or t4j's older {\"type\":\"char\", \"specials\": [...],"
              + " \"chars\": [...]})");
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

  /** The Hugging Face form: specials (by name) at ids 0..k-1, then one character per id. */
  private static CharTokenizer loadHf(Path file, JsonObject o) throws IOException {
    JsonObject vocab = o.getAsJsonObject("model").getAsJsonObject("vocab");
    String[] byId = new String[vocab.size()];
    for (Map.Entry<String, com.google.gson.JsonElement> e : vocab.entrySet()) {
      int id = e.getValue().getAsInt();
      if (id < 0 || id >= byId.length || byId[id] != null) {
        throw new IOException(
            file
                + ": model.vocab: id "
                + id
                + " of '"
                + e.getKey()
                + "' is "
                + (id < 0 || id >= byId.length ? "outside 0.." + (byId.length - 1) : "taken twice")
                + " (a char vocabulary numbers its tokens 0..n-1)");
      }
      byId[id] = e.getKey();
    }
    List<String> specials = new ArrayList<>();
    int k = 0;
    while (k < byId.length && SPECIAL_NAMES.contains(byId[k])) {
      specials.add(byId[k++]);
    }
    int[] cps = new int[byId.length - k];
    for (int i = k; i < byId.length; i++) {
      String t = byId[i];
      if (t.isEmpty() || t.codePointCount(0, t.length()) != 1) {
        throw new IOException(
            file
                + ": model.vocab: token '"
                + t
                + "' (id "
                + i
                + ") is not a single character; a char vocabulary has the specials "
                + SPECIAL_NAMES
                + " first, then one character per id");
      }
      cps[i - k] = t.codePointAt(0);
    }
    return new CharTokenizer(cps, specials);
  }
}
