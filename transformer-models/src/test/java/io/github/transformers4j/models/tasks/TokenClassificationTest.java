package io.github.transformers4j.models.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.models.TestSupport;
import io.github.transformers4j.models.weights.Weights;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The NER pipeline's "simple" aggregation, as Hugging Face's pipeline groups tokens, on a
 * classifier whose per-token labels are given: B- starts an entity, I- of the same type continues
 * it, a type change or O ends it, special tokens are skipped, scores are the mean probability.
 */
class TokenClassificationTest {
  private static final List<String> LABELS = List.of("O", "B-PER", "I-PER", "B-LOC", "I-LOC");

  /** A classifier giving each token the label {@code wanted[i]} with probability about 0.9. */
  private record Fixed(Ops ops, int[] wanted) implements TokenClassifier {
    @Override
    public Tensor logits(int[] ids, int[] attentionMask, int batch) {
      int n = LABELS.size();
      float[] x = new float[ids.length * n];
      for (int i = 0; i < ids.length; i++) {
        x[i * n + wanted[i % wanted.length]] = 4f;
      }
      return ops.tensor(x, batch, ids.length / batch, n);
    }

    @Override
    public List<String> labels() {
      return LABELS;
    }

    @Override
    public int maxPositions() {
      return 64;
    }

    @Override
    public void load(Weights weights) {}

    @Override
    public String architecture() {
      return "fixed";
    }

    @Override
    public void train(boolean on, long seed) {}

    @Override
    public Map<String, Tensor> parameters() {
      return Map.of();
    }

    @Override
    public void setParameter(String name, Tensor value) {}
  }

  @Test
  void tokensAreGroupedAsThePipelinesSimpleAggregation() {
    // [CLS] John Smith lives in New York , Paris [SEP]
    String text = "John Smith lives in New York, Paris";
    int[] starts = {0, 0, 5, 11, 17, 20, 24, 28, 30, 0};
    int[] ends = {0, 4, 10, 16, 19, 23, 28, 29, 35, 0};
    boolean[] special = {true, false, false, false, false, false, false, false, false, true};
    int[] labels = {1, 1, 2, 0, 0, 3, 4, 0, 3, 3};
    String[] words = {"", "John", "Smith", "lives", "in", "New", "York", ",", "Paris", ""};
    try (ComputeBackend backend = TestSupport.cpu(1)) {
      Ops ops = new Ops(backend);
      int[] ids = new int[10];
      Arrays.setAll(ids, i -> i);
      TokenClassification ner =
          new TokenClassification(
              new Fixed(ops, labels),
              s -> new TokenClassification.Tokens(ids, starts, ends, special),
              group -> String.join(" ", Arrays.stream(group).mapToObj(i -> words[i]).toList()),
              0);
      List<TokenClassification.Entity> e = ner.entities(List.of(text)).get(0);
      double p = Math.exp(4) / (Math.exp(4) + 4);
      assertEquals(
          List.of(
              new TokenClassification.Entity("PER", p, "John Smith", 0, 10),
              new TokenClassification.Entity("LOC", p, "New York", 20, 28),
              new TokenClassification.Entity("LOC", p, "Paris", 30, 35)),
          e.stream().map(x -> new TokenClassification.Entity(x.group(), p, x.word(), x.start(), x.end())).toList());
      for (TokenClassification.Entity x : e) {
        assertEquals(p, x.score(), 1e-6, x.toString());
      }
      assertEquals("John Smith", text.substring(0, 10));
      assertEquals("New York", text.substring(20, 28));
    }
  }

  @Test
  void aBeginningLabelStartsANewEntityEvenAfterTheSameType() {
    int[] labels = {1, 1, 2};
    String[] words = {"Ann", "Bob", "Lee"};
    try (ComputeBackend backend = TestSupport.cpu(1)) {
      Ops ops = new Ops(backend);
      TokenClassification ner =
          new TokenClassification(
              new Fixed(ops, labels),
              s -> new TokenClassification.Tokens(
                  new int[] {0, 1, 2}, new int[] {0, 4, 8}, new int[] {3, 7, 11},
                  new boolean[3]),
              group -> String.join(" ", Arrays.stream(group).mapToObj(i -> words[i]).toList()),
              0);
      List<TokenClassification.Entity> e = ner.entities(List.of("Ann Bob Lee")).get(0);
      assertEquals(2, e.size(), e.toString());
      assertEquals("Ann", e.get(0).word());
      assertEquals("Bob Lee", e.get(1).word());
      assertEquals(4, e.get(1).start());
      assertEquals(11, e.get(1).end());
    }
  }
}
