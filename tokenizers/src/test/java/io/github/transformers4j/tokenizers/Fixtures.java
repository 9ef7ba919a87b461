package io.github.transformers4j.tokenizers;

import io.github.transformers4j.api.testing.SharedData;
import java.nio.file.Path;

/** The tokenizer fixtures under {@code shared/fixtures/tokenizers}; fails if absent. */
public final class Fixtures {
  private Fixtures() {}

  /** {@code shared/fixtures/tokenizers/<relative>}, which must exist. */
  public static Path tokenizers(String relative) {
    return SharedData.require("fixtures/tokenizers/" + relative);
  }
}
