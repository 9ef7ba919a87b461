package io.github.transformers4j.training.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.training.TestOps;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OptimizerTest {
  final Ops ops = TestOps.reference();

  @Test
  void adamWTwoStepsMatchHandComputation() {
    Parameter w = Parameter.of("layer.weight", ops.tensor(new float[] {1f, -2f, 0.5f, 3f}, 2, 2));
    Parameter b = Parameter.of("layer.bias", ops.tensor(new float[] {0.1f, -0.1f}, 2));
    ParameterSet ps = ParameterSet.of(java.util.List.of(w, b));
    AdamW adam = new AdamW(0.9, 0.99, 1e-8, 0.1, false);
    double[] wv = {1, -2, 0.5, 3};
    double[] bv = {0.1, -0.1};
    double[][] gw = {{0.5, -1, 2, 0.25}, {-0.3, 0.7, 0.1, 1.5}};
    double[][] gb = {{1, 2}, {-1, 0.5}};
    double[] mw = new double[4];
    double[] vw = new double[4];
    double[] mb = new double[2];
    double[] vb = new double[2];
    double lr = 0.01;
    for (int t = 1; t <= 2; t++) {
      GradientBuffer g = new GradientBuffer();
      g.add("layer.weight", toF(gw[t - 1]));
      g.add("layer.bias", toF(gb[t - 1]));
      adam.step(ps, g, lr);
      hand(wv, gw[t - 1], mw, vw, t, lr, 0.1);
      hand(bv, gb[t - 1], mb, vb, t, lr, 0.0); // biases are not decayed
    }
    assertArrayEquals(toF(wv), w.get().toFloatArray(), 1e-6f);
    assertArrayEquals(toF(bv), b.get().toFloatArray(), 1e-6f);
    assertEquals(2, adam.steps());
  }

  static void hand(double[] p, double[] g, double[] m, double[] v, int t, double lr, double wd) {
    for (int i = 0; i < p.length; i++) {
      p[i] *= 1 - lr * wd;
      m[i] = 0.9 * m[i] + 0.1 * g[i];
      v[i] = 0.99 * v[i] + 0.01 * g[i] * g[i];
      double mh = m[i] / (1 - Math.pow(0.9, t));
      double vh = v[i] / (1 - Math.pow(0.99, t));
      p[i] -= lr * mh / (Math.sqrt(vh) + 1e-8);
    }
  }

  static float[] toF(double[] d) {
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      f[i] = (float) d[i];
    }
    return f;
  }

  @Test
  void adamWDecaysOnlyWeightsUnlessEmbeddingsAsked() {
    for (boolean embeddings : new boolean[] {false, true}) {
      Parameter w = Parameter.of("h.0.mlp.c_fc.weight", ops.tensor(new float[] {2f, 2f}, 1, 2));
      Parameter e = Parameter.of("wte.weight", ops.tensor(new float[] {2f, 2f}, 1, 2));
      Parameter n = Parameter.of("ln_f.weight", ops.tensor(new float[] {2f}, 1));
      Parameter b = Parameter.of("h.0.mlp.c_fc.bias", ops.tensor(new float[] {2f}, 1));
      assertEquals(Parameter.Kind.EMBEDDING, e.kind());
      assertEquals(Parameter.Kind.NORM, n.kind());
      assertEquals(Parameter.Kind.BIAS, b.kind());
      ParameterSet ps = ParameterSet.of(java.util.List.of(w, e, n, b));
      GradientBuffer g = new GradientBuffer();
      g.add(w.name(), new float[2]);
      g.add(e.name(), new float[2]);
      g.add(n.name(), new float[1]);
      g.add(b.name(), new float[1]);
      new AdamW(0.9, 0.999, 1e-8, 0.5, embeddings).step(ps, g, 0.1); // zero gradients: decay only
      assertEquals(2f * 0.95f, w.get().toFloatArray()[0], 1e-6f);
      assertEquals(embeddings ? 1.9f : 2f, e.get().toFloatArray()[0], 1e-6f);
      assertEquals(2f, n.get().toFloatArray()[0], 0f);
      assertEquals(2f, b.get().toFloatArray()[0], 0f);
    }
  }

  @Test
  void sgdMomentumMatchesHandComputation() {
    Parameter w = Parameter.of("w.weight", ops.tensor(new float[] {1f, 2f}, 1, 2));
    ParameterSet ps = ParameterSet.of(java.util.List.of(w));
    Sgd sgd = new Sgd(0.9, 0, false);
    double[] p = {1, 2};
    double[] buf = new double[2];
    double[][] gs = {{1, -1}, {0.5, 0.5}, {-2, 1}};
    for (int t = 0; t < 3; t++) {
      GradientBuffer g = new GradientBuffer();
      g.add("w.weight", toF(gs[t]));
      sgd.step(ps, g, 0.1);
      for (int i = 0; i < 2; i++) {
        buf[i] = t == 0 ? gs[t][i] : 0.9 * buf[i] + gs[t][i];
        p[i] -= 0.1 * buf[i];
      }
    }
    assertArrayEquals(toF(p), w.get().toFloatArray(), 1e-6f);
  }

  @Test
  void stateRestoresAndNamesBadEntries() {
    Parameter w = Parameter.of("w.weight", ops.tensor(new float[] {1f, 2f}, 1, 2));
    ParameterSet ps = ParameterSet.of(java.util.List.of(w));
    AdamW a = new AdamW(0.01);
    GradientBuffer g = new GradientBuffer();
    g.add("w.weight", new float[] {1, 1});
    a.step(ps, g, 0.1);
    AdamW b = new AdamW(0.01);
    b.restore(a.state(), a.steps(), ps);
    assertArrayEquals(a.state().get("exp_avg.w.weight"), b.state().get("exp_avg.w.weight"));
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> b.restore(Map.of("exp_avg.w.weight", new float[3]), 1, ps));
    org.junit.jupiter.api.Assertions.assertTrue(
        e.getMessage().contains("w.weight"), e.getMessage());
  }

  @Test
  void clippingScalesToMaxNormLikePyTorch() {
    GradientBuffer g = new GradientBuffer();
    g.add("a", new float[] {3f, 0f});
    g.add("b", new float[] {0f, 4f});
    assertEquals(5.0, g.clipGlobalNorm(1.0), 1e-9);
    assertEquals(1.0, g.globalNorm(), 1e-5);
    assertArrayEquals(new float[] {0.6f, 0f}, g.get("a"), 1e-6f);
    GradientBuffer small = new GradientBuffer();
    small.add("a", new float[] {0.3f, 0.4f});
    small.clipGlobalNorm(1.0);
    assertArrayEquals(new float[] {0.3f, 0.4f}, small.get("a"), 0f); // under the limit: untouched
  }

  @Test
  void schedulesWarmUpThenDecay() {
    LrSchedule cos = LrSchedule.cosine(1e-3, 1e-4, 100, 2000);
    assertEquals(1e-5, cos.at(0), 1e-12);
    assertEquals(1e-3, cos.at(99), 1e-12);
    assertEquals(1e-3, cos.at(100), 1e-12);
    assertEquals((1e-3 + 1e-4) / 2, cos.at(1050), 1e-12); // cosine midpoint
    assertEquals(1e-4, cos.at(2000), 1e-12);
    assertEquals(1e-4, cos.at(5000), 1e-12);
    LrSchedule lin = LrSchedule.linear(1.0, 0.0, 10, 110);
    assertEquals(0.5, lin.at(60), 1e-12);
    assertEquals(0.0, lin.at(110), 1e-12);
    for (long s = 101; s < 2000; s++) {
      org.junit.jupiter.api.Assertions.assertTrue(cos.at(s) <= cos.at(s - 1) + 1e-15);
    }
    assertThrows(IllegalArgumentException.class, () -> LrSchedule.cosine(1e-3, 1e-2, 0, 10));
  }
}
