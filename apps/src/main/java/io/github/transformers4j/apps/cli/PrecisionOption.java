package io.github.transformers4j.apps.cli;

import io.github.transformers4j.models.nn.AbstractModule;
import io.github.transformers4j.models.nn.WeightPrecision;
import java.io.PrintWriter;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * The {@code --quantize} option of every command that loads a model for inference ({@code
 * generate}, {@code embed}, {@code eval}), and the line {@code --verbose} prints about the
 * weights it loaded.
 */
public final class PrecisionOption {
  @Option(
      names = "--quantize",
      paramLabel = "PRECISION",
      defaultValue = "f32",
      converter = PrecisionConverter.class,
      description =
          "Hold the matmul weights in int8 (per output channel) or bf16 for inference; f32 keeps"
              + " them as stored (default ${DEFAULT-VALUE}).")
  WeightPrecision precision;

  /** The precision chosen (f32 unless {@code --quantize} says otherwise). */
  public WeightPrecision get() {
    return precision;
  }

  /** With {@code --verbose}: the resident size of {@code model}'s weights in that precision. */
  public void report(BackendChoice choice, PrintWriter err, AbstractModule model) {
    if (choice.verbose()) {
      err.printf(
          Locale.ROOT, "weights: %s, %.1f MB resident%n", precision.label(), model.weightBytes() / 1e6);
    }
  }
}
