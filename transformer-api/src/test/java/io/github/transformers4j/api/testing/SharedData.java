package io.github.transformers4j.api.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the repository's reference data (fixtures, data sets) in its top-level {@code testdata/}
 * folder, whose {@code README.md} gives each file's origin and license. Shipped in the api's
 * test-jar so every module's tests locate it the same way. Nothing outside the clone is read: a
 * user's clone has only the repository.
 */
public final class SharedData {
  private SharedData() {}

  /**
   * The file or folder at {@code relative} under the repository's {@code testdata/} folder, e.g.
   * {@code "data/tinyshakespeare.txt"}, {@code "tokenizers/gpt2/encoder.json"} or {@code
   * "models/tiny-random-gpt2"}. A leading {@code fixtures/} (the layout of the data's first home)
   * is accepted and dropped. Fails naming the path it expected when the file is absent, so a
   * missing fixture never passes silently.
   */
  public static Path require(String relative) {
    String inRepo = relative.startsWith("fixtures/") ? relative.substring("fixtures/".length()) : relative;
    Path root = repositoryRoot();
    Path file = root.resolve("testdata").resolve(inRepo);
    if (!Files.exists(file)) {
      throw new AssertionError(
          "test data file testdata/" + inRepo + " is missing: expected " + file
              + " (the repository's testdata/README.md lists what belongs there)");
    }
    return file;
  }

  /**
   * The repository root: the nearest folder at or above the working directory (Surefire runs in
   * the module folder) that holds both a {@code pom.xml} and a {@code testdata/} folder.
   */
  public static Path repositoryRoot() {
    Path start = Path.of("").toAbsolutePath();
    for (Path dir = start; dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("pom.xml")) && Files.isDirectory(dir.resolve("testdata"))) {
        return dir;
      }
    }
    throw new AssertionError(
        "no repository root (a folder with pom.xml and testdata/) at or above " + start
            + "; the tests' reference data lives in the repository's testdata/ folder");
  }
}
