package io.github.transformers4j.apps.cli;

import io.github.transformers4j.models.nn.WeightPrecision;
import picocli.CommandLine;

/** Parses {@code --quantize}: {@code int8}, {@code bf16} or {@code f32}; anything else lists them. */
public final class PrecisionConverter implements CommandLine.ITypeConverter<WeightPrecision> {
  @Override
  public WeightPrecision convert(String value) {
    try {
      return WeightPrecision.parse(value);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.TypeConversionException(e.getMessage());
    }
  }
}
