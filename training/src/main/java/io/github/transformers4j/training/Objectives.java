package io.github.transformers4j.training;

import io.github.transformers4j.api.registry.NamedRegistry;
import io.github.transformers4j.training.spi.ObjectiveProvider;
import java.util.ServiceLoader;

/** The installed objectives by name (built in: clm, mlm, seq2seq, classify, tokens). */
public final class Objectives {
  private Objectives() {}

  private static final class Holder {
    static final NamedRegistry<ObjectiveProvider> INSTALLED =
        NamedRegistry.load(
            "objective", ObjectiveProvider.class, ServiceLoader.load(ObjectiveProvider.class));
  }

  /** The objectives found by {@link ServiceLoader}; {@code forName} lists the names on a miss. */
  public static NamedRegistry<ObjectiveProvider> installed() {
    return Holder.INSTALLED;
  }
}
