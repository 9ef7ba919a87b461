package io.github.transformers4j.tokenizers.formats;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.github.transformers4j.tokenizers.AddedToken;
import io.github.transformers4j.tokenizers.Tokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The tokenizer of a model folder, chosen from its files as Hugging Face's {@code AutoTokenizer}
 * would: {@code tokenizer.json} first; else {@code vocab.json} + {@code merges.txt} (RoBERTa/BART
 * or GPT-2, by {@code tokenizer_config.json}'s {@code tokenizer_class}, else {@code config.json}'s
 * {@code model_type}); else {@code spiece.model} (T5/mT5 or Pegasus, the same way; a plain
 * SentencePiece tokenizer when neither file names a family); else GPT-2's {@code encoder.json} +
 * {@code vocab.bpe}, {@code vocab.txt} (BERT), another SentencePiece {@code .model}, or CLIP's
 * merges. {@code tokenizer_config.json} also gives {@code add_prefix_space}, {@code trim_offsets},
 * {@code extra_ids} and the flags of special tokens ({@code added_tokens_decoder}, or {@code
 * mask_token} as an object), such as the {@code lstrip} of RoBERTa's {@code <mask>}.
 *
 * <p>CLIP ({@code tokenizer_class} {@code CLIPTokenizer}, or {@code model_type} {@code clip}):
 * {@code vocab.json} + {@code merges.txt} are read as CLIP's BPE (with {@code </w>} word ends), and a
 * folder with no tokenizer file at all uses the vocabulary built into this library ({@link
 * BuiltInTokenizers#clip()}), which every CLIP release shares.
 */
public final class ModelFolderTokenizer {
  private ModelFolderTokenizer() {}

  /** The tokenizer families this class builds from vocabulary files. */
  enum Family {
    GPT2,
    ROBERTA,
    T5,
    PEGASUS,
    CLIP,
    UNKNOWN
  }

  /** Loads the tokenizer of the model folder {@code dir}. */
  public static Tokenizer load(Path dir) throws IOException {
    if (Files.isRegularFile(dir.resolve("tokenizer.json"))) {
      return HfTokenizerJson.load(dir.resolve("tokenizer.json"));
    }
    JsonObject tokConfig = readObject(dir.resolve("tokenizer_config.json"));
    JsonObject config = readObject(dir.resolve("config.json"));
    Family family = family(tokConfig, config);
    Path vocabJson = dir.resolve("vocab.json");
    if (Files.isRegularFile(vocabJson)) {
      Path merges = dir.resolve("merges.txt");
      if (!Files.isRegularFile(merges)) {
        throw new IOException(
            dir + ": has vocab.json but no merges.txt (a byte-level BPE folder needs both)");
      }
      if (family == Family.T5 || family == Family.PEGASUS) {
        throw new IOException(
            dir + ": " + describe(tokConfig, config) + " names a SentencePiece family, but the"
                + " folder has vocab.json + merges.txt and no spiece.model or tokenizer.json");
      }
      if (family == Family.ROBERTA) {
        return roberta(vocabJson, merges, tokConfig);
      }
      if (family == Family.CLIP) {
        try {
          return StandardTokenizers.clip(
              TokenizerFiles.readJsonVocab(vocabJson), TokenizerFiles.readMerges(merges));
        } catch (IllegalArgumentException | NullPointerException e) {
          throw new IOException(
              vocabJson + ": not a CLIP vocabulary (it needs <|startoftext|> and <|endoftext|>)", e);
        }
      }
      return tokConfig == null
          ? TokenizerFiles.gpt2(vocabJson, merges)
          : gpt2(vocabJson, merges, tokConfig);
    }
    Path spiece = dir.resolve("spiece.model");
    if (Files.isRegularFile(spiece)) {
      return sentencePiece(spiece, family, tokConfig);
    }
    for (String name :
        List.of("encoder.json", "vocab.txt", "tokenizer.model", "sentencepiece.bpe.model",
            "bpe_simple_vocab_16e6.txt.gz")) {
      if (Files.isRegularFile(dir.resolve(name))) {
        return TokenizerFiles.load(dir.resolve(name));
      }
    }
    if (family == Family.CLIP) {
      return BuiltInTokenizers.clip();
    }
    String hint =
        switch (family) {
          case T5, PEGASUS ->
              "; " + describe(tokConfig, config) + " needs spiece.model or tokenizer.json";
          case ROBERTA, GPT2 ->
              "; " + describe(tokConfig, config)
                  + " needs vocab.json + merges.txt or tokenizer.json";
          default -> "";
        };
    throw new IOException(
        dir + ": no tokenizer files in this folder (expected tokenizer.json, vocab.json +"
            + " merges.txt, spiece.model, vocab.txt, encoder.json + vocab.bpe, another *.model, or"
            + " bpe_simple_vocab_16e6.txt.gz" + hint + ")");
  }

  /** RoBERTa/BART from {@code vocab.json} + {@code merges.txt} and the folder's settings. */
  public static Tokenizer roberta(Path vocabJson, Path merges, JsonObject tokConfig)
      throws IOException {
    Map<String, Integer> vocab = TokenizerFiles.readJsonVocab(vocabJson);
    List<String[]> m = TokenizerFiles.readMerges(merges);
    Path cfg = vocabJson.resolveSibling("tokenizer_config.json");
    boolean addPrefixSpace = bool(tokConfig, "add_prefix_space", false, cfg);
    boolean trimOffsets = bool(tokConfig, "trim_offsets", true, cfg);
    try {
      return StandardTokenizers.roberta(
          vocab, m,
          StandardTokenizers.specials(
              vocab, List.of("<s>", "</s>", "<unk>", "<pad>", "<mask>"), flags(tokConfig, cfg)),
          addPrefixSpace, trimOffsets);
    } catch (IllegalArgumentException e) {
      throw new IOException(vocabJson + ": " + e.getMessage(), e);
    }
  }

  /**
   * GPT-2's byte-level BPE with the settings of {@code tokenizer_config.json}: its {@code
   * bos_token}, {@code eos_token}, {@code unk_token}, {@code pad_token} (default {@code
   * <|endoftext|>} but pad) as special tokens, {@code add_bos_token} / {@code add_eos_token} (OPT
   * puts {@code </s>} in front), {@code add_prefix_space}.
   */
  public static Tokenizer gpt2(Path vocabJson, Path merges, JsonObject tokConfig)
      throws IOException {
    Map<String, Integer> vocab = TokenizerFiles.readJsonVocab(vocabJson);
    List<String[]> m = TokenizerFiles.readMerges(merges);
    Path cfg = vocabJson.resolveSibling("tokenizer_config.json");
    Map<String, AddedToken> flags = flags(tokConfig, cfg);
    String bos = tokenName(tokConfig, "bos_token", "<|endoftext|>");
    String eos = tokenName(tokConfig, "eos_token", "<|endoftext|>");
    String unk = tokenName(tokConfig, "unk_token", "<|endoftext|>");
    String pad = tokenName(tokConfig, "pad_token", null);
    List<String> names = new java.util.ArrayList<>();
    for (String t : new String[] {bos, eos, unk, pad}) {
      if (t != null && !names.contains(t)) {
        names.add(t);
      }
    }
    try {
      return StandardTokenizers.gpt2(
          vocab, m, StandardTokenizers.specials(vocab, names, flags),
          bool(tokConfig, "add_bos_token", false, cfg) ? bos : null,
          bool(tokConfig, "add_eos_token", false, cfg) ? eos : null,
          bool(tokConfig, "add_prefix_space", false, cfg));
    } catch (IllegalArgumentException e) {
      throw new IOException(vocabJson + ": " + e.getMessage(), e);
    }
  }

  /** A special token's text: a string, or an object's {@code content}; {@code dflt} if absent. */
  private static String tokenName(JsonObject o, String key, String dflt) {
    if (o == null || !o.has(key)) {
      return dflt;
    }
    JsonElement e = o.get(key);
    if (e.isJsonNull()) {
      return null;
    }
    if (e.isJsonObject() && e.getAsJsonObject().has("content")) {
      return e.getAsJsonObject().get("content").getAsString();
    }
    return e.isJsonPrimitive() ? e.getAsString() : dflt;
  }

  private static Tokenizer sentencePiece(Path spiece, Family family, JsonObject tokConfig)
      throws IOException {
    if (family != Family.T5 && family != Family.PEGASUS) {
      return SentencePieceModel.load(spiece);
    }
    SentencePieceModel.Content c;
    try {
      c = SentencePieceModel.read(Files.readAllBytes(spiece), spiece.toString());
    } catch (IllegalArgumentException e) {
      throw new IOException(e.getMessage(), e);
    }
    if (c.modelType() != 1) {
      throw new IOException(
          spiece + ": SentencePiece model type " + c.modelType()
              + " is not supported (only 1, Unigram)");
    }
    Path cfg = spiece.resolveSibling("tokenizer_config.json");
    try {
      if (family == Family.T5) {
        return StandardTokenizers.t5(c, integer(tokConfig, "extra_ids", 100, cfg));
      }
      return StandardTokenizers.pegasus(c, integer(tokConfig, "offset", 103, cfg));
    } catch (IllegalArgumentException e) {
      throw new IOException(spiece + ": " + e.getMessage(), e);
    }
  }

  /** The family named by {@code tokenizer_class}, else by {@code model_type}. */
  static Family family(JsonObject tokConfig, JsonObject config) {
    String cls = string(tokConfig, "tokenizer_class");
    if (cls != null) {
      String c = cls.endsWith("Fast") ? cls.substring(0, cls.length() - 4) : cls;
      switch (c) {
        case "RobertaTokenizer":
        case "BartTokenizer":
        case "LongformerTokenizer":
        case "LEDTokenizer":
          return Family.ROBERTA;
        case "GPT2Tokenizer":
          return Family.GPT2;
        case "T5Tokenizer":
        case "MT5Tokenizer":
          return Family.T5;
        case "PegasusTokenizer":
          return Family.PEGASUS;
        case "CLIPTokenizer":
          return Family.CLIP;
        default:
          break;
      }
    }
    String type = string(config, "model_type");
    if (type != null) {
      switch (type.toLowerCase(Locale.ROOT)) {
        case "roberta":
        case "bart":
        case "longformer":
        case "led":
          return Family.ROBERTA;
        case "gpt2":
        case "opt":
          return Family.GPT2;
        case "t5":
        case "mt5":
          return Family.T5;
        case "pegasus":
          return Family.PEGASUS;
        case "clip":
        case "clip_text_model":
          return Family.CLIP;
        default:
          break;
      }
    }
    return Family.UNKNOWN;
  }

  private static String describe(JsonObject tokConfig, JsonObject config) {
    String cls = string(tokConfig, "tokenizer_class");
    return cls != null
        ? "tokenizer_config.json's tokenizer_class " + cls
        : "config.json's model_type " + string(config, "model_type");
  }

  /** Special-token flags from {@code added_tokens_decoder} and {@code *_token} objects. */
  static Map<String, AddedToken> flags(JsonObject tokConfig, Path source) throws IOException {
    Map<String, AddedToken> out = new LinkedHashMap<>();
    if (tokConfig == null) {
      return out;
    }
    JsonElement dec = tokConfig.get("added_tokens_decoder");
    if (dec != null && dec.isJsonObject()) {
      for (Map.Entry<String, JsonElement> e : dec.getAsJsonObject().entrySet()) {
        AddedToken t = token(e.getValue(), source, "added_tokens_decoder." + e.getKey());
        out.putIfAbsent(t.content(), t);
      }
    }
    for (Map.Entry<String, JsonElement> e : tokConfig.entrySet()) {
      if (e.getKey().endsWith("_token") && e.getValue().isJsonObject()) {
        AddedToken t = token(e.getValue(), source, e.getKey());
        out.putIfAbsent(t.content(), t);
      }
    }
    return out;
  }

  private static AddedToken token(JsonElement el, Path source, String where) throws IOException {
    if (!el.isJsonObject() || !el.getAsJsonObject().has("content")) {
      throw new IOException(source + ": " + where + " is not an added token {\"content\": ...}");
    }
    JsonObject o = el.getAsJsonObject();
    return new AddedToken(
        0,
        o.get("content").getAsString(),
        !o.has("special") || o.get("special").getAsBoolean(),
        o.has("normalized") && o.get("normalized").getAsBoolean(),
        o.has("lstrip") && o.get("lstrip").getAsBoolean(),
        o.has("rstrip") && o.get("rstrip").getAsBoolean(),
        o.has("single_word") && o.get("single_word").getAsBoolean());
  }

  /** The JSON object in {@code file}, or null when there is no such file. */
  static JsonObject readObject(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      return null;
    }
    try {
      JsonElement e = JsonParser.parseString(TokenizerFiles.readText(file, "a JSON object"));
      if (!e.isJsonObject()) {
        throw new IOException(file + ": expected a JSON object");
      }
      return e.getAsJsonObject();
    } catch (JsonParseException e) {
      throw new IOException(Messages.clip(file + ": malformed JSON (" + Messages.json(e) + ")"), e);
    }
  }

  private static String string(JsonObject o, String key) {
    if (o == null || !o.has(key) || !o.get(key).isJsonPrimitive()) {
      return null;
    }
    return o.get(key).getAsString();
  }

  private static boolean bool(JsonObject o, String key, boolean dflt, Path source)
      throws IOException {
    if (o == null || !o.has(key) || o.get(key).isJsonNull()) {
      return dflt;
    }
    JsonElement e = o.get(key);
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
      throw new IOException(
          source + ": " + key + " must be true or false, not " + Messages.show(e));
    }
    return e.getAsBoolean();
  }

  private static int integer(JsonObject o, String key, int dflt, Path source) throws IOException {
    if (o == null || !o.has(key) || o.get(key).isJsonNull()) {
      return dflt;
    }
    JsonElement e = o.get(key);
    try {
      // extra_ids and offset become token ids: the same bound as ids.
      return JsonNumbers.integer(e, key, 0, io.github.transformers4j.tokenizers.TokenModel.MAX_ID - 1);
    } catch (IllegalArgumentException bad) {
      throw new IOException(source + ": " + bad.getMessage(), bad);
    }
  }
}
