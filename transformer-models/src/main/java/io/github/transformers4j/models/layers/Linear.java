package io.github.transformers4j.models.layers;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.QuantizedWeight;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.models.nn.AbstractModule;
import io.github.transformers4j.models.nn.Parameter;
import io.github.transformers4j.models.nn.WeightPrecision;
import java.util.List;
import java.util.SplittableRandom;

/**
 * An affine map {@code y = x·W + b} over the last axis: (..., in) → (..., out).
 *
 * <p>Checkpoints store {@code W} in two layouts, and both are used as stored, without a copy, by
 * transposing inside the matrix product: PyTorch's {@code nn.Linear} (BERT, BART) keeps {@code
 * weight} as (out, in), GPT-2's {@code Conv1D} keeps it as (in, out).
 */
public final class Linear extends AbstractModule {

  /** How {@code weight} is laid out in the checkpoint. */
  public enum Layout {
    /** (out, in), PyTorch {@code nn.Linear}: {@code y = x·Wᵀ + b}. */
    OUT_IN,
    /** (in, out), GPT-2 {@code Conv1D}: {@code y = x·W + b}. */
    IN_OUT
  }

  private final Layout layout;
  private final int in;
  private final int out;
  private final Parameter weight;
  private final Parameter bias;
  private QuantizedWeight quantized;

  /**
   * A layer with weights from N(0, std²) and zero bias.
   *
   * @param bias whether there is a bias term
   */
  public Linear(
      Ops ops, int in, int out, Layout layout, boolean bias, SplittableRandom rng, double std) {
    super(ops);
    this.layout = layout;
    this.in = in;
    this.out = out;
    this.weight =
        layout == Layout.OUT_IN ? normal("weight", rng, std, out, in) : normal("weight", rng, std, in, out);
    this.bias = bias ? constant("bias", 0f, out) : null;
  }

  /** {@code x} (..., in) → (..., out). */
  public Tensor forward(Tensor x) {
    if (quantized != null) {
      return ops.linear(x, quantized, bias == null ? null : bias.get());
    }
    return ops.linear(x, weight.get(), layout == Layout.OUT_IN, bias == null ? null : bias.get());
  }

  /** Replaces the fp32 weight by its {@code precision} form (both layouts) and closes it. */
  @Override
  protected void quantizeOwn(WeightPrecision precision) {
    if (quantized != null) {
      throw new IllegalStateException("linear layer (" + in + " → " + out + ") is already quantized");
    }
    Tensor w = weight.get();
    quantized = QuantizedWeight.quantize(precision.format(), w.toFloatArray(), in, out, layout == Layout.OUT_IN);
    w.close();
  }

  @Override
  protected List<QuantizedWeight> quantizedWeights() {
    return quantized == null ? List.of() : List.of(quantized);
  }

  /** The reduced-precision weight, or null while the weight is fp32. */
  public QuantizedWeight quantized() {
    return quantized;
  }

  /** The input width. */
  public int in() {
    return in;
  }

  /** The output width. */
  public int out() {
    return out;
  }
}
