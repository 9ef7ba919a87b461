package io.github.transformers4j.models.weights;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the project's {@code shared/} reference data by walking up from the working directory. */
final class SharedFiles {
  private SharedFiles() {}

  /**
   * The file at {@code relative} under the nearest {@code shared/} directory above the working
   * directory; fails naming the path looked for when it is absent (a missing fixture must not
   * pass silently).
   */
  static Path require(String relative) {
    Path start = Path.of("").toAbsolutePath();
    for (Path dir = start; dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("shared").resolve(relative);
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    throw new AssertionError(
        "reference file shared/" + relative + " not found in any directory above " + start
            + " (expected e.g. " + start.getParent().resolve("shared").resolve(relative) + ")");
  }
}
