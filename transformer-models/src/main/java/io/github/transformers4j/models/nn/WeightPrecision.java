package io.github.transformers4j.models.nn;

import io.github.transformers4j.api.QuantizedWeight;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The precision in which a model holds its matmul weights for inference: fp32 as trained, or
 * reduced to bf16 or int8 (per-output-channel symmetric) at load time ({@link
 * AbstractModule#quantize}). Norms, biases and position tables stay fp32: they are a sliver of the
 * bytes and are added, not multiplied through a whole layer.
 */
public enum WeightPrecision {
  /** float32, as loaded. */
  F32(null),
  /** bfloat16 weights: half the bytes, 8 mantissa bits. */
  BF16(QuantizedWeight.Format.BF16),
  /** int8 weights with one float scale per output channel: a quarter of the bytes. */
  INT8(QuantizedWeight.Format.INT8);

  private final QuantizedWeight.Format format;

  WeightPrecision(QuantizedWeight.Format format) {
    this.format = format;
  }

  /** The quantized format, or null for {@link #F32}. */
  public QuantizedWeight.Format format() {
    return format;
  }

  /** The lower-case name used on command lines ({@code f32}, {@code bf16}, {@code int8}). */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The precision named {@code name} (case-insensitive; {@code fp32} and {@code float32} for
   * {@link #F32}).
   *
   * @throws IllegalArgumentException naming the value and listing the valid ones
   */
  public static WeightPrecision parse(String name) {
    String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    if (n.equals("fp32") || n.equals("float32")) {
      return F32;
    }
    for (WeightPrecision p : values()) {
      if (p.label().equals(n)) {
        return p;
      }
    }
    throw new IllegalArgumentException(
        "unknown weight precision '" + name + "'; valid: "
            + Arrays.stream(values()).map(WeightPrecision::label).collect(Collectors.joining(", ")));
  }
}
