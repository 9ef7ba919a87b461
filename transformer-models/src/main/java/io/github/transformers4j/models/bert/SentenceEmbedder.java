package io.github.transformers4j.models.bert;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.spi.TextTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Sentence embeddings from a BERT encoder, as sentence-transformers computes them for models such
 * as all-MiniLM-L6-v2: tokenize (with the tokenizer's {@code [CLS]} ... {@code [SEP]} template),
 * run the encoder on a right-padded batch with its attention mask, pool the last hidden state
 * (the mean over real tokens, or the {@code [CLS]} vector) and L2-normalize.
 *
 * <pre>{@code
 * BertModel bert = Pretrained.load(ops, dir, BertModel.class);
 * TextTokenizer tok = Tokenizers.installed().forName("auto").load(dir);
 * float[][] v = new SentenceEmbedder(ops, bert, tok).embed(List.of("first text", "second"));
 * }</pre>
 */
public final class SentenceEmbedder {
  /** How token vectors become one sentence vector. */
  public enum Pool {
    /** The mean over real tokens (sentence-transformers' default). */
    MEAN,
    /** The first token's vector. */
    CLS
  }

  private final Ops ops;
  private final BertModel bert;
  private final TextTokenizer tokenizer;
  private final Pool pool;
  private final boolean normalize;
  private final int batch;
  private final boolean truncate;

  /** Mean pooling, normalized, 16 texts per forward pass. */
  public SentenceEmbedder(Ops ops, BertModel bert, TextTokenizer tokenizer) {
    this(ops, bert, tokenizer, Pool.MEAN, true, 16);
  }

  /**
   * An embedder with the given pooling, normalization and batch size.
   *
   * @throws IllegalArgumentException when {@code batch} is not positive
   */
  public SentenceEmbedder(
      Ops ops, BertModel bert, TextTokenizer tokenizer, Pool pool, boolean normalize, int batch) {
    this(ops, bert, tokenizer, pool, normalize, batch, false);
  }

  private SentenceEmbedder(
      Ops ops, BertModel bert, TextTokenizer tokenizer, Pool pool, boolean normalize, int batch,
      boolean truncate) {
    if (batch < 1) {
      throw new IllegalArgumentException("batch must be >= 1, got " + batch);
    }
    this.ops = ops;
    this.bert = bert;
    this.tokenizer = tokenizer;
    this.pool = pool;
    this.normalize = normalize;
    this.batch = batch;
    this.truncate = truncate;
  }

  /**
   * This embedder, but cutting a text longer than the model's positions to them (ending on {@code
   * [SEP]}, as sentence-transformers does) instead of refusing it.
   */
  public SentenceEmbedder truncating() {
    return new SentenceEmbedder(ops, bert, tokenizer, pool, normalize, batch, true);
  }

  /**
   * The token ids the encoder sees for {@code text}: when {@link #truncating()}, longer inputs are
   * cut to the model's positions, ending on {@code [SEP]} as Hugging Face truncates. Padding that
   * the tokenizer adds by its own settings (all-MiniLM-L6-v2's {@code tokenizer.json} pads every
   * text to 128) is dropped first: it is not text, and sentence-transformers masks it out of the
   * mean.
   *
   * @throws IllegalArgumentException when the text has more tokens than the model's positions and
   *     this embedder does not truncate, naming both numbers
   */
  public int[] ids(String text) {
    int[] ids = withoutTrailingPadding(tokenizer.encodeIds(text));
    int max = bert.config().maxPositionEmbeddings();
    if (ids.length > max && !truncate) {
      throw new IllegalArgumentException(
          "a text has "
              + ids.length
              + " tokens but the model takes at most "
              + max
              + " (max_position_embeddings); shorten it, or truncate it explicitly (t4j embed"
              + " --truncate)");
    }
    if (ids.length > max) {
      ids = Arrays.copyOf(ids, max);
      int sep = tokenizer.tokenId("[SEP]");
      if (sep >= 0) {
        ids[max - 1] = sep;
      }
    }
    return ids;
  }

  /**
   * How many tokens the encoder sees for {@code text} before any truncation: its ids without the
   * padding the tokenizer adds by its own settings. Never throws for a long text.
   */
  public int tokenCount(String text) {
    return withoutTrailingPadding(tokenizer.encodeIds(text)).length;
  }

  // Pads after the last real token; a BERT-family text ends on [SEP] (or </s>), never on a pad.
  private int[] withoutTrailingPadding(int[] ids) {
    int pad = tokenizer.tokenId("[PAD]");
    if (pad < 0) {
      pad = tokenizer.tokenId("<pad>");
    }
    int n = ids.length;
    while (pad >= 0 && n > 0 && ids[n - 1] == pad) {
      n--;
    }
    return n == ids.length ? ids : Arrays.copyOf(ids, n);
  }

  /** One vector of width C per text, in order. */
  public float[][] embed(List<String> texts) {
    bert.train(false, 0);
    List<float[]> out = new ArrayList<>(texts.size());
    int pad = Math.max(0, tokenizer.tokenId("[PAD]"));
    for (int start = 0; start < texts.size(); start += batch) {
      List<String> part = texts.subList(start, Math.min(texts.size(), start + batch));
      int[][] encoded = new int[part.size()][];
      int t = 1;
      for (int i = 0; i < encoded.length; i++) {
        try {
          encoded[i] = ids(part.get(i));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(
              e.getMessage().replaceFirst("^a text", "text " + (start + i)), e);
        }
        t = Math.max(t, encoded[i].length);
      }
      int b = encoded.length;
      int[] ids = new int[b * t];
      int[] mask = new int[b * t];
      Arrays.fill(ids, pad);
      for (int i = 0; i < b; i++) {
        System.arraycopy(encoded[i], 0, ids, i * t, encoded[i].length);
        Arrays.fill(mask, i * t, i * t + encoded[i].length, 1);
      }
      Tensor hidden = bert.hidden(ids, new int[b * t], mask, b);
      Tensor pooled = pool == Pool.CLS ? Pooling.cls(ops, hidden) : Pooling.mean(ops, hidden, mask);
      float[] v = pooled.toFloatArray();
      int c = v.length / b;
      for (int i = 0; i < b; i++) {
        float[] row = Arrays.copyOfRange(v, i * c, (i + 1) * c);
        if (normalize) {
          double norm = 0;
          for (float x : row) {
            norm += (double) x * x;
          }
          if (norm > 0) {
            float inv = (float) (1 / Math.sqrt(norm));
            for (int j = 0; j < c; j++) {
              row[j] *= inv;
            }
          }
        }
        out.add(row);
      }
    }
    return out.toArray(new float[0][]);
  }
}
