package io.github.transformers4j.training.spi;

import io.github.transformers4j.api.spi.NamedProvider;
import io.github.transformers4j.training.data.SpecialTokens;
import io.github.transformers4j.training.objectives.Objective;
import java.util.Map;
import java.util.Set;

/**
 * A named objective plugin, found by {@link java.util.ServiceLoader}: {@code provides
 * io.github.transformers4j.training.spi.ObjectiveProvider with ...} in a module descriptor (or a
 * {@code META-INF/services} file on the class path).
 */
public interface ObjectiveProvider extends NamedProvider {

  /** The option names {@link #create} accepts. */
  Set<String> options();

  /**
   * The objective configured by {@code options}, for a tokenizer with {@code specials} and a
   * vocabulary of {@code vocabSize}.
   *
   * @throws IllegalArgumentException for an unknown option (listing the known ones) or a bad value
   */
  Objective create(Map<String, String> options, SpecialTokens specials, int vocabSize);
}
