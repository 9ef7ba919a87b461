package io.github.transformers4j.apps.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;

/**
 * The answer to {@code --version}: the project version (from a resource Maven fills at build time,
 * so it is right on the class path, the module path and in tests alike) and the running JVM.
 */
public final class VersionProvider implements CommandLine.IVersionProvider {

  /** The project version, or {@code "unknown"} when the resource is missing (an IDE build). */
  public static String projectVersion() {
    try (InputStream in = VersionProvider.class.getResourceAsStream("version.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      String v = p.getProperty("version", "unknown");
      // An unfiltered copy (resources copied by an IDE, not Maven) still holds the placeholder.
      return v.startsWith("${") ? "unknown" : v;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read version.properties", e);
    }
  }

  @Override
  public String[] getVersion() {
    return new String[] {
      "t4j " + projectVersion(),
      "Java "
          + Runtime.version()
          + " ("
          + System.getProperty("java.vendor", "?")
          + ", "
          + System.getProperty("java.vm.name", "?")
          + ") on "
          + System.getProperty("os.name", "?")
          + " "
          + System.getProperty("os.arch", "?")
    };
  }
}
