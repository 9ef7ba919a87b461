package io.github.transformers4j.tokenizers;

import io.github.transformers4j.api.testing.SharedData;
import java.nio.file.Path;

/** The tokenizer fixtures under the repository's {@code testdata/tokenizers}; fails if absent. */
public final class Fixtures {
  private Fixtures() {}

  /** {@code testdata/tokenizers/<relative>}, which must exist. */
  public static Path tokenizers(String relative) {
    return SharedData.require("tokenizers/" + relative);
  }
}
