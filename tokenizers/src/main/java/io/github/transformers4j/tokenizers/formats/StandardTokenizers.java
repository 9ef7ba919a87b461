package io.github.transformers4j.tokenizers.formats;

import io.github.transformers4j.tokenizers.AddedToken;
import io.github.transformers4j.tokenizers.ByteLevelAlphabet;
import io.github.transformers4j.tokenizers.Tokenizer;
import io.github.transformers4j.tokenizers.decoders.ByteLevelDecoder;
import io.github.transformers4j.tokenizers.decoders.SimpleDecoders;
import io.github.transformers4j.tokenizers.decoders.WordPieceDecoder;
import io.github.transformers4j.tokenizers.models.Bpe;
import io.github.transformers4j.tokenizers.models.WordPiece;
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

/** The standard pipelines of GPT-2, BERT and CLIP around a vocabulary, as Hugging Face builds them. */
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
