package io.github.transformers4j.it.parity;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.models.weights.Weights;
import java.util.HashMap;
import java.util.Map;

/**
 * A BERT encoder forward written directly over {@link Ops} from HF parameter names: the smallest
 * model that checks {@code OnnxWeights}' naming and transposition against ONNX Runtime on its own,
 * independent of the models module's encoder, and a harness to see where a forward's time goes.
 */
final class OpsBert {
  private final Ops ops;
  private final int layers;
  private final int heads;
  private final float eps;
  private final Map<String, Tensor> p = new HashMap<>();

  /** Nanoseconds per kind of op, accumulated when profiling (null otherwise). */
  private Map<String, Long> profile;

  OpsBert(Ops ops, Weights w, int layers, int heads, float eps) {
    this.ops = ops;
    this.layers = layers;
    this.heads = heads;
    this.eps = eps;
    for (String name : w.names()) {
      p.put(name, ops.tensor(w.floats(name), w.shape(name).dims()));
    }
  }

  /** Starts accumulating time per kind of op (matmul, attention, ...) into {@code into}. */
  void profileInto(Map<String, Long> into) {
    this.profile = into;
  }

  private <T> T timed(String kind, java.util.function.Supplier<T> op) {
    if (profile == null) {
      return op.get();
    }
    long t0 = System.nanoTime();
    T out = op.get();
    profile.merge(kind, System.nanoTime() - t0, Long::sum);
    return out;
  }

  /**
   * {@code last_hidden_state} (B, T, C) for ids, 0/1 attention mask and token types, each (B, T).
   */
  Tensor forward(int[] ids, int[] mask, int[] types, int b, int t) {
    Tensor e =
        timed(
            "embeddings",
            () ->
                ops.add(
                    ops.add(
                        ops.embedding(p("embeddings.word_embeddings.weight"), ops.ids(ids, b, t)),
                        ops.embedding(
                            p("embeddings.token_type_embeddings.weight"), ops.ids(types, b, t))),
                    ops.slice(p("embeddings.position_embeddings.weight"), 0, 0, t))); // (B, T, C)
    Tensor x = layerNorm(e, "embeddings.LayerNorm");
    float[] additive = new float[b * t];
    for (int i = 0; i < additive.length; i++) {
      additive[i] = mask[i] != 0 ? 0f : Float.NEGATIVE_INFINITY;
    }
    Tensor m = ops.tensor(additive, b, 1, 1, t); // padded keys get no weight
    int c = x.shape().dim(2);
    int hs = c / heads;
    for (int l = 0; l < layers; l++) {
      String pre = "encoder.layer." + l + ".";
      Tensor q = split(linear(x, pre + "attention.self.query"), b, t, hs);
      Tensor k = split(linear(x, pre + "attention.self.key"), b, t, hs);
      Tensor v = split(linear(x, pre + "attention.self.value"), b, t, hs);
      Tensor a0 =
          timed("attention", () -> ops.attention(q, k, v, m, false, (float) (1 / Math.sqrt(hs))));
      // (B, nh, T, hs) -> (B, T, C)
      Tensor a = timed("layout", () -> ops.reshape(ops.permute(a0, 0, 2, 1, 3), b, t, c));
      Tensor x1 = x;
      Tensor o = linear(a, pre + "attention.output.dense");
      Tensor r1 = timed("residual", () -> ops.add(x1, o));
      x = layerNorm(r1, pre + "attention.output.LayerNorm");
      Tensor h0 = linear(x, pre + "intermediate.dense");
      Tensor h = timed("gelu", () -> ops.gelu(h0));
      Tensor x2 = x;
      Tensor r2 = linear(h, pre + "output.dense");
      x = layerNorm(timed("residual", () -> ops.add(x2, r2)), pre + "output.LayerNorm");
    }
    return x;
  }

  private Tensor layerNorm(Tensor x, String name) {
    return timed("layer norm", () -> ops.layerNorm(x, p(name + ".weight"), p(name + ".bias"), eps));
  }

  private Tensor linear(Tensor x, String name) {
    // x (B, T, in) · weight (out, in)ᵀ + bias (out), the bias added inside the product
    return timed("linear", () -> ops.linear(x, p(name + ".weight"), true, p(name + ".bias")));
  }

  private Tensor split(Tensor x, int b, int t, int hs) {
    // (B, T, C) -> (B, nh, T, hs)
    return timed("layout", () -> ops.permute(ops.reshape(x, b, t, heads, hs), 0, 2, 1, 3));
  }

  private Tensor p(String name) {
    Tensor t = p.get(name);
    if (t == null) {
      throw new IllegalArgumentException("no weight " + name);
    }
    return t;
  }
}
