/**
 * The {@code t4j} command line: Picocli commands built by a Guice injector. The only module that
 * uses Guice and Picocli; it finds compute backends through the registry, never by name of class.
 */
module io.github.transformers4j.apps {
  requires io.github.transformers4j.api;
  requires io.github.transformers4j.tokenizers;
  requires io.github.transformers4j.training;
  requires io.github.transformers4j.clip;
  // t4j serve wires the OpenAI-compatible server.
  requires io.github.transformers4j.serving;
  requires info.picocli;
  requires com.google.guice;
  requires jakarta.inject;
  requires java.logging;
  // The task commands print --json results.
  requires com.google.gson;
  // t4j bench train reports the collectors' share of the training time.
  requires java.management;

  // Picocli sets option fields and calls option setters reflectively; Guice calls the @Inject
  // constructors (the shared options holder, converters and version provider in cli too).
  // Neither needs more than these packages.
  opens io.github.transformers4j.apps to
      info.picocli,
      com.google.guice;
  opens io.github.transformers4j.apps.commands to
      info.picocli,
      com.google.guice;
  opens io.github.transformers4j.apps.commands.clip to
      info.picocli,
      com.google.guice;
  opens io.github.transformers4j.apps.cli to
      info.picocli,
      com.google.guice;

  uses io.github.transformers4j.api.spi.BackendProvider;
}
