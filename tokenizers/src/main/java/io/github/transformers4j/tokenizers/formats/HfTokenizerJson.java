package io.github.transformers4j.tokenizers.formats;

import io.github.transformers4j.api.io.AtomicFiles;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.github.transformers4j.tokenizers.AddedToken;
import io.github.transformers4j.tokenizers.Decoder;
import io.github.transformers4j.tokenizers.Normalizer;
import io.github.transformers4j.tokenizers.Padding;
import io.github.transformers4j.tokenizers.PostProcessor;
import io.github.transformers4j.tokenizers.PreTokenizer;
import io.github.transformers4j.tokenizers.TokenModel;
import io.github.transformers4j.tokenizers.Tokenizer;
import io.github.transformers4j.tokenizers.Truncation;
import io.github.transformers4j.tokenizers.decoders.BpeDecoder;
import io.github.transformers4j.tokenizers.decoders.ByteFallbackDecoder;
import io.github.transformers4j.tokenizers.decoders.ByteLevelDecoder;
import io.github.transformers4j.tokenizers.decoders.MetaspaceDecoder;
import io.github.transformers4j.tokenizers.decoders.SimpleDecoders;
import io.github.transformers4j.tokenizers.decoders.WordPieceDecoder;
import io.github.transformers4j.tokenizers.models.Bpe;
import io.github.transformers4j.tokenizers.models.CharLevel;
import io.github.transformers4j.tokenizers.models.WordLevel;
import io.github.transformers4j.tokenizers.models.Unigram;
import io.github.transformers4j.tokenizers.models.WordPiece;
import io.github.transformers4j.tokenizers.normalizers.BertNormalizer;
import io.github.transformers4j.tokenizers.normalizers.Lowercase;
import io.github.transformers4j.tokenizers.normalizers.NormalizerSequence;
import io.github.transformers4j.tokenizers.normalizers.Precompiled;
import io.github.transformers4j.tokenizers.normalizers.Prepend;
import io.github.transformers4j.tokenizers.normalizers.Replace;
import io.github.transformers4j.tokenizers.normalizers.Strip;
import io.github.transformers4j.tokenizers.normalizers.StripAccents;
import io.github.transformers4j.tokenizers.normalizers.UnicodeNormalizer;
import io.github.transformers4j.tokenizers.pretokenizers.Behavior;
import io.github.transformers4j.tokenizers.pretokenizers.ByteLevel;
import io.github.transformers4j.tokenizers.pretokenizers.CharSplit;
import io.github.transformers4j.tokenizers.pretokenizers.Digits;
import io.github.transformers4j.tokenizers.pretokenizers.LucenePreTokenizer;
import io.github.transformers4j.tokenizers.pretokenizers.Metaspace;
import io.github.transformers4j.tokenizers.pretokenizers.PreTokenizerSequence;
import io.github.transformers4j.tokenizers.pretokenizers.Split;
import io.github.transformers4j.tokenizers.pretokenizers.Whitespace;
import io.github.transformers4j.tokenizers.processors.ByteLevelProcessor;
import io.github.transformers4j.tokenizers.processors.ProcessorSequence;
import io.github.transformers4j.tokenizers.processors.TemplateProcessing;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hugging Face's {@code tokenizer.json}: loads the model (BPE, WordPiece, Unigram), normalizers,
 * pre-tokenizers, post-processors, decoders, added tokens, truncation and padding, and saves them
 * back in the same shape (atomically). A type this library does not know fails with the file, the
 * field and the type named.
 */
public final class HfTokenizerJson {
  private static final Gson GSON =
      new GsonBuilder().disableHtmlEscaping().serializeNulls().setPrettyPrinting().create();

  private final String file;

  private HfTokenizerJson(String file) {
    this.file = file;
  }

  /** Loads {@code path}. */
  public static Tokenizer load(Path path) throws IOException {
    String text = TokenizerFiles.readText(path, "a tokenizer.json");
    try {
      return parse(text, path.toString());
    } catch (IllegalArgumentException | IllegalStateException | JsonParseException
        | ClassCastException | NullPointerException | IndexOutOfBoundsException
        | UnsupportedOperationException e) {
      // Gson's own messages (a wrong JSON type, a missing element) say what but not where: name
      // the file, and keep the line short.
      String m = e instanceof JsonParseException ? "malformed JSON (" + Messages.json(e) + ")" : e.getMessage();
      boolean bare = m == null || e instanceof ClassCastException || e instanceof NullPointerException
          || e instanceof IndexOutOfBoundsException || e instanceof UnsupportedOperationException;
      throw new IOException(
          Messages.clip(path + ": " + (bare ? "a field has the wrong JSON type or is missing" : m)), e);
    }
  }

  /**
   * Parses {@code tokenizer.json} text; {@code source} names it in errors.
   *
   * @throws IllegalArgumentException naming the field that is missing or wrong
   */
  public static Tokenizer parse(String json, String source) {
    JsonElement root = JsonParser.parseString(json);
    if (!root.isJsonObject()) {
      throw new IllegalArgumentException("not a JSON object");
    }
    return new HfTokenizerJson(source).read(root.getAsJsonObject());
  }

  private Tokenizer read(JsonObject o) {
    if (!o.has("model") || !o.get("model").isJsonObject()) {
      throw new IllegalArgumentException("no \"model\" object: not a Hugging Face tokenizer.json");
    }
    Tokenizer.Builder b = Tokenizer.builder(model(o.getAsJsonObject("model")));
    b.normalizer(isNull(o, "normalizer") ? null : normalizer(o.getAsJsonObject("normalizer")));
    b.preTokenizer(isNull(o, "pre_tokenizer") ? null : preTokenizer(o.getAsJsonObject("pre_tokenizer")));
    b.postProcessor(isNull(o, "post_processor") ? null : postProcessor(o.getAsJsonObject("post_processor")));
    b.decoder(isNull(o, "decoder") ? null : decoder(o.getAsJsonObject("decoder")));
    if (!isNull(o, "added_tokens")) {
      for (JsonElement e : o.getAsJsonArray("added_tokens")) {
        JsonObject t = e.getAsJsonObject();
        b.addedToken(
            new AddedToken(
                JsonNumbers.tokenId(req(t, "id", "added_tokens"), "added_tokens id"),
                req(t, "content", "added_tokens").getAsString(),
                bool(t, "special", false),
                bool(t, "normalized", !bool(t, "special", false)),
                bool(t, "lstrip", false),
                bool(t, "rstrip", false),
                bool(t, "single_word", false)));
      }
    }
    if (!isNull(o, "truncation")) {
      JsonObject t = o.getAsJsonObject("truncation");
      String strategy = str(t, "strategy", "LongestFirst");
      Truncation.Strategy s =
          switch (strategy) {
            case "LongestFirst" -> Truncation.Strategy.LONGEST_FIRST;
            case "OnlyFirst" -> Truncation.Strategy.ONLY_FIRST;
            case "OnlySecond" -> Truncation.Strategy.ONLY_SECOND;
            default -> throw new IllegalArgumentException(
                "truncation.strategy '" + strategy + "' (expected LongestFirst, OnlyFirst, OnlySecond)");
          };
      b.truncation(
          new Truncation(
              JsonNumbers.integer(req(t, "max_length", "truncation"), "truncation.max_length", 0,
                  Integer.MAX_VALUE),
              s,
              t.has("stride")
                  ? JsonNumbers.integer(t.get("stride"), "truncation.stride", 0, Integer.MAX_VALUE)
                  : 0,
              "Left".equals(str(t, "direction", "Right"))));
    }
    if (!isNull(o, "padding")) {
      JsonObject p = o.getAsJsonObject("padding");
      JsonElement st = p.get("strategy");
      int fixed = 0;
      if (st != null && st.isJsonObject() && st.getAsJsonObject().has("Fixed")) {
        fixed = JsonNumbers.integer(
            st.getAsJsonObject().get("Fixed"), "padding.strategy.Fixed", 0, Padding.MAX_LENGTH);
      }
      b.padding(
          new Padding(
              fixed,
              isNull(p, "pad_to_multiple_of")
                  ? 0
                  : JsonNumbers.integer(
                      p.get("pad_to_multiple_of"), "padding.pad_to_multiple_of", 0,
                      Padding.MAX_LENGTH),
              "Left".equals(str(p, "direction", "Right")),
              p.has("pad_id") ? JsonNumbers.tokenId(p.get("pad_id"), "padding.pad_id") : 0,
              str(p, "pad_token", "[PAD]"),
              p.has("pad_type_id")
                  ? JsonNumbers.integer(p.get("pad_type_id"), "padding.pad_type_id", 0, Integer.MAX_VALUE)
                  : 0));
    }
    return b.build();
  }

  private TokenModel model(JsonObject m) {
    String type = m.has("type") ? m.get("type").getAsString() : guessModelType(m);
    switch (type) {
      case "BPE":
        {
          Map<String, Integer> vocab = vocab(req(m, "vocab", "model").getAsJsonObject());
          List<String[]> merges = new ArrayList<>();
          int k = 0;
          for (JsonElement e : req(m, "merges", "model").getAsJsonArray()) {
            String[] pair;
            if (e.isJsonArray() && e.getAsJsonArray().size() == 2
                && e.getAsJsonArray().get(0).isJsonPrimitive()
                && e.getAsJsonArray().get(1).isJsonPrimitive()) {
              JsonArray a = e.getAsJsonArray();
              pair = new String[] {a.get(0).getAsString(), a.get(1).getAsString()};
            } else if (e.isJsonPrimitive()) {
              String s = e.getAsString();
              int sp = s.indexOf(' ', 1);
              pair = sp < 0 ? null : new String[] {s.substring(0, sp), s.substring(sp + 1)};
            } else {
              pair = null;
            }
            if (pair == null || pair[0].isEmpty() || pair[1].isEmpty()) {
              throw new IllegalArgumentException(
                  "model.merges[" + k + "] " + Messages.show(e) + " is not a pair of tokens 'a b'");
            }
            merges.add(pair);
            k++;
          }
          return Bpe.builder(vocab, merges)
              .unkToken(str(m, "unk_token", null))
              .continuingSubwordPrefix(str(m, "continuing_subword_prefix", null))
              .endOfWordSuffix(str(m, "end_of_word_suffix", null))
              .fuseUnk(bool(m, "fuse_unk", false))
              .byteFallback(bool(m, "byte_fallback", false))
              .ignoreMerges(bool(m, "ignore_merges", false))
              .build();
        }
      case "WordPiece":
        return new WordPiece(
            vocab(req(m, "vocab", "model").getAsJsonObject()),
            str(m, "unk_token", "[UNK]"),
            str(m, "continuing_subword_prefix", "##"),
            m.has("max_input_chars_per_word")
                ? JsonNumbers.integer(m.get("max_input_chars_per_word"),
                    "model.max_input_chars_per_word", 0, Integer.MAX_VALUE)
                : 100);
      case "Unigram":
        {
          JsonArray v = req(m, "vocab", "model").getAsJsonArray();
          if (v.size() >= TokenModel.MAX_ID) {
            throw new IllegalArgumentException(
                "model.vocab has " + v.size() + " pieces, more than " + TokenModel.MAX_ID);
          }
          List<String> pieces = new ArrayList<>(v.size());
          float[] scores = new float[v.size()];
          for (int i = 0; i < v.size(); i++) {
            JsonElement pe = v.get(i);
            if (!pe.isJsonArray() || pe.getAsJsonArray().size() != 2
                || !pe.getAsJsonArray().get(0).isJsonPrimitive()
                || !pe.getAsJsonArray().get(1).isJsonPrimitive()
                || !pe.getAsJsonArray().get(1).getAsJsonPrimitive().isNumber()) {
              throw new IllegalArgumentException(
                  "model.vocab[" + i + "] " + Messages.show(pe) + " is not a [piece, score] pair");
            }
            JsonArray p = pe.getAsJsonArray();
            pieces.add(p.get(0).getAsString());
            scores[i] = (float) p.get(1).getAsDouble();
            if (!Float.isFinite(scores[i])) {
              // Gson reads NaN and Infinity leniently; a non-finite score breaks Viterbi's order.
              throw new IllegalArgumentException(
                  "model.vocab[" + i + "] " + Messages.show(pe) + " has a score that is not finite");
            }
          }
          int unk = isNull(m, "unk_id") ? 0 : JsonNumbers.tokenId(m.get("unk_id"), "model.unk_id");
          if (!pieces.isEmpty() && unk >= pieces.size()) {
            throw new IllegalArgumentException(
                "model.unk_id " + unk + " is not a piece (there are " + pieces.size() + ")");
          }
          return new Unigram(pieces, scores, unk, bool(m, "byte_fallback", false));
        }
      case "CharLevel":
        return new CharLevel(vocab(req(m, "vocab", "model").getAsJsonObject()), str(m, "unk_token", null));
      case "WordLevel":
        return new WordLevel(
            vocab(req(m, "vocab", "model").getAsJsonObject()), str(m, "unk_token", "<unk>"));
      default:
        throw unknown("model", type, "BPE, WordPiece, Unigram, WordLevel, CharLevel");
    }
  }

  private static String guessModelType(JsonObject m) {
    if (m.has("merges")) {
      return "BPE";
    }
    if (m.has("max_input_chars_per_word") || m.has("continuing_subword_prefix")) {
      return "WordPiece";
    }
    if (m.has("vocab") && m.get("vocab").isJsonArray()) {
      return "Unigram";
    }
    throw new IllegalArgumentException("model has no \"type\" and is not recognizable");
  }

  private Normalizer normalizer(JsonObject n) {
    String type = req(n, "type", "normalizer").getAsString();
    switch (type) {
      case "BertNormalizer":
        return new BertNormalizer(
            bool(n, "clean_text", true),
            bool(n, "handle_chinese_chars", true),
            isNull(n, "strip_accents") ? null : n.get("strip_accents").getAsBoolean(),
            bool(n, "lowercase", true));
      case "NFC":
        return new UnicodeNormalizer(java.text.Normalizer.Form.NFC);
      case "NFD":
        return new UnicodeNormalizer(java.text.Normalizer.Form.NFD);
      case "NFKC":
        return new UnicodeNormalizer(java.text.Normalizer.Form.NFKC);
      case "NFKD":
        return new UnicodeNormalizer(java.text.Normalizer.Form.NFKD);
      case "Lowercase":
        return new Lowercase();
      case "StripAccents":
        return new StripAccents();
      case "Strip":
        return new Strip(bool(n, "strip_left", true), bool(n, "strip_right", true));
      case "Prepend":
        return new Prepend(req(n, "prepend", "normalizer Prepend").getAsString());
      case "Replace":
        {
          JsonObject p = req(n, "pattern", "normalizer Replace").getAsJsonObject();
          String content = req(n, "content", "normalizer Replace").getAsString();
          return p.has("Regex")
              ? Replace.regex(p.get("Regex").getAsString(), content)
              : Replace.literal(req(p, "String", "normalizer Replace pattern").getAsString(), content);
        }
      case "Precompiled":
        {
          JsonElement cm = n.get("precompiled_charsmap");
          if (cm == null || cm.isJsonNull()) {
            return new NormalizerSequence(List.of());
          }
          return new Precompiled(Base64.getDecoder().decode(cm.getAsString()));
        }
      case "Sequence":
        {
          List<Normalizer> list = new ArrayList<>();
          for (JsonElement e : req(n, "normalizers", "normalizer Sequence").getAsJsonArray()) {
            list.add(normalizer(e.getAsJsonObject()));
          }
          return new NormalizerSequence(list);
        }
      default:
        throw unknown("normalizer", type,
            "BertNormalizer, NFC, NFD, NFKC, NFKD, Lowercase, StripAccents, Strip, Prepend, Replace,"
                + " Precompiled, Sequence");
    }
  }

  private PreTokenizer preTokenizer(JsonObject p) {
    String type = req(p, "type", "pre_tokenizer").getAsString();
    switch (type) {
      case "ByteLevel":
        return new ByteLevel(
            bool(p, "add_prefix_space", true), bool(p, "trim_offsets", true), bool(p, "use_regex", true));
      case "BertPreTokenizer":
        return CharSplit.bert();
      case "WhitespaceSplit":
        return CharSplit.whitespace();
      case "Whitespace":
        return new Whitespace();
      case "Punctuation":
        return CharSplit.punctuation();
      case "Digits":
        return new Digits(bool(p, "individual_digits", false));
      case "Metaspace":
        return new Metaspace(metaReplacement(p), prependScheme(p), bool(p, "split", true));
      case "Split":
        {
          JsonObject pat = req(p, "pattern", "pre_tokenizer Split").getAsJsonObject();
          Behavior beh = Behavior.fromJson(req(p, "behavior", "pre_tokenizer Split").getAsString());
          boolean inv = bool(p, "invert", false);
          return pat.has("Regex")
              ? Split.regex(pat.get("Regex").getAsString(), beh, inv)
              : Split.literal(req(pat, "String", "pre_tokenizer Split pattern").getAsString(), beh, inv);
        }
      case "Lucene":
        return new LucenePreTokenizer(req(p, "analyzer", "pre_tokenizer Lucene").getAsString());
      case "Sequence":
        {
          List<PreTokenizer> list = new ArrayList<>();
          for (JsonElement e : req(p, "pretokenizers", "pre_tokenizer Sequence").getAsJsonArray()) {
            list.add(preTokenizer(e.getAsJsonObject()));
          }
          return new PreTokenizerSequence(list);
        }
      default:
        throw unknown("pre_tokenizer", type,
            "ByteLevel, BertPreTokenizer, Whitespace, WhitespaceSplit, Punctuation, Digits, Metaspace,"
                + " Split, Lucene, Sequence");
    }
  }

  private static char metaReplacement(JsonObject p) {
    String r = str(p, "replacement", "\u2581");
    if (r.length() != 1) {
      throw new IllegalArgumentException("Metaspace replacement '" + r + "' is not one char");
    }
    return r.charAt(0);
  }

  private static String prependScheme(JsonObject p) {
    if (p.has("prepend_scheme") && !p.get("prepend_scheme").isJsonNull()) {
      return p.get("prepend_scheme").getAsString();
    }
    return bool(p, "add_prefix_space", true) ? "always" : "never";
  }

  private PostProcessor postProcessor(JsonObject p) {
    String type = req(p, "type", "post_processor").getAsString();
    switch (type) {
      case "ByteLevel":
        return new ByteLevelProcessor(
            bool(p, "add_prefix_space", true), bool(p, "trim_offsets", true), bool(p, "use_regex", true));
      case "BertProcessing":
        {
          JsonArray sep = req(p, "sep", "post_processor").getAsJsonArray();
          JsonArray cls = req(p, "cls", "post_processor").getAsJsonArray();
          return TemplateProcessing.bert(
              cls.get(0).getAsString(), JsonNumbers.tokenId(cls.get(1), "post_processor.cls id"), sep.get(0).getAsString(), JsonNumbers.tokenId(sep.get(1), "post_processor.sep id"));
        }
      case "RobertaProcessing":
        {
          JsonArray sep = req(p, "sep", "post_processor").getAsJsonArray();
          JsonArray cls = req(p, "cls", "post_processor").getAsJsonArray();
          return TemplateProcessing.roberta(
              cls.get(0).getAsString(), JsonNumbers.tokenId(cls.get(1), "post_processor.cls id"), sep.get(0).getAsString(),
              JsonNumbers.tokenId(sep.get(1), "post_processor.sep id"), bool(p, "trim_offsets", true), bool(p, "add_prefix_space", true));
        }
      case "TemplateProcessing":
        {
          Map<String, TemplateProcessing.Special> sp = new LinkedHashMap<>();
          if (!isNull(p, "special_tokens")) {
            for (Map.Entry<String, JsonElement> e : p.getAsJsonObject("special_tokens").entrySet()) {
              JsonObject s = e.getValue().getAsJsonObject();
              List<Integer> ids = new ArrayList<>();
              for (JsonElement i : s.getAsJsonArray("ids")) {
                ids.add(JsonNumbers.tokenId(i, "post_processor.special_tokens ids"));
              }
              List<String> toks = new ArrayList<>();
              for (JsonElement i : s.getAsJsonArray("tokens")) {
                toks.add(i.getAsString());
              }
              sp.put(e.getKey(), new TemplateProcessing.Special(e.getKey(), ids, toks));
            }
          }
          return TemplateProcessing.of(items(p.get("single")), items(p.get("pair")), sp);
        }
      case "Sequence":
        {
          List<PostProcessor> list = new ArrayList<>();
          for (JsonElement e : req(p, "processors", "post_processor Sequence").getAsJsonArray()) {
            list.add(postProcessor(e.getAsJsonObject()));
          }
          return new ProcessorSequence(list);
        }
      default:
        throw unknown("post_processor", type,
            "ByteLevel, BertProcessing, RobertaProcessing, TemplateProcessing, Sequence");
    }
  }

  private static List<TemplateProcessing.Item> items(JsonElement e) {
    if (e == null || e.isJsonNull()) {
      return List.of();
    }
    if (e.isJsonPrimitive()) {
      return TemplateProcessing.parseItems(e.getAsString());
    }
    List<TemplateProcessing.Item> out = new ArrayList<>();
    for (JsonElement it : e.getAsJsonArray()) {
      JsonObject o = it.getAsJsonObject();
      boolean seq = o.has("Sequence");
      JsonObject inner = o.getAsJsonObject(seq ? "Sequence" : "SpecialToken");
      out.add(
          new TemplateProcessing.Item(
              seq, inner.get("id").getAsString(), inner.has("type_id")
                  ? JsonNumbers.integer(inner.get("type_id"), "post_processor type_id", 0, Integer.MAX_VALUE)
                  : 0));
    }
    return out;
  }

  private Decoder decoder(JsonObject d) {
    String type = req(d, "type", "decoder").getAsString();
    switch (type) {
      case "ByteLevel":
        return new ByteLevelDecoder();
      case "WordPiece":
        return new WordPieceDecoder(str(d, "prefix", "##"), bool(d, "cleanup", true));
      case "Metaspace":
        return new MetaspaceDecoder(metaReplacement(d), prependScheme(d), bool(d, "split", true));
      case "BPEDecoder":
        return new BpeDecoder(str(d, "suffix", "</w>"));
      case "ByteFallback":
        return new ByteFallbackDecoder();
      case "Fuse":
        return SimpleDecoders.fuse();
      case "Strip":
        return SimpleDecoders.strip(
            req(d, "content", "decoder Strip").getAsString().charAt(0),
            JsonNumbers.integer(d.get("start"), "decoder Strip start", 0, Integer.MAX_VALUE),
            JsonNumbers.integer(d.get("stop"), "decoder Strip stop", 0, Integer.MAX_VALUE));
      case "Replace":
        {
          JsonObject p = req(d, "pattern", "decoder Replace").getAsJsonObject();
          if (!p.has("String")) {
            throw new IllegalArgumentException("decoder Replace: only String patterns are supported");
          }
          return SimpleDecoders.replace(p.get("String").getAsString(), d.get("content").getAsString());
        }
      case "Sequence":
        {
          List<Decoder> list = new ArrayList<>();
          for (JsonElement e : req(d, "decoders", "decoder Sequence").getAsJsonArray()) {
            list.add(decoder(e.getAsJsonObject()));
          }
          return SimpleDecoders.sequence(list);
        }
      default:
        throw unknown("decoder", type,
            "ByteLevel, WordPiece, Metaspace, BPEDecoder, ByteFallback, Fuse, Strip, Replace, Sequence");
    }
  }

  private IllegalArgumentException unknown(String field, String type, String known) {
    return new IllegalArgumentException(
        field + " type '" + type + "' is not supported (supported: " + known + ")");
  }

  private static Map<String, Integer> vocab(JsonObject v) {
    return TokenizerFiles.vocabulary(v, "model.vocab");
  }

  private static boolean isNull(JsonObject o, String k) {
    return !o.has(k) || o.get(k).isJsonNull();
  }

  private static JsonElement req(JsonObject o, String k, String where) {
    JsonElement e = o.get(k);
    if (e == null || e.isJsonNull()) {
      throw new IllegalArgumentException(where + " has no \"" + k + "\"");
    }
    return e;
  }

  private static boolean bool(JsonObject o, String k, boolean dflt) {
    return isNull(o, k) ? dflt : o.get(k).getAsBoolean();
  }

  private static String str(JsonObject o, String k, String dflt) {
    return isNull(o, k) ? dflt : o.get(k).getAsString();
  }

  /** The {@code tokenizer.json} text of {@code t}. */
  public static String toJson(Tokenizer t) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("version", "1.0");
    Truncation tr = t.truncation();
    if (tr == null) {
      root.put("truncation", null);
    } else {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("direction", tr.fromLeft() ? "Left" : "Right");
      m.put("max_length", tr.maxLength());
      m.put(
          "strategy",
          switch (tr.strategy()) {
            case LONGEST_FIRST -> "LongestFirst";
            case ONLY_FIRST -> "OnlyFirst";
            case ONLY_SECOND -> "OnlySecond";
          });
      m.put("stride", tr.stride());
      root.put("truncation", m);
    }
    Padding p = t.padding();
    if (p == null) {
      root.put("padding", null);
    } else {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("strategy", p.fixedLength() > 0 ? Map.of("Fixed", p.fixedLength()) : "BatchLongest");
      m.put("direction", p.fromLeft() ? "Left" : "Right");
      m.put("pad_to_multiple_of", p.multipleOf() > 0 ? p.multipleOf() : null);
      m.put("pad_id", p.padId());
      m.put("pad_type_id", p.padTypeId());
      m.put("pad_token", p.padToken());
      root.put("padding", m);
    }
    List<Object> added = new ArrayList<>();
    for (AddedToken a : t.addedTokens()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", a.id());
      m.put("content", a.content());
      m.put("single_word", a.singleWord());
      m.put("lstrip", a.lstrip());
      m.put("rstrip", a.rstrip());
      m.put("normalized", a.normalized());
      m.put("special", a.special());
      added.add(m);
    }
    root.put("added_tokens", added);
    root.put("normalizer", t.normalizer() == null ? null : t.normalizer().toJson());
    root.put("pre_tokenizer", t.preTokenizer() == null ? null : t.preTokenizer().toJson());
    root.put("post_processor", t.postProcessor() == null ? null : t.postProcessor().toJson());
    root.put("decoder", t.decoder() == null ? null : t.decoder().toJson());
    root.put("model", t.model().toJson());
    return GSON.toJson(root);
  }

  /** Saves {@code t} as {@code tokenizer.json} at {@code path}, atomically. */
  public static void save(Tokenizer t, Path path) throws IOException {
    AtomicFiles.write(path, toJson(t).getBytes(StandardCharsets.UTF_8));
  }
}
