package io.github.transformers4j.apps.commands;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.apps.cli.BackendChoice;
import io.github.transformers4j.apps.cli.Numbers;
import io.github.transformers4j.apps.cli.PositiveInt;
import io.github.transformers4j.apps.cli.PrecisionOption;
import io.github.transformers4j.serving.OpenAiServer;
import io.github.transformers4j.serving.ServerOptions;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code t4j serve}: an OpenAI-compatible HTTP server over model folders (the serving module's
 * {@link OpenAiServer}); the command parses options, prints {@code listening on http://HOST:PORT}
 * as the first line of stdout and runs until Ctrl-C (or SIGTERM), when it lets the requests in
 * flight finish.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Serve model folders over an OpenAI-compatible HTTP API: /v1/models, /v1/embeddings"
          + " (BERT-family and CLIP folders), /v1/completions and /v1/chat/completions (decoders and"
          + " encoder-decoders; streaming with \"stream\": true), /health and /metrics"
          + " (Prometheus). The model name is the folder name.",
      "Prints 'listening on http://HOST:PORT' first; Ctrl-C stops after the requests in flight."
    })
public final class ServeCommand implements Callable<Integer> {
  private final BackendChoice choice;
  private final ServeStop stop;

  @Spec private CommandSpec spec;

  @Option(
      names = "--model",
      required = true,
      paramLabel = "DIR",
      description = {
        "A Hugging Face folder to serve (repeatable): BERT, RoBERTa, ELECTRA or CLIP (its text tower) for embeddings;",
        "GPT-2, OPT, BART, T5, ... with a tokenizer for completions."
      })
  List<Path> models;

  @Option(
      names = "--port",
      defaultValue = "8080",
      description = "Port to listen on; 0 picks a free one (default ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--host",
      defaultValue = "127.0.0.1",
      description = "Address to bind (default ${DEFAULT-VALUE}: this machine only).")
  String host;

  @Option(
      names = "--workers",
      defaultValue = "2",
      converter = PositiveInt.class,
      description = "Generations run at once, each with its own KV cache (default ${DEFAULT-VALUE}).")
  int workers;

  @Option(
      names = "--queue",
      defaultValue = "64",
      converter = PositiveInt.class,
      description =
          "Requests that may wait for a worker or an embedding batch before the server answers"
              + " 429 (default ${DEFAULT-VALUE}).")
  int queue;

  @Option(
      names = "--batch-size",
      defaultValue = "32",
      converter = PositiveInt.class,
      description = "Most texts of concurrent embedding requests in one forward pass (default ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(
      names = "--batch-wait-ms",
      defaultValue = "5",
      converter = Numbers.NonNegativeInt.class,
      description = "How long the embedding batcher waits for more texts (default ${DEFAULT-VALUE}).")
  int batchWaitMs;

  @Option(
      names = "--timeout",
      defaultValue = "60",
      converter = PositiveInt.class,
      paramLabel = "SECONDS",
      description = "Most time a request may take, queue included; then 504 (default ${DEFAULT-VALUE}).")
  int timeout;

  @Option(
      names = "--pooling",
      defaultValue = "mean",
      description = "Embedding pooling: mean or cls, as t4j embed (default ${DEFAULT-VALUE}).")
  EmbedCommand.PoolingMode pooling;

  @Option(names = "--no-normalize", description = "Embeddings without L2 normalization.")
  boolean noNormalize;

  @Mixin PrecisionOption quantize;

  /** The command over the global backend choice, stopped by {@code stop}. */
  @Inject
  public ServeCommand(BackendChoice choice, ServeStop stop) {
    this.choice = choice;
    this.stop = stop;
  }

  @Override
  public Integer call() throws Exception {
    ServerOptions options;
    try {
      options =
          new ServerOptions(
              host, port, workers, queue, batchSize, batchWaitMs, timeout, pooling.name(), !noNormalize);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    // The JDK's HTTP server waits forever for a client that never finishes sending its request
    // unless this property (read once, when the first server is made) bounds it.
    if (System.getProperty("sun.net.httpserver.maxReqTime") == null) {
      System.setProperty("sun.net.httpserver.maxReqTime", Integer.toString(timeout));
    }
    try (ComputeBackend backend = choice.create();
        OpenAiServer server = OpenAiServer.start(new Ops(backend), models, quantize.get(), options)) {
      out.println("listening on " + server.url());
      out.flush();
      err.println("serving " + String.join(", ", server.models()) + " (Ctrl-C stops)");
      err.flush();
      // Ctrl-C runs shutdown hooks and then halts: the hook itself finishes the requests in flight.
      Thread hook = new Thread(() -> {
        stop.stop();
        server.close();
      }, "t4j-serve-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      try {
        stop.await();
      } finally {
        server.close();
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
          // The hook is running: nothing to remove.
        }
      }
    }
    return 0;
  }
}
