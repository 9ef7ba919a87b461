package io.github.transformers4j.clip.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Gradients;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tape;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.conformance.GradientCheck;
import io.github.transformers4j.api.registry.Backends;
import io.github.transformers4j.api.spi.BackendOptions;
import io.github.transformers4j.clip.ClipConfig;
import io.github.transformers4j.clip.ClipModel;
import io.github.transformers4j.clip.ClipTextConfig;
import io.github.transformers4j.clip.ClipVisionConfig;
import io.github.transformers4j.training.Objectives;
import io.github.transformers4j.training.data.Batch;
import io.github.transformers4j.training.data.IntGrid;
import io.github.transformers4j.training.data.Pixels;
import io.github.transformers4j.training.data.SpecialTokens;
import io.github.transformers4j.training.objectives.Forward;
import io.github.transformers4j.training.objectives.Objective;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The {@code contrastive} objective: its value against a naive double-precision computation, its
 * gradient w.r.t. the features, {@code logit_scale} (below and above the clamp) and a few weights of
 * each tower against central differences, and its registration.
 */
class ContrastiveTest {
  private static final long SEED = 20261206L;
  private static final float LN100 = (float) Math.log(100);
  private static ComputeBackend backend;
  private static Ops ops;

  @BeforeAll
  static void open() {
    backend = Backends.installed().create("cpu", BackendOptions.none().with("threads", "1"));
    ops = new Ops(backend);
  }

  @AfterAll
  static void close() {
    backend.close();
  }

  private static float[] gaussian(SplittableRandom r, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      double u = 1 - r.nextDouble();
      v[i] = (float) (Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.nextDouble()));
    }
    return v;
  }

  /** The loss written out in double: normalize, cosines, exp(min(s, ln 100)), two log-softmaxes. */
  static double naive(float[] img, float[] txt, int b, int p, double s) {
    double[][] a = unit(img, b, p);
    double[][] t = unit(txt, b, p);
    double scale = Math.exp(Math.min(s, Math.log(100)));
    double[][] l = new double[b][b];
    for (int i = 0; i < b; i++) {
      for (int j = 0; j < b; j++) {
        double c = 0;
        for (int k = 0; k < p; k++) {
          c += a[i][k] * t[j][k];
        }
        l[i][j] = scale * c;
      }
    }
    double rows = 0;
    double cols = 0;
    for (int i = 0; i < b; i++) {
      double zr = 0;
      double zc = 0;
      for (int j = 0; j < b; j++) {
        zr += Math.exp(l[i][j]);
        zc += Math.exp(l[j][i]);
      }
      rows += Math.log(zr) - l[i][i];
      cols += Math.log(zc) - l[i][i];
    }
    return (rows / b + cols / b) / 2;
  }

  private static double[][] unit(float[] x, int b, int p) {
    double[][] u = new double[b][p];
    for (int i = 0; i < b; i++) {
      double n = 0;
      for (int k = 0; k < p; k++) {
        n += (double) x[i * p + k] * x[i * p + k];
      }
      for (int k = 0; k < p; k++) {
        u[i][k] = x[i * p + k] / Math.sqrt(n);
      }
    }
    return u;
  }

  private static Tensor loss(Tensor img, Tensor txt, Tensor s) {
    return Contrastive.symmetricCrossEntropy(ops, Contrastive.logits(ops, img, txt, s, LN100));
  }

  @Test
  void lossMatchesNaiveDoubleComputation() {
    SplittableRandom r = new SplittableRandom(SEED);
    int[][] sizes = {{1, 3}, {5, 7}, {16, 12}};
    for (int[] bp : sizes) {
      int b = bp[0];
      int p = bp[1];
      float[] img = gaussian(r, b * p);
      float[] txt = gaussian(r, b * p);
      for (float s : new float[] {0f, 2.6592f, 4f, 6f}) {
        double got = loss(ops.tensor(img, b, p), ops.tensor(txt, b, p), ops.scalar(s)).item();
        double want = naive(img, txt, b, p, s);
        assertEquals(want, got, 1e-5 * (1 + Math.abs(want)), "B " + b + ", P " + p + ", s " + s + " (seed " + SEED + ")");
      }
    }
  }

  @Test
  void gradientsOfFeaturesAndScaleMatchCentralDifferences() {
    SplittableRandom r = new SplittableRandom(SEED + 1);
    int b = 4;
    int p = 6;
    float[] img = gaussian(r, b * p);
    float[] txt = gaussian(r, b * p);
    // Below the cap the scale is differentiated with the features (s = 2.0: exp(s) ≈ 7.4).
    GradientCheck.check(
        "contrastive (features, logit_scale)", ops,
        new float[][] {img, txt, {2.0f}}, new int[][] {{b, p}, {b, p}, {}},
        x -> loss(x[0], x[1], x[2]), 1e-2, 1e-2, SEED);
    // Above it (s = 5.5 > ln 100): the loss does not depend on s, and neither does its gradient.
    Tensor s = ops.scalar(5.5f);
    Tensor a = ops.tensor(img, b, p);
    try (Tape tape = ops.record()) {
      tape.watch(s, a);
      Gradients g = tape.backward(loss(a, ops.tensor(txt, b, p), s));
      assertNotNull(g.get(a), "the features still get a gradient");
      Tensor ds = g.get(s);
      assertTrue(ds == null || ds.item() == 0f, "clamped logit_scale got a gradient " + ds);
    }
    double up = loss(a, ops.tensor(txt, b, p), ops.scalar(5.6f)).item();
    double down = loss(a, ops.tensor(txt, b, p), ops.scalar(5.4f)).item();
    assertEquals(up, down, 0.0, "above the cap the loss is flat in logit_scale");
    assertEquals(naive(img, txt, b, p, LN100), loss(a, ops.tensor(txt, b, p), s).item(), 1e-5);
  }

  private static ClipModel tinyModel() {
    ClipTextConfig text = ClipTextConfig.of(16, 2, 2, 24).withVocabulary(40, 8, 1, 2, 2);
    ClipVisionConfig vision = ClipVisionConfig.of(8, 4, 16, 2, 2, 24);
    return new ClipModel(ops, new ClipConfig(text, vision, 8, ClipConfig.LOGIT_SCALE_INIT).withSeed(SEED));
  }

  private static Batch batch(SplittableRandom r) {
    int[] ids = {1, 7, 9, 2, 2, 1, 30, 2, 2, 2, 1, 5, 6, 11, 2};
    int[] mask = {1, 1, 1, 1, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1};
    return new Batch(
        new IntGrid(3, 5, ids), new IntGrid(3, 5, mask), null, null,
        new Pixels(3, 3, 8, 8, gaussian(r, 3 * 3 * 8 * 8)));
  }

  @Test
  void gradientsOfWeightsThroughBothTowersMatchCentralDifferences() {
    Objective contrastive =
        Objectives.installed().forName("contrastive").create(Map.of(), SpecialTokens.NONE, 40);
    assertInstanceOf(Contrastive.class, contrastive);
    ClipModel clip = tinyModel();
    ClipTrainable trainable = new ClipTrainable(clip);
    Batch batch = batch(new SplittableRandom(SEED + 2));
    Objective.Loss l = contrastive.loss(ops, trainable, batch, Forward.eval(0));
    assertEquals(3, l.count());
    assertTrue(l.correct() >= 0 && l.correct() <= 3);
    for (String name :
        new String[] {
          "logit_scale",
          "text_projection.weight",
          "visual_projection.weight",
          "text_model.encoder.layers.0.mlp.fc1.weight",
          "text_model.embeddings.position_embedding.weight",
          "vision_model.embeddings.patch_embedding.weight",
          "vision_model.embeddings.class_embedding",
          "vision_model.encoder.layers.1.self_attn.q_proj.weight"
        }) {
      Tensor original = clip.parameters().get(name);
      GradientCheck.check(
          "contrastive d/d " + name, ops,
          new float[][] {original.toFloatArray()}, new int[][] {original.shape().dims()},
          x -> {
            clip.setParameter(name, x[0]);
            return contrastive.loss(ops, trainable, batch, Forward.eval(0)).value();
          },
          // h 1e-3, not 1e-2: the embeddings (std 0.02) feed a LayerNorm that divides by their
          // spread, so a step of 1e-2 is far outside the linear range (both backends then agree
          // with each other and differ from the differences by ~6 %).
          1e-3, 1e-2, SEED);
      clip.setParameter(name, original);
    }
  }

  @Test
  void badBatchesAndOptionsAreNamed() {
    ClipTrainable trainable = new ClipTrainable(tinyModel());
    Batch textOnly = new Batch(new IntGrid(1, 2, new int[] {1, 2}), null, null, null);
    String e =
        assertThrows(
                IllegalArgumentException.class,
                () -> new Contrastive().loss(ops, trainable, textOnly, Forward.eval(0)))
            .getMessage();
    assertTrue(e.contains("no images (Batch.pixels)"), e);
    e =
        assertThrows(
                IllegalArgumentException.class,
                () -> Objectives.installed().forName("contrastive").create(Map.of("temp", "1"), SpecialTokens.NONE, 1))
            .getMessage();
    assertTrue(e.contains("unknown parameters [temp] (known: [max_scale])"), e);
    assertEquals(
        (float) Math.log(50),
        ((Contrastive)
                Objectives.installed().forName("contrastive").create(Map.of("max_scale", "50"), SpecialTokens.NONE, 1))
            .maxLogitScale(),
        1e-6);
  }
}
