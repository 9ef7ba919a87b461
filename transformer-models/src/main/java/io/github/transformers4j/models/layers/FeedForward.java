package io.github.transformers4j.models.layers;

import io.github.transformers4j.api.Activation;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.models.nn.AbstractModule;
import java.util.SplittableRandom;

/**
 * The position-wise feed-forward network (Vaswani et al. 2017, §3.3): {@code FFN(x) = f(x·W₁ +
 * b₁)·W₂ + b₂}, applied to each position alike, with f ReLU in the original, exact GELU in BERT,
 * GELU's tanh approximation in GPT-2.
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
  }

  private final Linear in;
  private final Linear out;
  private final Activation activation;

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
    super(ops);
    this.in = child(names.in(), new Linear(ops, width, inner, names.layout(), true, rng, std));
    this.out = child(names.out(), new Linear(ops, inner, width, names.layout(), true, rng, outStd));
    this.activation = activation;
  }

  /** {@code x} (B, T, C) → (B, T, C). */
  public Tensor forward(Tensor x) {
    return out.forward(ops.activation(activation, in.forward(x)));
  }
}
