package io.github.transformers4j.models.tasks;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Hugging Face's {@code token-classification} (NER) pipeline over any {@link TokenClassifier},
 * with its {@code "simple"} aggregation: each real token (special tokens skipped) takes its most
 * probable label; consecutive tokens whose labels have the same type (the tag after {@code B-} or
 * {@code I-}) form one entity, unless a token's label begins with {@code B-}, which starts a new
 * one; an entity's score is the mean of its tokens' probabilities, its text the decoded tokens,
 * its span from the first token's start to the last token's end; entities labelled {@code O} are
 * dropped.
 */
public final class TokenClassification {
  /** A labelled span of the text. */
  public record Entity(String group, double score, String word, int start, int end) {}

  /**
   * One text's tokens: ids, each token's character span in the text ({@code start} inclusive,
   * {@code end} exclusive), and whether it is a special token the model's template added.
   */
  public record Tokens(int[] ids, int[] starts, int[] ends, boolean[] special) {
    /** Checks the arrays agree in length. */
    public Tokens {
      if (starts.length != ids.length || ends.length != ids.length || special.length != ids.length) {
        throw new IllegalArgumentException(
            "tokens: " + ids.length + " ids but " + starts.length + " starts, " + ends.length
                + " ends, " + special.length + " special flags");
      }
    }
  }

  private final TokenClassifier model;
  private final Function<String, Tokens> encoder;
  private final Function<int[], String> decoder;
  private final int padId;

  /**
   * @param encoder a text's tokens with their spans (from the tokenizer's offsets)
   * @param decoder the text of some token ids (special tokens skipped)
   */
  public TokenClassification(
      TokenClassifier model, Function<String, Tokens> encoder, Function<int[], String> decoder, int padId) {
    this.model = Objects.requireNonNull(model, "model");
    this.encoder = Objects.requireNonNull(encoder, "encoder");
    this.decoder = Objects.requireNonNull(decoder, "decoder");
    this.padId = padId;
  }

  /** The entities of each text, in text order. */
  public List<List<Entity>> entities(List<String> texts) {
    List<Tokens> tokens = texts.stream().map(encoder).toList();
    int[][] rows = tokens.stream().map(Tokens::ids).toArray(int[][]::new);
    Batches b = Batches.rightPadded(rows, padId, model.maxPositions());
    float[] logits = model.logits(b.ids(), b.mask(), b.batch()).toFloatArray();
    List<String> labels = model.labels();
    int n = labels.size();
    if (logits.length != b.batch() * b.width() * n) {
      throw new IllegalStateException(
          "the head gives " + logits.length / (b.batch() * b.width()) + " scores per token but the"
              + " config names " + n + " labels");
    }
    List<List<Entity>> out = new ArrayList<>();
    for (int r = 0; r < rows.length; r++) {
      Tokens t = tokens.get(r);
      List<Integer> kept = new ArrayList<>();
      List<String> label = new ArrayList<>();
      List<Double> score = new ArrayList<>();
      for (int i = 0; i < rows[r].length; i++) {
        if (t.special()[i]) {
          continue;
        }
        double[] p = Batches.softmax(logits, (r * b.width() + i) * n, n);
        int best = 0;
        for (int k = 1; k < n; k++) {
          if (p[k] > p[best]) {
            best = k;
          }
        }
        kept.add(i);
        label.add(labels.get(best));
        score.add(p[best]);
      }
      out.add(group(t, kept, label, score));
    }
    return out;
  }

  private List<Entity> group(Tokens t, List<Integer> kept, List<String> label, List<Double> score) {
    List<Entity> entities = new ArrayList<>();
    int from = 0;
    for (int k = 1; k <= kept.size(); k++) {
      boolean split =
          k == kept.size()
              || !type(label.get(k)).equals(type(label.get(k - 1)))
              || label.get(k).startsWith("B-");
      if (split && from < kept.size()) {
        String type = type(label.get(from));
        if (!type.equals("O")) {
          double sum = 0;
          int[] ids = new int[k - from];
          for (int j = from; j < k; j++) {
            sum += score.get(j);
            ids[j - from] = t.ids()[kept.get(j)];
          }
          entities.add(
              new Entity(
                  type, sum / (k - from), decoder.apply(ids).strip(), t.starts()[kept.get(from)],
                  t.ends()[kept.get(k - 1)]));
        }
        from = k;
      }
    }
    return entities;
  }

  /** The entity type of a label: the tag after {@code B-} or {@code I-}, else the label. */
  static String type(String label) {
    return label.startsWith("B-") || label.startsWith("I-") ? label.substring(2) : label;
  }
}
