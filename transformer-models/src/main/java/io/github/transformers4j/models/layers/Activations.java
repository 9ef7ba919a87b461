package io.github.transformers4j.models.layers;

import io.github.transformers4j.api.Activation;
import java.util.Locale;

/** Hugging Face activation names ({@code hidden_act}, {@code activation_function}) to kernels. */
public final class Activations {
  private Activations() {}

  /**
   * The activation named {@code name} in a configuration: {@code relu}, {@code gelu} (exact, erf),
   * {@code gelu_new} / {@code gelu_pytorch_tanh} (the tanh approximation), {@code silu} / {@code
   * swish}.
   *
   * @param field the configuration field, for the message
   * @throws IllegalArgumentException naming the field and the supported names
   */
  public static Activation fromName(String field, String name) {
    if (name == null) {
      throw new IllegalArgumentException(field + " is missing");
    }
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "relu" -> Activation.RELU;
      case "gelu" -> Activation.GELU;
      case "gelu_new", "gelu_pytorch_tanh", "gelu_fast" -> Activation.GELU_TANH;
      case "silu", "swish" -> Activation.SILU;
      case "tanh" -> Activation.TANH;
      default ->
          throw new IllegalArgumentException(
              field + " '" + name + "' is not supported; use relu, gelu, gelu_new (tanh), silu");
    };
  }
}
