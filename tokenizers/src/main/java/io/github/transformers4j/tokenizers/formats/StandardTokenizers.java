package io.github.transformers4j.tokenizers.formats;

import io.github.transformers4j.tokenizers.AddedToken;
import io.github.transformers4j.tokenizers.ByteLevelAlphabet;
import io.github.transformers4j.tokenizers.Tokenizer;
import io.github.transformers4j.tokenizers.decoders.ByteLevelDecoder;
import io.github.transformers4j.tokenizers.decoders.SimpleDecoders;
import io.github.transformers4j.tokenizers.decoders.WordPieceDecoder;
import io.github.transformers4j.tokenizers.models.Bpe;
import io.github.transformers4j.tokenizers.models.Unigram;
import io.github.transformers4j.tokenizers.models.WordPiece;
import io.github.transformers4j.tokenizers.Normalizer;
import io.github.transformers4j.tokenizers.decoders.MetaspaceDecoder;
import io.github.transformers4j.tokenizers.normalizers.Precompiled;
import io.github.transformers4j.tokenizers.pretokenizers.Metaspace;
import io.github.transformers4j.tokenizers.normalizers.BertNormalizer;
import io.github.transformers4j.tokenizers.normalizers.Lowercase;
import io.github.transformers4j.tokenizers.normalizers.NormalizerSequence;
import io.github.transformers4j.tokenizers.normalizers.Replace;
import io.github.transformers4j.tokenizers.normalizers.UnicodeNormalizer;
import io.github.transformers4j.tokenizers.pretokenizers.Behavior;
import io.github.transformers4j.tokenizers.pretokenizers.ByteLevel;
import io.github.transformers4j.tokenizers.pretokenizers.CharSplit;
import io.github.transformers4j.tokenizers.pretokenizers.PreTokenizerSequence;
import io.github.transformers4j.tokenizers.pretokenizers.Split;
import io.github.transformers4j.tokenizers.processors.ByteLevelProcessor;
import io.github.transformers4j.tokenizers.processors.TemplateProcessing;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The standard pipelines of GPT-2, BERT, CLIP, RoBERTa/BART, T5/mT5 and Pegasus around a
 * vocabulary, as Hugging Face (transformers 5.18, tokenizers 0.23) builds them.
 */
public final class StandardTokenizers {
  /** CLIP's pre-tokenizer regex (the matches are the pieces). */
  public static final String CLIP_PATTERN =
      "'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+";

  private StandardTokenizers() {}

  /** GPT-2: byte-level BPE, {@code <|endoftext|>} special when in the vocabulary. */
  public static Tokenizer gpt2(Map<String, Integer> vocab, List<String[]> merges) {
    Tokenizer.Builder b =
        Tokenizer.builder(Bpe.builder(vocab, merges).build())
            .preTokenizer(ByteLevel.gpt2())
            .postProcessor(new ByteLevelProcessor(true, false, true))
            .decoder(new ByteLevelDecoder());
    Integer eot = vocab.get("<|endoftext|>");
    if (eot != null) {
      b.addedToken(AddedToken.special(eot, "<|endoftext|>"));
    }
    return b.build();
  }

  /**
   * RoBERTa and BART: GPT-2's byte-level BPE (no unknown token) with {@code <s> A </s>}, pair
   * {@code <s> A </s></s> B </s>}. {@code specials} are the added tokens ({@code <s>}, {@code
   * </s>}, {@code <unk>}, {@code <pad>}, {@code <mask>} with their flags, see {@link #specials});
   * {@code <s>} and {@code </s>} must be among them.
   *
   * @param addPrefixSpace whether a space is put before the text, so its first word is encoded
   *     like the others (the pre-tokenizer's and the template's setting, as Hugging Face)
   * @param trimOffsets whether offsets leave out the spaces a token starts with
   */
  public static Tokenizer roberta(
      Map<String, Integer> vocab,
      List<String[]> merges,
      List<AddedToken> specials,
      boolean addPrefixSpace,
      boolean trimOffsets) {
    Integer cls = null;
    Integer sep = null;
    for (AddedToken t : specials) {
      if (t.content().equals("<s>")) {
        cls = t.id();
      } else if (t.content().equals("</s>")) {
        sep = t.id();
      }
    }
    if (cls == null || sep == null) {
      throw new IllegalArgumentException("RoBERTa needs the special tokens <s> and </s>");
    }
    Tokenizer.Builder b =
        Tokenizer.builder(Bpe.builder(vocab, merges).build())
            .preTokenizer(new ByteLevel(addPrefixSpace, trimOffsets, true))
            .postProcessor(
                TemplateProcessing.roberta("<s>", cls, "</s>", sep, trimOffsets, addPrefixSpace))
            .decoder(new ByteLevelDecoder());
    for (AddedToken t : specials) {
      b.addedToken(t);
    }
    return b.build();
  }

  /**
   * Special tokens {@code names} with their ids: those of the vocabulary, the others appended
   * after the largest id in the order given (RoBERTa's: {@code <s> </s> <unk> <pad> <mask>}, as
   * Hugging Face). {@code flags} may give a token other flags (the {@code <mask>} of roberta-base
   * takes the space on its left: lstrip); a token it does not name is special and matched in the
   * raw text.
   */
  public static List<AddedToken> specials(
      Map<String, Integer> vocab, List<String> names, Map<String, AddedToken> flags) {
    int next = 0;
    for (int id : vocab.values()) {
      next = Math.max(next, id + 1);
    }
    List<AddedToken> out = new ArrayList<>();
    for (String t : names) {
      Integer id = vocab.get(t);
      int tokenId = id != null ? id : next++;
      AddedToken f = flags.get(t);
      out.add(
          f == null
              ? AddedToken.special(tokenId, t)
              : new AddedToken(
                  tokenId, t, f.special(), f.normalized(), f.lstrip(), f.rstrip(), f.singleWord()));
    }
    return out;
  }

  /**
   * GPT-2's byte-level BPE with {@code specials} as added tokens, {@code bos} put before the text
   * and {@code eos} after it when not null (template {@code bos $A eos}, pair {@code bos $A eos
   * bos $B:1 eos:1}, as Hugging Face's {@code add_bos_token}/{@code add_eos_token}).
   */
  public static Tokenizer gpt2(
      Map<String, Integer> vocab,
      List<String[]> merges,
      List<AddedToken> specials,
      String bos,
      String eos,
      boolean addPrefixSpace) {
    Map<String, Integer> ids = new LinkedHashMap<>();
    for (AddedToken t : specials) {
      ids.putIfAbsent(t.content(), t.id());
    }
    Tokenizer.Builder b =
        Tokenizer.builder(Bpe.builder(vocab, merges).build())
            .preTokenizer(new ByteLevel(addPrefixSpace, false, true))
            .decoder(new ByteLevelDecoder());
    if (bos == null && eos == null) {
      b.postProcessor(new ByteLevelProcessor(true, false, true));
    } else {
      Map<String, Integer> used = new LinkedHashMap<>();
      for (String t : new String[] {bos, eos}) {
        if (t != null) {
          Integer id = ids.get(t);
          if (id == null) {
            throw new IllegalArgumentException("the template's token " + t + " has no id");
          }
          used.put(t, id);
        }
      }
      String one =
          (bos != null ? bos + ":0 " : "") + "$A:0" + (eos != null ? " " + eos + ":0" : "");
      String two =
          one + (bos != null ? " " + bos + ":1" : "") + " $B:1"
              + (eos != null ? " " + eos + ":1" : "");
      b.postProcessor(TemplateProcessing.parse(one, two, used));
    }
    for (AddedToken t : specials) {
      b.addedToken(t);
    }
    return b.build();
  }

  /**
   * T5 and mT5 from a SentencePiece model: the pieces (the model's unknown piece as unknown), then
   * {@code extraIds} sentinels {@code <extra_id_N>} in reverse ({@code <extra_id_0>} last), then
   * {@code </s>}, {@code <unk>}, {@code <pad>} where the model lacks them; charsmap normalizer,
   * whitespace split, metaspace; {@code A </s>}, pair {@code A </s> B </s>}.
   */
  public static Tokenizer t5(SentencePieceModel.Content c, int extraIds) {
    if (extraIds < 0) {
      throw new IllegalArgumentException("extra_ids must be at least 0, not " + extraIds);
    }
    List<String> pieces = new ArrayList<>(c.pieces());
    List<Float> scores = new ArrayList<>();
    for (float f : c.scores()) {
      scores.add(f);
    }
    List<AddedToken> added = new ArrayList<>(spmSpecials(c, 0, 0));
    Map<String, Integer> index = new LinkedHashMap<>();
    for (int i = 0; i < pieces.size(); i++) {
      index.putIfAbsent(pieces.get(i), i);
    }
    for (int i = extraIds - 1; i >= 0; i--) {
      String t = "<extra_id_" + i + ">";
      Integer id = index.get(t);
      if (id == null) {
        id = pieces.size();
        pieces.add(t);
        scores.add(0f);
      }
      added.add(AddedToken.special(id, t));
    }
    int unk = unknownPiece(c);
    int next = pieces.size();
    for (String t : List.of("</s>", "<unk>", "<pad>")) {
      if (!index.containsKey(t)) {
        added.add(AddedToken.special(next++, t));
      }
    }
    Map<String, Integer> ids = new LinkedHashMap<>();
    for (AddedToken t : added) {
      ids.putIfAbsent(t.content(), t.id());
    }
    Tokenizer.Builder b =
        Tokenizer.builder(new Unigram(pieces, floats(scores), unk, c.byteFallback()))
            .preTokenizer(
                new PreTokenizerSequence(
                    List.of(CharSplit.whitespace(), new Metaspace('\u2581', "always", true))))
            .decoder(new MetaspaceDecoder('\u2581', "always", true))
            .postProcessor(
                TemplateProcessing.parse(
                    "$A:0 </s>:0", "$A:0 </s>:0 $B:0 </s>:0", Map.of("</s>", ids.get("</s>"))));
    if (c.charsmap() != null && c.charsmap().length > 0) {
      b.normalizer(new Precompiled(c.charsmap()));
    }
    for (AddedToken t : added) {
      b.addedToken(t);
    }
    return b.build();
  }

  /**
   * Pegasus from a SentencePiece model laid out as Pegasus's ({@code <pad>} 0, {@code </s>} 1, the
   * rest from 2 on): {@code <pad>}, {@code </s>}, {@code <mask_1>}, {@code <mask_2>}, {@code
   * <unk_2>}...{@code <unk_102>}, then the model's pieces from 2 on, so a piece's id is its
   * SentencePiece id plus {@code offset} (103); charsmap, runs of spaces collapsed, metaspace;
   * {@code A </s>}, pair {@code A B </s>}.
   */
  public static Tokenizer pegasus(SentencePieceModel.Content c, int offset) {
    if (c.pieces().size() < 3) {
      throw new IllegalArgumentException("a Pegasus model needs more than 2 pieces");
    }
    List<String> pieces = new ArrayList<>(List.of("<pad>", "</s>", "<mask_1>", "<mask_2>"));
    List<Float> scores = new ArrayList<>(List.of(0f, 0f, 0f, 0f));
    for (int i = 2; i < offset; i++) {
      pieces.add("<unk_" + i + ">");
      scores.add(-100f);
    }
    int shift = pieces.size() - 2;
    for (int i = 2; i < c.pieces().size(); i++) {
      pieces.add(c.pieces().get(i));
      scores.add(c.scores()[i]);
    }
    int unk = pieces.indexOf("<unk>");
    if (unk < 0) {
      throw new IllegalArgumentException("the model has no <unk> piece after its first two");
    }
    List<Normalizer> norm = new ArrayList<>();
    if (c.charsmap() != null && c.charsmap().length > 0) {
      norm.add(new Precompiled(c.charsmap()));
    } else {
      norm.add(Replace.regex("\n", " "));
    }
    norm.add(Replace.regex(" {2,}", " "));
    Tokenizer.Builder b =
        Tokenizer.builder(new Unigram(pieces, floats(scores), unk, c.byteFallback()))
            .normalizer(new NormalizerSequence(norm))
            .preTokenizer(new Metaspace('\u2581', "always", true))
            .decoder(new MetaspaceDecoder('\u2581', "always", true))
            .postProcessor(
                TemplateProcessing.parse("$A:0 </s>:0", "$A:0 $B:0 </s>:0", Map.of("</s>", 1)));
    for (int i = 0; i < shift + 2; i++) {
      b.addedToken(AddedToken.special(i, pieces.get(i)));
    }
    for (AddedToken t : spmSpecials(c, 2, shift)) {
      b.addedToken(t);
    }
    return b.build();
  }

  /** The control and unknown pieces (special) and user-defined ones from {@code from}, shifted. */
  private static List<AddedToken> spmSpecials(SentencePieceModel.Content c, int from, int shift) {
    List<AddedToken> out = new ArrayList<>();
    for (int i = from; i < c.types().length; i++) {
      int t = c.types()[i];
      if (t == SentencePieceModel.CONTROL || t == SentencePieceModel.UNKNOWN) {
        out.add(AddedToken.special(i + shift, c.pieces().get(i)));
      } else if (t == SentencePieceModel.USER_DEFINED) {
        out.add(new AddedToken(i + shift, c.pieces().get(i), false, false, false, false, false));
      }
    }
    return out;
  }

  private static int unknownPiece(SentencePieceModel.Content c) {
    for (int i = 0; i < c.types().length; i++) {
      if (c.types()[i] == SentencePieceModel.UNKNOWN) {
        return i;
      }
    }
    throw new IllegalArgumentException("the model has no piece of type UNKNOWN");
  }

  private static float[] floats(List<Float> list) {
    float[] a = new float[list.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = list.get(i);
    }
    return a;
  }

  /**
   * BERT: clean text, CJK spacing, (uncased:) accents stripped and lowercase; whitespace and
   * punctuation split; WordPiece; {@code [CLS] A [SEP] B [SEP]}.
   */
  public static Tokenizer bert(Map<String, Integer> vocab, boolean lowercase) {
    for (String t : List.of("[UNK]", "[CLS]", "[SEP]")) {
      if (!vocab.containsKey(t)) {
        throw new IllegalArgumentException("BERT vocabulary has no " + t + " token");
      }
    }
    Tokenizer.Builder b =
        Tokenizer.builder(WordPiece.bert(vocab))
            .normalizer(new BertNormalizer(true, true, null, lowercase))
            .preTokenizer(CharSplit.bert())
            .postProcessor(
                TemplateProcessing.parse(
                    "[CLS]:0 $A:0 [SEP]:0",
                    "[CLS]:0 $A:0 [SEP]:0 $B:1 [SEP]:1",
                    Map.of("[CLS]", vocab.get("[CLS]"), "[SEP]", vocab.get("[SEP]"))))
            .decoder(new WordPieceDecoder("##", true));
    for (String t : List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")) {
      Integer id = vocab.get(t);
      if (id != null) {
        b.addedToken(AddedToken.special(id, t));
      }
    }
    return b.build();
  }

  /**
   * Whether a WordPiece vocabulary is uncased: none of its whole-word tokens has an ASCII capital
   * (bert-base-cased has "The", bert-base-uncased has none).
   */
  public static boolean looksUncased(Map<String, Integer> vocab) {
    for (String t : vocab.keySet()) {
      if (t.startsWith("[") || t.startsWith("##")) {
        continue;
      }
      for (int i = 0; i < t.length(); i++) {
        char c = t.charAt(i);
        if (c >= 'A' && c <= 'Z') {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * CLIP's vocabulary from its merges file lines (after the version line): the 256 byte chars,
   * the same with {@code </w>}, one token per merge, then {@code <|startoftext|>} and {@code
   * <|endoftext|>}, as OpenAI's {@code SimpleTokenizer} builds it.
   */
  public static Tokenizer clip(List<String[]> merges) {
    Map<String, Integer> vocab = new LinkedHashMap<>();
    for (char c : ByteLevelAlphabet.order()) {
      vocab.put(String.valueOf(c), vocab.size());
    }
    for (char c : ByteLevelAlphabet.order()) {
      vocab.put(c + "</w>", vocab.size());
    }
    for (String[] m : merges) {
      vocab.putIfAbsent(m[0] + m[1], vocab.size());
    }
    int sot = vocab.size();
    vocab.put("<|startoftext|>", sot);
    int eot = vocab.size();
    vocab.put("<|endoftext|>", eot);
    return clip(vocab, merges);
  }

  /** CLIP's pipeline around a vocabulary and merges. */
  public static Tokenizer clip(Map<String, Integer> vocab, List<String[]> merges) {
    int sot = vocab.get("<|startoftext|>");
    int eot = vocab.get("<|endoftext|>");
    List<io.github.transformers4j.tokenizers.Decoder> dec = new ArrayList<>();
    dec.add(SimpleDecoders.replace("</w>", "\u0120"));
    dec.add(new ByteLevelDecoder());
    dec.add(SimpleDecoders.strip(' ', 0, 1));
    return Tokenizer.builder(
            Bpe.builder(vocab, merges).unkToken("<|endoftext|>").endOfWordSuffix("</w>").build())
        .normalizer(
            new NormalizerSequence(
                List.of(
                    new UnicodeNormalizer(java.text.Normalizer.Form.NFC),
                    Replace.regex("\\s+", " "),
                    new Lowercase())))
        .preTokenizer(
            new PreTokenizerSequence(
                List.of(
                    Split.regex(CLIP_PATTERN, Behavior.REMOVED, true),
                    new ByteLevel(false, true, false))))
        .postProcessor(TemplateProcessing.roberta("<|startoftext|>", sot, "<|endoftext|>", eot, false, false))
        .decoder(SimpleDecoders.sequence(dec))
        .addedToken(AddedToken.special(sot, "<|startoftext|>"))
        .addedToken(AddedToken.special(eot, "<|endoftext|>"))
        .build();
  }
}
