package io.github.transformers4j.models.layers;

import io.github.transformers4j.api.Activation;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.models.nn.AbstractModule;
import java.util.SplittableRandom;

/**
 * The position-wise feed-forward network (Vaswani et al. 2017, §3.3): {@code FFN(x) = f(x·W₁ +
 * b₁)·W₂ + b₂}, applied to each position alike, with f ReLU in the original, exact GELU in BERT,
 * GELU's tanh approximation in GPT-2. The gated form (Shazeer 2020, GLU variants; T5 v1.1, mT5)
 * multiplies the activation by a second, linear projection: {@code FFN(x) = (f(x·W₀) ⊙ x·W₁)·W₂}.
 */
public final class FeedForward extends AbstractModule {

  /** Checkpoint names of the two projections and their weight layout. */
  public record Names(String in, String out, Linear.Layout layout) {
    /** GPT-2: {@code c_fc}, {@code c_proj} as {@code Conv1D}. */
    public static final Names GPT2 = new Names("c_fc", "c_proj", Linear.Layout.IN_OUT);

    /** BERT: {@code intermediate.dense}, {@code output.dense}. */
    public static final Names BERT =
        new Names("intermediate.dense", "output.dense", Linear.Layout.OUT_IN);

    /** BART / fairseq: {@code fc1}, {@code fc2}. */
    public static final Names BART = new Names("fc1", "fc2", Linear.Layout.OUT_IN);

    /** T5: {@code wi}, {@code wo} (no biases). */
    public static final Names T5 = new Names("wi", "wo", Linear.Layout.OUT_IN);

    /** T5 v1.1 / mT5 gated: {@code wi_0} (activated), {@code wo}; the gate is {@code wi_1}. */
    public static final Names T5_GATED = new Names("wi_0", "wo", Linear.Layout.OUT_IN);
  }

  private final Linear in;
  private final Linear gate;
  private final Linear out;
  private final Activation activation;
  private final Dropout innerDropout;

  /**
   * C → inner → C; {@code outStd} initializes the second projection (GPT-2 scales it down by
   * depth).
   */
  public FeedForward(
      Ops ops,
      int width,
      int inner,
      Activation activation,
      Names names,
      SplittableRandom rng,
      double std,
      double outStd) {
    this(ops, width, inner, activation, names, null, true, 0f, rng, std, outStd);
  }

  /**
   * C → inner → C, gated when {@code gateName} is not null (the linear projection multiplied into
   * the activation), with or without biases, with dropout on the inner activations in training
   * ({@code innerDropout}, T5's place for it; 0 for none).
   */
  public FeedForward(
      Ops ops,
      int width,
      int inner,
      Activation activation,
      Names names,
      String gateName,
      boolean bias,
      float innerDropout,
      SplittableRandom rng,
      double std,
      double outStd) {
    super(ops);
    this.in = child(names.in(), new Linear(ops, width, inner, names.layout(), bias, rng, std));
    this.gate =
        gateName == null
            ? null
            : child(gateName, new Linear(ops, width, inner, names.layout(), bias, rng, std));
    this.out = child(names.out(), new Linear(ops, inner, width, names.layout(), bias, rng, outStd));
    this.activation = activation;
    this.innerDropout = innerDropout > 0f ? child("dropout", new Dropout(ops, innerDropout)) : null;
  }

  /** {@code x} (B, T, C) → (B, T, C). */
  public Tensor forward(Tensor x) {
    Tensor h = ops.activation(activation, in.forward(x)); // (B, T, C) -> (B, T, inner)
    if (gate != null) {
      h = ops.mul(h, gate.forward(x));
    }
    if (innerDropout != null) {
      h = innerDropout.forward(h);
    }
    return out.forward(h);
  }
}
