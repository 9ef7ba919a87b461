package io.github.transformers4j.clip;

import io.github.transformers4j.api.Activation;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.models.layers.Activations;
import io.github.transformers4j.models.layers.Linear;
import io.github.transformers4j.models.nn.AbstractModule;
import java.util.SplittableRandom;

/**
 * CLIP's feed-forward network, {@code fc2(f(fc1(x)))}, with f CLIP's {@code quick_gelu}, x·σ(1.702x)
 * (the sigmoid approximation of GELU that OpenAI trained with), or any activation {@link
 * Activations} names.
 *
 * <p>Why not {@code models.layers.FeedForward}: it takes a backend {@link Activation}, and quick_gelu
 * is not one. It is composed here from three kernels (scale, sigmoid, multiply), each with its
 * backward, rather than added to the kernel SPI, which would need a kernel in every backend; the
 * element-wise cost is small beside the two products (under 10 % of a ViT-B/32 layer).
 */
final class ClipMlp extends AbstractModule {
  /** Hugging Face's name of x·σ(1.702x). */
  static final String QUICK_GELU = "quick_gelu";

  /** The slope of quick_gelu's sigmoid. */
  static final float QUICK_GELU_SLOPE = 1.702f;

  private final Linear fc1;
  private final Linear fc2;
  private final Activation activation; // null for quick_gelu

  ClipMlp(Ops ops, int width, int inner, String act, SplittableRandom rng, double fc1Std, double fc2Std) {
    super(ops);
    this.fc1 = child("fc1", new Linear(ops, width, inner, Linear.Layout.OUT_IN, true, rng, fc1Std));
    this.fc2 = child("fc2", new Linear(ops, inner, width, Linear.Layout.OUT_IN, true, rng, fc2Std));
    this.activation = QUICK_GELU.equals(act) ? null : Activations.fromName("hidden_act", act);
  }

  /** Fails naming {@code field} when {@code act} is neither quick_gelu nor a known activation. */
  static void checkActivation(String field, String act) {
    if (act == null) {
      throw new IllegalArgumentException(field + " is missing");
    }
    if (!QUICK_GELU.equals(act)) {
      try {
        Activations.fromName(field, act);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(e.getMessage() + ", quick_gelu", e);
      }
    }
  }

  /** quick_gelu(x) = x·σ(1.702x), composed from kernels so the tape differentiates it. */
  static Tensor quickGelu(Ops ops, Tensor x) {
    return ops.mul(x, ops.sigmoid(ops.scale(x, QUICK_GELU_SLOPE)));
  }

  /** {@code x} (B, T, C) → (B, T, C). */
  Tensor forward(Tensor x) {
    Tensor h = fc1.forward(x); // (B, T, C) -> (B, T, inner)
    h = activation == null ? quickGelu(ops, h) : ops.activation(activation, h);
    return fc2.forward(h);
  }
}
