package io.github.transformers4j.apps;

import com.google.inject.Injector;
import picocli.CommandLine;

/**
 * Creates Picocli's commands, converters and version provider through Guice, so a command declares
 * the services it needs in its constructor.
 *
 * <p>Only classes of this module go to Guice. Picocli also asks the factory for collections ({@code
 * ArrayList} for a list option) and for its own help mixin; those are plain objects with no
 * collaborators, left to Picocli's default factory.
 */
public final class GuiceFactory implements CommandLine.IFactory {
  private final Injector injector;

  /** A factory over {@code injector}. */
  public GuiceFactory(Injector injector) {
    this.injector = injector;
  }

  @Override
  public <K> K create(Class<K> type) throws Exception {
    if (type.getModule() == GuiceFactory.class.getModule()
        && type.getPackageName().startsWith("io.github.transformers4j.apps")) {
      return injector.getInstance(type);
    }
    return CommandLine.defaultFactory().create(type);
  }
}
