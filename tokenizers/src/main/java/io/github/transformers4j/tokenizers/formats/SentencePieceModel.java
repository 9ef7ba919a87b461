package io.github.transformers4j.tokenizers.formats;

import io.github.transformers4j.tokenizers.AddedToken;
import io.github.transformers4j.tokenizers.Decoder;
import io.github.transformers4j.tokenizers.Normalizer;
import io.github.transformers4j.tokenizers.Tokenizer;
import io.github.transformers4j.tokenizers.decoders.ByteFallbackDecoder;
import io.github.transformers4j.tokenizers.decoders.MetaspaceDecoder;
import io.github.transformers4j.tokenizers.decoders.SimpleDecoders;
import io.github.transformers4j.tokenizers.models.Unigram;
import io.github.transformers4j.tokenizers.normalizers.NormalizerSequence;
import io.github.transformers4j.tokenizers.normalizers.Precompiled;
import io.github.transformers4j.tokenizers.normalizers.Replace;
import io.github.transformers4j.tokenizers.pretokenizers.Metaspace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a SentencePiece {@code .model} ({@code ModelProto}) with a hand-written protobuf reader:
 * the pieces (text, score, type), the trainer spec (model type, byte fallback, unknown id) and the
 * normalizer spec (precompiled charsmap, dummy prefix, whitespace handling). Builds the Unigram
 * tokenizer that SentencePiece's encoder is, as a Hugging Face-style pipeline: charsmap, leading
 * and trailing spaces removed, runs of spaces collapsed, then metaspace.
 */
public final class SentencePieceModel {
  /** Piece types of {@code ModelProto.SentencePiece.Type}. */
  static final int NORMAL = 1;

  static final int UNKNOWN = 2;
  static final int CONTROL = 3;
  static final int USER_DEFINED = 4;
  static final int UNUSED = 5;
  static final int BYTE = 6;

  /** What the file holds. */
  public record Content(
      List<String> pieces,
      float[] scores,
      int[] types,
      int modelType,
      boolean byteFallback,
      String normalizerName,
      byte[] charsmap,
      boolean addDummyPrefix,
      boolean removeExtraWhitespaces,
      boolean escapeWhitespaces) {}

  private SentencePieceModel() {}

  /** Loads {@code path} as a tokenizer. */
  public static Tokenizer load(Path path) throws IOException {
    Content c;
    try {
      if (Files.isDirectory(path)) {
        throw new IOException(path + ": is a folder, expected a SentencePiece .model file");
      }
      c = read(Files.readAllBytes(path), path.toString());
    } catch (IllegalArgumentException e) {
      throw new IOException(e.getMessage(), e);
    }
    if (c.modelType() != 1) {
      throw new IOException(
          path + ": SentencePiece model type " + c.modelType()
              + " is not supported (only 1, Unigram)");
    }
    try {
      return tokenizer(c);
    } catch (IllegalArgumentException e) {
      throw new IOException(path + ": " + e.getMessage(), e);
    }
  }

  /** Parses a {@code ModelProto}; {@code source} names it in errors. */
  public static Content read(byte[] bytes, String source) {
    ProtoReader r = new ProtoReader(bytes, 0, bytes.length, source, "ModelProto");
    List<String> pieces = new ArrayList<>();
    List<Float> scores = new ArrayList<>();
    List<Integer> types = new ArrayList<>();
    int modelType = 1;
    boolean byteFallback = false;
    String normName = null;
    byte[] charsmap = null;
    boolean dummy = true;
    boolean removeWs = true;
    boolean escapeWs = true;
    while (r.hasMore()) {
      int key = r.key();
      int field = key >>> 3;
      int wire = key & 7;
      if (field == 1 && wire == 2) {
        ProtoReader p = r.message("piece " + pieces.size());
        String piece = null;
        float score = 0;
        int type = NORMAL;
        while (p.hasMore()) {
          int k = p.key();
          if (k == (1 << 3 | 2)) {
            piece = p.string();
          } else if (k == (2 << 3 | 5)) {
            score = p.float32();
          } else if (k == (3 << 3)) {
            type = enumValue(p.varint(), source, "piece " + pieces.size() + " type");
          } else {
            p.skip(k & 7);
          }
        }
        if (piece == null) {
          throw new IllegalArgumentException(source + ": piece " + pieces.size() + " has no text");
        }
        if (!Float.isFinite(score)) {
          throw new IllegalArgumentException(
              source + ": piece " + pieces.size() + " has score " + score + ", not a finite number");
        }
        pieces.add(piece);
        scores.add(score);
        types.add(type);
      } else if (field == 2 && wire == 2) {
        ProtoReader t = r.message("trainer_spec");
        while (t.hasMore()) {
          int k = t.key();
          if (k == (3 << 3)) {
            modelType = enumValue(t.varint(), source, "trainer_spec model_type");
          } else if (k == (35 << 3)) {
            byteFallback = t.varint() != 0;
          } else {
            t.skip(k & 7);
          }
        }
      } else if (field == 3 && wire == 2) {
        ProtoReader n = r.message("normalizer_spec");
        while (n.hasMore()) {
          int k = n.key();
          if (k == (1 << 3 | 2)) {
            normName = n.string();
          } else if (k == (2 << 3 | 2)) {
            charsmap = n.bytes();
          } else if (k == (3 << 3)) {
            dummy = n.varint() != 0;
          } else if (k == (4 << 3)) {
            removeWs = n.varint() != 0;
          } else if (k == (5 << 3)) {
            escapeWs = n.varint() != 0;
          } else {
            n.skip(k & 7);
          }
        }
      } else {
        r.skip(wire);
      }
    }
    if (pieces.isEmpty()) {
      throw new IllegalArgumentException(source + ": no pieces; not a SentencePiece model");
    }
    float[] sc = new float[scores.size()];
    int[] ty = new int[types.size()];
    for (int i = 0; i < sc.length; i++) {
      sc[i] = scores.get(i);
      ty[i] = types.get(i);
    }
    return new Content(pieces, sc, ty, modelType, byteFallback, normName, charsmap, dummy, removeWs, escapeWs);
  }

  /** An enum field's value; a value beyond int (a truncating cast could turn into 1) is refused. */
  private static int enumValue(long v, String source, String field) {
    if (v < 0 || v > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          source + ": " + field + " " + Long.toUnsignedString(v) + " is not a valid enum value");
    }
    return (int) v;
  }

  /** The tokenizer of a parsed model. */
  public static Tokenizer tokenizer(Content c) {
    int unk = -1;
    boolean[] unmatched = new boolean[c.pieces().size()];
    for (int i = 0; i < c.types().length; i++) {
      int t = c.types()[i];
      if (t == UNKNOWN && unk < 0) {
        unk = i;
      }
      unmatched[i] = t == CONTROL || t == UNUSED || t == UNKNOWN;
    }
    if (unk < 0) {
      throw new IllegalArgumentException("the model has no piece of type UNKNOWN");
    }
    Unigram model = new Unigram(c.pieces(), c.scores(), unk, c.byteFallback(), unmatched);
    List<Normalizer> norm = new ArrayList<>();
    if (c.charsmap() != null && c.charsmap().length > 0) {
      norm.add(new Precompiled(c.charsmap()));
    }
    if (c.removeExtraWhitespaces()) {
      norm.add(Replace.regex("^ +| +$", ""));
      norm.add(Replace.regex(" {2,}", " "));
    }
    String scheme = c.addDummyPrefix() ? "always" : "never";
    Tokenizer.Builder b =
        Tokenizer.builder(model)
            .normalizer(new NormalizerSequence(norm))
            .preTokenizer(new Metaspace('\u2581', scheme, true));
    Decoder meta = new MetaspaceDecoder('\u2581', scheme, true);
    b.decoder(
        c.byteFallback()
            ? SimpleDecoders.sequence(List.of(new ByteFallbackDecoder(), SimpleDecoders.fuse(), meta))
            : meta);
    for (int i = 0; i < c.types().length; i++) {
      int t = c.types()[i];
      if (t == CONTROL || t == UNKNOWN) {
        b.addedToken(AddedToken.special(i, c.pieces().get(i)));
      } else if (t == USER_DEFINED) {
        b.addedToken(new AddedToken(i, c.pieces().get(i), false, false, false, false, false));
      }
    }
    return b.build();
  }
}
