package io.github.transformers4j.it.archfixture.api;

import com.google.inject.Injector;

/**
 * Negative-control fixture: an api class that uses Guice, breaking "the api depends on the JDK
 * only" and "Guice only in apps".
 */
public final class LeakyTensorFactory {
  private final Injector injector;

  public LeakyTensorFactory(Injector injector) {
    this.injector = injector;
  }

  public Object create() {
    return injector.getInstance(CleanShape.class);
  }
}
