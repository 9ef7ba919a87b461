package io.github.transformers4j.api.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the project's {@code shared/} reference data (fixtures, data sets; see
 * {@code ../shared/REFERENCES.md}) by walking up from the working directory. Shipped in the api's
 * test-jar so every module's tests locate it the same way.
 */
public final class SharedData {
  private SharedData() {}

  /**
   * The file or folder at {@code relative} under the nearest {@code shared/} directory above the
   * working directory; fails naming the path looked for when it is absent, so a missing fixture
   * never passes silently.
   */
  public static Path require(String relative) {
    Path start = Path.of("").toAbsolutePath();
    for (Path dir = start; dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("shared").resolve(relative);
      if (Files.exists(candidate)) {
        return candidate;
      }
    }
    throw new AssertionError(
        "reference data shared/" + relative + " not found in any directory above " + start
            + " (expected e.g. " + start.getParent().resolve("shared").resolve(relative)
            + "; see shared/REFERENCES.md)");
  }
}
