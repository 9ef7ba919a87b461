package io.github.transformers4j.models.tasks;

import io.github.transformers4j.api.spi.TextTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Hugging Face's {@code fill-mask} pipeline over any {@link MaskedLm}: the text holds the
 * tokenizer's mask token once; the answer is the {@code topK} most probable tokens at that
 * position, each with its probability, its text and the completed sequence.
 */
public final class FillMask {
  /** One candidate: the probability, the token id, its text and the text with it filled in. */
  public record Candidate(double score, int token, String tokenText, String sequence) {}

  private final MaskedLm model;
  private final TextTokenizer tokenizer;
  private final String maskToken;
  private final int maskId;
  private final int padId;

  /**
   * @param maskToken the tokenizer's mask token ({@code [MASK]}, {@code <mask>})
   * @param padId the id that pads shorter texts of a batch
   * @throws IllegalArgumentException when the tokenizer has no such token
   */
  public FillMask(MaskedLm model, TextTokenizer tokenizer, String maskToken, int padId) {
    this.model = Objects.requireNonNull(model, "model");
    this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
    this.maskToken = maskToken;
    this.maskId = tokenizer.tokenId(maskToken);
    if (maskId < 0) {
      throw new IllegalArgumentException("the tokenizer has no mask token '" + maskToken + "'");
    }
    this.padId = padId;
  }

  /** The mask token texts must contain. */
  public String maskToken() {
    return maskToken;
  }

  /**
   * The {@code topK} candidates for each text's mask, most probable first.
   *
   * @throws IllegalArgumentException naming the text that has no mask token or more than one
   */
  public List<List<Candidate>> fill(List<String> texts, int topK) {
    if (topK < 1) {
      throw new IllegalArgumentException("top_k must be >= 1, got " + topK);
    }
    int[][] rows = new int[texts.size()][];
    int[] at = new int[texts.size()];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = tokenizer.encodeIds(texts.get(i));
      at[i] = -1;
      for (int p = 0; p < rows[i].length; p++) {
        if (rows[i][p] == maskId) {
          if (at[i] >= 0) {
            throw new IllegalArgumentException(
                "text " + (i + 1) + " holds the mask token " + maskToken
                    + " more than once; give one mask per text");
          }
          at[i] = p;
        }
      }
      if (at[i] < 0) {
        throw new IllegalArgumentException(
            "text " + (i + 1) + " (\"" + texts.get(i) + "\") has no mask token " + maskToken);
      }
    }
    Batches b = Batches.rightPadded(rows, padId, model.maxPositions());
    float[] logits = model.logits(b.ids(), b.mask(), b.batch()).toFloatArray();
    int v = logits.length / (b.batch() * b.width());
    List<List<Candidate>> out = new ArrayList<>();
    for (int i = 0; i < rows.length; i++) {
      double[] p = Batches.softmax(logits, (i * b.width() + at[i]) * v, v);
      Integer[] order = new Integer[v];
      Arrays.setAll(order, k -> k);
      Arrays.sort(order, (x, y) -> Double.compare(p[y], p[x]));
      List<Candidate> cands = new ArrayList<>();
      for (int k = 0; k < Math.min(topK, v); k++) {
        int id = order[k];
        int[] filled = rows[i].clone();
        filled[at[i]] = id;
        cands.add(
            new Candidate(
                p[id], id, tokenizer.decodeIds(new int[] {id}, false),
                tokenizer.decodeIds(filled, true)));
      }
      out.add(cands);
    }
    return out;
  }
}
