package io.github.transformers4j.clip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ZeroShotTest {
  @Test
  void labelEmbeddingIsTheRenormalizedMeanOfNormalizedTemplates() {
    // (3, 4) -> (0.6, 0.8); (0, 2) -> (0, 1); mean (0.3, 0.9), renormalized by sqrt(0.9).
    float[] e = ZeroShot.labelEmbedding(new float[][] {{3, 4}, {0, 2}});
    double n = Math.sqrt(0.9);
    assertArrayEquals(new float[] {(float) (0.3 / n), (float) (0.9 / n)}, e, 1e-7f);
  }

  @Test
  void scoresAreTheSoftmaxOfScaledCosinesAgainstANaiveOracle() {
    long seed = 20261206L;
    SplittableRandom r = new SplittableRandom(seed);
    int labels = 5;
    int templates = 3;
    int p = 7;
    float[][][] feats = new float[labels][templates][p];
    for (float[][] l : feats) {
      for (float[] t : l) {
        for (int i = 0; i < p; i++) {
          t[i] = (float) r.nextGaussian();
        }
      }
    }
    List<String> names = List.of("a", "b", "c", "d", "e");
    float scale = 2.6592600f;
    ZeroShot z = ZeroShot.fromTemplateEmbeddings(names, feats, scale);
    float[] image = new float[p];
    for (int i = 0; i < p; i++) {
      image[i] = (float) (3 * r.nextGaussian());
    }
    // Oracle, written out step by step.
    double[] logits = new double[labels];
    double in = 0;
    for (float v : image) {
      in += v * v;
    }
    in = Math.sqrt(in);
    for (int l = 0; l < labels; l++) {
      double[] mean = new double[p];
      for (float[] t : feats[l]) {
        double tn = 0;
        for (float v : t) {
          tn += v * v;
        }
        tn = Math.sqrt(tn);
        for (int i = 0; i < p; i++) {
          mean[i] += t[i] / tn;
        }
      }
      double mn = 0;
      for (double v : mean) {
        mn += v * v;
      }
      mn = Math.sqrt(mn);
      double cos = 0;
      for (int i = 0; i < p; i++) {
        cos += image[i] / in * mean[i] / mn;
      }
      logits[l] = Math.exp(scale) * cos;
    }
    double sum = 0;
    for (double v : logits) {
      sum += Math.exp(v);
    }
    float[] s = z.scores(image);
    int best = 0;
    for (int l = 0; l < labels; l++) {
      assertEquals(Math.exp(logits[l]) / sum, s[l], 1e-6, "seed " + seed + " label " + l);
      best = logits[l] > logits[best] ? l : best;
    }
    ZeroShot.Prediction pred = z.classify(image);
    assertEquals(best, pred.index(), "seed " + seed);
    assertEquals(names.get(best), pred.label());
    // The image's norm does not matter.
    float[] doubled = image.clone();
    for (int i = 0; i < p; i++) {
      doubled[i] *= 2;
    }
    assertArrayEquals(s, z.scores(doubled), 1e-6f);
  }

  @Test
  void writesEachLabelIntoEveryTemplateInOrder() {
    List<String> seen = new ArrayList<>();
    ZeroShot z =
        ZeroShot.of(
            List.of("red circle", "blue square"),
            List.of("a photo of a {}.", "{}"),
            texts -> {
              seen.addAll(texts);
              float[][] f = new float[texts.size()][];
              for (int i = 0; i < f.length; i++) {
                f[i] = texts.get(i).contains("red") ? new float[] {1, 0} : new float[] {0, 1};
              }
              return f;
            },
            0f);
    assertEquals(
        List.of("a photo of a red circle.", "red circle", "a photo of a blue square.", "blue square"),
        seen);
    assertArrayEquals(new float[] {1, 0}, z.labelEmbeddings()[0], 1e-7f);
    // logit_scale 0: scores softmax(cos) = softmax(1, 0) for an image along the first label.
    float[] s = z.scores(new float[] {5, 0});
    assertEquals(Math.E / (Math.E + 1), s[0], 1e-6);
  }

  @Test
  void refusesBadLabelsAndTemplates() {
    ZeroShot.TextEncoder enc = texts -> new float[texts.size()][] ;
    Object[][] cases = {
      {List.of(), List.of("{}"), "no labels"},
      {List.of("a", " "), List.of("{}"), "label 2 is empty"},
      {List.of("a", "a"), List.of("{}"), "\"a\" is given twice"},
      {List.of("a"), List.of(), "no templates"},
      {List.of("a"), List.of("a photo"), "template \"a photo\" has no {}"},
    };
    for (Object[] c : cases) {
      @SuppressWarnings("unchecked")
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class,
              () -> ZeroShot.of((List<String>) c[0], (List<String>) c[1], enc, 1f));
      assertTrue(e.getMessage().contains((String) c[2]), e.getMessage());
    }
  }
}
