package io.github.transformers4j.apps.cli;

import picocli.CommandLine;

/** Parses a thread count, a size or a repeat count: a positive decimal integer, nothing else. */
public final class PositiveInt implements CommandLine.ITypeConverter<Integer> {
  @Override
  public Integer convert(String value) {
    int i;
    try {
      i = Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new CommandLine.TypeConversionException("'" + value + "' is not a positive integer");
    }
    if (i <= 0) {
      throw new CommandLine.TypeConversionException("'" + value + "' is not a positive integer");
    }
    return i;
  }
}
