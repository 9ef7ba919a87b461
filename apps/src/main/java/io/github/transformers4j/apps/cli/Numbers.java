package io.github.transformers4j.apps.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Converters that check a number's range when the command line is parsed, so that {@code --steps
 * -5} is refused naming the option, before anything runs.
 */
public final class Numbers {
  private Numbers() {}

  /** A count that must be at least 1 ({@code --steps}). */
  public static final class PositiveLong implements ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
      long v = parseLong(value, "a positive integer");
      if (v <= 0) {
        throw new TypeConversionException("'" + value + "' is not a positive integer");
      }
      return v;
    }
  }

  /** A count that may be 0 ({@code --warmup}, {@code --eval-every}). */
  public static final class NonNegativeLong implements ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
      long v = parseLong(value, "an integer >= 0");
      if (v < 0) {
        throw new TypeConversionException("'" + value + "' is negative; expected an integer >= 0");
      }
      return v;
    }
  }

  /** A count that may be 0, as an int ({@code --eval-batches}). */
  public static final class NonNegativeInt implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
      long v = new NonNegativeLong().convert(value);
      if (v > Integer.MAX_VALUE) {
        throw new TypeConversionException("'" + value + "' is too large");
      }
      return (int) v;
    }
  }

  /** A rate that must be above 0 ({@code --lr}, {@code --temperature}). */
  public static final class PositiveDouble implements ITypeConverter<Double> {
    @Override
    public Double convert(String value) {
      double v = parseDouble(value);
      if (!(v > 0) || Double.isInfinite(v)) {
        throw new TypeConversionException("'" + value + "' is not a number above 0");
      }
      return v;
    }
  }

  /** A value that may be 0 ({@code --min-lr}, {@code --weight-decay}, {@code --clip}). */
  public static final class NonNegativeDouble implements ITypeConverter<Double> {
    @Override
    public Double convert(String value) {
      double v = parseDouble(value);
      if (!(v >= 0) || Double.isInfinite(v)) {
        throw new TypeConversionException("'" + value + "' is not a number >= 0");
      }
      return v;
    }
  }

  /** A share in [0, 1) ({@code --val-fraction}). */
  public static final class Fraction implements ITypeConverter<Double> {
    @Override
    public Double convert(String value) {
      double v = parseDouble(value);
      if (!(v >= 0 && v < 1)) {
        throw new TypeConversionException("'" + value + "' is not in [0, 1)");
      }
      return v;
    }
  }

  /** A probability in [0, 1) as a float ({@code --dropout}, {@code --label-smoothing}). */
  public static final class Probability implements ITypeConverter<Float> {
    @Override
    public Float convert(String value) {
      return new Fraction().convert(value).floatValue();
    }
  }

  /** A float above 0 ({@code --temperature}). */
  public static final class PositiveFloat implements ITypeConverter<Float> {
    @Override
    public Float convert(String value) {
      return new PositiveDouble().convert(value).floatValue();
    }
  }

  /** A probability mass in (0, 1] ({@code --top-p}). */
  public static final class TopP implements ITypeConverter<Float> {
    @Override
    public Float convert(String value) {
      double v = parseDouble(value);
      if (!(v > 0 && v <= 1)) {
        throw new TypeConversionException("'" + value + "' is not in (0, 1]");
      }
      return (float) v;
    }
  }

  private static long parseLong(String value, String expected) {
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw new TypeConversionException("'" + value + "' is not " + expected);
    }
  }

  private static double parseDouble(String value) {
    try {
      return Double.parseDouble(value.trim());
    } catch (NumberFormatException e) {
      throw new TypeConversionException("'" + value + "' is not a number");
    }
  }
}
