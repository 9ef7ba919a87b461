package io.github.transformers4j.tokenizers;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the shared reference data by walking up from the working directory; fails if absent. */
public final class Fixtures {
  private Fixtures() {}

  /** {@code shared/fixtures/tokenizers/<relative>}, which must exist. */
  public static Path tokenizers(String relative) {
    Path start = Path.of("").toAbsolutePath();
    for (Path p = start; p != null; p = p.getParent()) {
      Path shared = p.resolve("shared");
      if (Files.isDirectory(shared.resolve("fixtures/tokenizers"))) {
        Path f = shared.resolve("fixtures/tokenizers").resolve(relative);
        if (!Files.exists(f)) {
          throw new AssertionError("fixture missing: " + f);
        }
        return f;
      }
    }
    throw new AssertionError(
        "no shared/fixtures/tokenizers above " + start + " (expected ../shared/fixtures/tokenizers"
            + " next to the project, see shared/REFERENCES.md)");
  }
}
