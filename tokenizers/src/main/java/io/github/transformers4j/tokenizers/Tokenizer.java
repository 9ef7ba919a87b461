package io.github.transformers4j.tokenizers;

import io.github.transformers4j.api.spi.TextTokenizer;
import io.github.transformers4j.api.spi.TokenSpans;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * A complete tokenizer: normalizer → pre-tokenizer → model → post-processor, with added tokens,
 * truncation and padding on the way in and the decoder on the way out, as in Hugging Face
 * tokenizers. Immutable and safe to share between threads.
 *
 * <pre>{@code
 * Tokenizer bert = TokenizerFiles.load(Path.of("vocab.txt"));
 * Encoding e = bert.encode("Hello world", "Second sentence", true);
 * e.ids(); e.typeIds(); e.starts(); e.ends();
 * }</pre>
 *
 * <p>Thread safety: immutable once built (its word cache is concurrent); one instance may be shared
 * by any number of threads.
 */
public final class Tokenizer implements TextTokenizer {
  private final Normalizer normalizer;
  private final PreTokenizer preTokenizer;
  private final TokenModel model;
  private final PostProcessor postProcessor;
  private final Decoder decoder;
  private final List<AddedToken> addedTokens;
  private final AddedVocabulary added;
  private final Truncation truncation;
  private final Padding padding;

  private Tokenizer(Builder b) {
    this.normalizer = b.normalizer;
    this.preTokenizer = b.preTokenizer;
    this.model = Objects.requireNonNull(b.model, "model");
    this.postProcessor = b.postProcessor;
    this.decoder = b.decoder;
    this.addedTokens = List.copyOf(b.addedTokens);
    this.added = new AddedVocabulary(addedTokens);
    this.truncation = b.truncation;
    this.padding = b.padding;
  }

  /** A builder around {@code model}; every other step is optional. */
  public static Builder builder(TokenModel model) {
    return new Builder(model);
  }

  /** A builder holding this tokenizer's steps, to change some. */
  public Builder toBuilder() {
    Builder b = new Builder(model);
    b.normalizer = normalizer;
    b.preTokenizer = preTokenizer;
    b.postProcessor = postProcessor;
    b.decoder = decoder;
    b.addedTokens.addAll(addedTokens);
    b.truncation = truncation;
    b.padding = padding;
    return b;
  }

  /** This tokenizer with other truncation (null: none). */
  public Tokenizer withTruncation(Truncation t) {
    return toBuilder().truncation(t).build();
  }

  /** This tokenizer with other padding (null: none). */
  public Tokenizer withPadding(Padding p) {
    return toBuilder().padding(p).build();
  }

  /** Encodes one text with special tokens. */
  public Encoding encode(String text) {
    return encode(text, null, true);
  }

  /**
   * Encodes a text or a pair ({@code second} may be null), truncating, post-processing and (for a
   * fixed padding length) padding.
   */
  public Encoding encode(String first, String second, boolean addSpecialTokens) {
    Encoding e = encodeUnpadded(first, second, addSpecialTokens);
    if (padding != null && padding.fixedLength() > 0) {
      e = pad(e, e.size());
    }
    return e;
  }

  /** Encodes many texts, in parallel, padded together as the padding setting says. */
  public List<Encoding> encodeBatch(List<String> texts) {
    return encodeBatch(texts, true);
  }

  /** Encodes many texts, in parallel, padded together as the padding setting says. */
  public List<Encoding> encodeBatch(List<String> texts, boolean addSpecialTokens) {
    Encoding[] out = new Encoding[texts.size()];
    IntStream.range(0, out.length)
        .parallel()
        .forEach(i -> out[i] = encodeUnpadded(texts.get(i), null, addSpecialTokens));
    if (padding != null) {
      int longest = 0;
      for (Encoding e : out) {
        longest = Math.max(longest, e.size());
      }
      for (int i = 0; i < out.length; i++) {
        out[i] = pad(out[i], longest);
      }
    }
    return List.of(out);
  }

  private Encoding pad(Encoding e, int longest) {
    return e.pad(
        padding.target(longest),
        padding.padId(),
        padding.padToken(),
        padding.padTypeId(),
        padding.fromLeft());
  }

  private Encoding encodeUnpadded(String first, String second, boolean addSpecialTokens) {
    Encoding a = encodeSequence(first, 0);
    Encoding b = second == null ? null : encodeSequence(second, 1);
    if (truncation != null) {
      int addedCount =
          addSpecialTokens && postProcessor != null ? postProcessor.addedTokens(b != null) : 0;
      int max = truncation.maxLength() - addedCount;
      if (max < 0) {
        throw new IllegalArgumentException(
            "truncation max length " + truncation.maxLength() + " is shorter than the "
                + addedCount + " special tokens the template adds");
      }
      Encoding[] cut = truncate(a, b, max);
      a = cut[0];
      b = cut[1];
    }
    return postProcess(a, b, addSpecialTokens);
  }

  private Encoding postProcess(Encoding a, Encoding b, boolean addSpecialTokens) {
    Encoding main = process(a.withOverflowing(List.of()), b == null ? null : b.withOverflowing(List.of()), addSpecialTokens);
    List<Encoding> over = new ArrayList<>();
    for (Encoding o : a.overflowing()) {
      over.add(process(o, b == null ? null : b.withOverflowing(List.of()), addSpecialTokens));
    }
    if (b != null) {
      for (Encoding o : b.overflowing()) {
        over.add(process(a.withOverflowing(List.of()), o, addSpecialTokens));
      }
    }
    return over.isEmpty() ? main : main.withOverflowing(over);
  }

  private Encoding process(Encoding a, Encoding b, boolean addSpecialTokens) {
    if (postProcessor != null) {
      return postProcessor.process(a, b, addSpecialTokens);
    }
    return b == null ? a : Encoding.concat(List.of(a, b.withTypeId(1)));
  }

  private Encoding[] truncate(Encoding a, Encoding b, int max) {
    int stride = truncation.stride();
    boolean left = truncation.fromLeft();
    if (b == null) {
      if (a.size() <= max) {
        return new Encoding[] {a, null}; // as Hugging Face: nothing to cut is no error
      }
      if (truncation.strategy() == Truncation.Strategy.ONLY_SECOND) {
        throw new IllegalArgumentException("truncation only_second needs a pair of sequences");
      }
      return new Encoding[] {a.truncate(max, stride, left), null};
    }
    int n1 = a.size();
    int n2 = b.size();
    if (n1 + n2 <= max) {
      return new Encoding[] {a, b};
    }
    switch (truncation.strategy()) {
      case LONGEST_FIRST:
        {
          // As Hugging Face: the shorter keeps up to half, the longer takes the rest.
          int k1;
          int k2;
          if (n1 <= n2) {
            k1 = Math.min(n1, max / 2);
            k2 = max - k1;
          } else {
            k2 = Math.min(n2, max / 2);
            k1 = max - k2;
          }
          return new Encoding[] {a.truncate(k1, stride, left), b.truncate(k2, stride, left)};
        }
      case ONLY_FIRST:
        if (n2 >= max) {
          throw new IllegalArgumentException(
              "truncation only_first: the second sequence alone has " + n2
                  + " tokens, not fewer than the " + max + " allowed");
        }
        return new Encoding[] {a.truncate(max - n2, stride, left), b};
      default:
        if (n1 >= max) {
          throw new IllegalArgumentException(
              "truncation only_second: the first sequence alone has " + n1
                  + " tokens, not fewer than the " + max + " allowed");
        }
        return new Encoding[] {a, b.truncate(max - n1, stride, left)};
    }
  }

  /** Characters in a piece of {@link #encodeStream} (about; a piece ends at a whitespace). */
  static final int STREAM_PIECE = 1 << 16;

  /** The longest run without a place to cut that {@link #encodeStream} holds before cutting. */
  static final int STREAM_MAX_RUN = 1 << 22;

  /**
   * Encodes the text that {@code in} yields, without special tokens, truncation or padding,
   * passing each id to {@code ids} as its piece is done: memory stays bounded however long the
   * text (a single line of hundreds of MB included), and time linear. The text is cut into pieces
   * of about {@value #STREAM_PIECE} characters at a single space between two characters that are
   * not whitespace, where every standard pre-tokenizer (byte-level, BERT, whitespace, Metaspace) splits
   * anyway, so the ids are those of {@code encode(text, null, false)} for them (tested on GPT-2,
   * BERT and T5). A run of {@value #STREAM_MAX_RUN} characters with no such place is cut where it
   * ends (the tokens at that cut may then differ from a whole encode).
   */
  public void encodeStream(java.io.Reader in, java.util.function.IntConsumer ids)
      throws java.io.IOException {
    char[] buf = new char[2 * STREAM_PIECE];
    int len = 0;
    boolean eof = false;
    while (true) {
      while (!eof && len < buf.length) {
        int r = in.read(buf, len, buf.length - len);
        if (r < 0) {
          eof = true;
        } else {
          len += r;
        }
      }
      if (eof) {
        if (len > 0) {
          emit(new String(buf, 0, len), ids);
        }
        return;
      }
      int cut = -1;
      for (int p = len - 2; p >= 1 && cut < 0; p--) {
        // A plain space only: a tab or a newline is text to some models (T5 reads a tab as
        // <unk> inside a word), and a piece starting with one would gain a word-start marker.
        if (buf[p] == ' '
            && !Character.isWhitespace(buf[p - 1])
            && !Character.isWhitespace(buf[p + 1])) {
          cut = p;
        }
      }
      if (cut < 0) {
        if (buf.length < STREAM_MAX_RUN) {
          buf = java.util.Arrays.copyOf(buf, buf.length * 2); // read on to find a place
          continue;
        }
        cut = Character.isHighSurrogate(buf[len - 1]) ? len - 1 : len;
      }
      emit(new String(buf, 0, cut), ids);
      System.arraycopy(buf, cut, buf, 0, len - cut);
      len -= cut;
      if (buf.length > 2 * STREAM_PIECE && len < STREAM_PIECE) {
        buf = java.util.Arrays.copyOf(buf, 2 * STREAM_PIECE);
      }
    }
  }

  private void emit(String piece, java.util.function.IntConsumer ids) {
    for (int id : encodeSequence(piece, 0).ids()) {
      ids.accept(id);
    }
  }

  /**
   * The tokens of one text before post-processing: added tokens, then normalizer, pre-tokenizer
   * and model on the text between them.
   */
  public Encoding encodeSequence(String text, int sequenceId) {
    TokenBuffer buf = new TokenBuffer();
    NormalizedString whole = NormalizedString.of(text);
    if (added.hasRaw()) {
      List<Object> parts = new ArrayList<>();
      added.split(whole, false, parts);
      for (Object p : parts) {
        if (p instanceof AddedVocabulary.Match m) {
          buf.startWord();
          buf.add(m.token().id(), m.text(), m.start(), m.end());
        } else {
          encodeText((NormalizedString) p, buf);
        }
      }
    } else {
      encodeText(whole, buf);
    }
    return Encoding.fromBuffer(buf, sequenceId);
  }

  private void encodeText(NormalizedString text, TokenBuffer buf) {
    NormalizedString n = normalizer == null ? text : normalizer.normalize(text);
    if (added.hasNormalized()) {
      List<Object> parts = new ArrayList<>();
      added.split(n, true, parts);
      for (Object p : parts) {
        if (p instanceof AddedVocabulary.Match m) {
          buf.startWord();
          buf.add(m.token().id(), m.text(), m.start(), m.end());
        } else {
          modelText((NormalizedString) p, buf);
        }
      }
    } else {
      modelText(n, buf);
    }
  }

  private void modelText(NormalizedString n, TokenBuffer buf) {
    if (preTokenizer == null) {
      if (n.length() > 0) {
        buf.startWord();
        model.tokenize(n, buf);
      }
      return;
    }
    List<NormalizedString> pieces = new ArrayList<>();
    preTokenizer.split(n, pieces);
    for (NormalizedString piece : pieces) {
      if (piece.length() > 0) {
        buf.startWord();
        model.tokenize(piece, buf);
      }
    }
  }

  /** The text of {@code ids}, without special tokens when {@code skipSpecialTokens}. */
  public String decode(int[] ids, boolean skipSpecialTokens) {
    List<String> tokens = new ArrayList<>(ids.length);
    for (int id : ids) {
      AddedToken t = added.byId(id);
      if (t != null) {
        if (!(skipSpecialTokens && t.special())) {
          tokens.add(t.content());
        }
        continue;
      }
      String tok = model.idToToken(id);
      if (tok == null) {
        throw new IllegalArgumentException(
            "cannot decode id " + id + ": not in the vocabulary of " + vocabularySize());
      }
      tokens.add(tok);
    }
    return decoder == null ? String.join(" ", tokens) : decoder.decode(tokens);
  }

  /** The id of {@code token} (added tokens first), or -1. */
  public int tokenToId(String token) {
    AddedToken t = added.byContent(token);
    return t != null ? t.id() : model.tokenToId(token);
  }

  /** The token of {@code id} (added tokens first), or null. */
  public String idToToken(int id) {
    AddedToken t = added.byId(id);
    return t != null ? t.content() : model.idToToken(id);
  }

  @Override
  public int[] encodeIds(String text) {
    return encode(text).ids();
  }

  /**
   * The tokens of {@code text} with their offsets, special-tokens mask and word ids, from {@link
   * #encode(String)} (truncation and padding as configured; padding tokens count as special).
   */
  @Override
  public TokenSpans encodeSpans(String text) {
    Encoding e = encode(text);
    int[] mask = e.specialTokensMask();
    boolean[] special = new boolean[mask.length];
    for (int i = 0; i < mask.length; i++) {
      special[i] = mask[i] != 0;
    }
    return new TokenSpans(e.ids(), e.starts(), e.ends(), special, e.wordIds());
  }

  @Override
  public String decodeIds(int[] ids, boolean skipSpecialTokens) {
    return decode(ids, skipSpecialTokens);
  }

  @Override
  public int vocabularySize() {
    int n = model.vocabSize();
    for (AddedToken t : addedTokens) {
      n = Math.max(n, t.id() + 1);
    }
    return n;
  }

  @Override
  public int tokenId(String token) {
    return tokenToId(token);
  }

  /** The normalizer, or null. */
  public Normalizer normalizer() {
    return normalizer;
  }

  /** The pre-tokenizer, or null. */
  public PreTokenizer preTokenizer() {
    return preTokenizer;
  }

  /** The model. */
  public TokenModel model() {
    return model;
  }

  /** The post-processor, or null. */
  public PostProcessor postProcessor() {
    return postProcessor;
  }

  /** The decoder, or null. */
  public Decoder decoder() {
    return decoder;
  }

  /** The added tokens, in the order given. */
  public List<AddedToken> addedTokens() {
    return addedTokens;
  }

  /** The truncation setting, or null. */
  public Truncation truncation() {
    return truncation;
  }

  /** The padding setting, or null. */
  public Padding padding() {
    return padding;
  }

  /** Assembles a {@link Tokenizer}. */
  public static final class Builder {
    private Normalizer normalizer;
    private PreTokenizer preTokenizer;
    private TokenModel model;
    private PostProcessor postProcessor;
    private Decoder decoder;
    private final List<AddedToken> addedTokens = new ArrayList<>();
    private Truncation truncation;
    private Padding padding;

    Builder(TokenModel model) {
      this.model = Objects.requireNonNull(model, "model");
    }

    /** Sets the normalizer (null: none). */
    public Builder normalizer(Normalizer n) {
      normalizer = n;
      return this;
    }

    /** Sets the pre-tokenizer (null: the whole text is one piece). */
    public Builder preTokenizer(PreTokenizer p) {
      preTokenizer = p;
      return this;
    }

    /** Replaces the model. */
    public Builder model(TokenModel m) {
      model = Objects.requireNonNull(m, "model");
      return this;
    }

    /** Sets the post-processor (null: none). */
    public Builder postProcessor(PostProcessor p) {
      postProcessor = p;
      return this;
    }

    /** Sets the decoder (null: tokens joined with spaces). */
    public Builder decoder(Decoder d) {
      decoder = d;
      return this;
    }

    /** Adds an added token. */
    public Builder addedToken(AddedToken t) {
      addedTokens.add(t);
      return this;
    }

    /** Sets truncation (null: none). */
    public Builder truncation(Truncation t) {
      truncation = t;
      return this;
    }

    /** Sets padding (null: none). */
    public Builder padding(Padding p) {
      padding = p;
      return this;
    }

    /** The tokenizer. */
    public Tokenizer build() {
      return new Tokenizer(this);
    }
  }
}
