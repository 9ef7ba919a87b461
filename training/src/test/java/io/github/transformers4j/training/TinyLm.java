package io.github.transformers4j.training;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.training.data.Rng;
import io.github.transformers4j.training.objectives.Forward;
import io.github.transformers4j.training.objectives.SequenceModel;
import io.github.transformers4j.training.objectives.TokenModel;
import io.github.transformers4j.training.optim.Parameter;
import io.github.transformers4j.training.optim.ParameterSet;

/**
 * A test model with every parameter kind: token embedding, dropout, layer norm, a linear head with
 * bias. Per-token logits (a bigram LM) or, mean-pooled, per-sequence logits.
 */
public final class TinyLm implements TokenModel, SequenceModel {
  final Ops ops;
  final ParameterSet params = new ParameterSet();
  final float dropout;
  final int c;
  final int out;

  public TinyLm(Ops ops, int vocab, int c, int out, float dropout, long seed) {
    this.ops = ops;
    this.c = c;
    this.out = out;
    this.dropout = dropout;
    Rng r = new Rng(seed);
    params.add(Parameter.of("wte.weight", ops.tensor(randn(r, vocab * c, 0.5f), vocab, c)));
    params.add(Parameter.of("ln.weight", ops.tensor(fill(c, 1f), c)));
    params.add(Parameter.of("ln.bias", ops.tensor(fill(c, 0f), c)));
    params.add(Parameter.of("head.weight", ops.tensor(randn(r, c * out, 0.2f), c, out)));
    params.add(Parameter.of("head.bias", ops.tensor(fill(out, 0f), out)));
  }

  static float[] randn(Rng r, int n, float std) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) ((r.nextDouble() * 2 - 1) * std * 1.7);
    }
    return a;
  }

  static float[] fill(int n, float v) {
    float[] a = new float[n];
    java.util.Arrays.fill(a, v);
    return a;
  }

  @Override
  public ParameterSet parameterSet() {
    return params;
  }

  private Tensor hidden(Ops ops, Tensor ids, Forward pass) {
    int b = ids.shape().dim(0);
    int t = ids.shape().dim(1);
    Tensor x = ops.embedding(params.get("wte.weight").get(), ids); // (B, T, C)
    x = ops.dropout(x, pass.dropout(dropout), pass.seedFor(0));
    x = ops.layerNorm(x, params.get("ln.weight").get(), params.get("ln.bias").get(), 1e-5f);
    return ops.reshape(x, b * t, c);
  }

  @Override
  public Tensor forward(Ops ops, Tensor ids, Tensor mask, Forward pass) {
    int b = ids.shape().dim(0);
    int t = ids.shape().dim(1);
    Tensor x = hidden(ops, ids, pass);
    Tensor logits =
        ops.add(ops.matmul(x, params.get("head.weight").get()), params.get("head.bias").get());
    return ops.reshape(logits, b, t, out);
  }

  /** Sequence logits: the mean of the per-token logits (B, T, K) over T → (B, K). */
  public Tensor classify(Ops ops, Tensor ids, Tensor mask, Forward pass) {
    return ops.mean(forward(ops, ids, mask, pass), 1, false);
  }

  /** A view of this model as a sequence classifier. */
  public SequenceModel asClassifier() {
    TinyLm self = this;
    return new SequenceModel() {
      @Override
      public ParameterSet parameterSet() {
        return self.params;
      }

      @Override
      public Tensor forward(Ops ops, Tensor ids, Tensor mask, Forward pass) {
        return self.classify(ops, ids, mask, pass);
      }
    };
  }
}
