package io.github.transformers4j.serving;

import io.github.transformers4j.models.generation.GenerationConfig;
import io.github.transformers4j.models.generation.GenerationListener;
import io.github.transformers4j.models.generation.StopTextStreamer;
import io.github.transformers4j.models.tasks.TextGeneration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * One completion request as a worker runs it: for each prompt and each of its {@code n} choices,
 * a generation with its own decoding session (its own KV cache) over the shared model. Text
 * reaches the request's thread as {@link Event}s, piece by piece, so streaming and plain answers
 * are the same computation. Text is decoded by {@link StopTextStreamer}: stop strings end a choice
 * at their first occurrence (the text before it is kept); text that could be the start of a stop
 * string is held back until it is not.
 */
final class GenerationJob implements Runnable {
  /** What the request's thread receives. */
  sealed interface Event permits Piece, Finish, Done, Failed {}

  /** More text of choice {@code index}. */
  record Piece(int index, String text) implements Event {}

  /** Choice {@code index} ended: {@code stop} (a stop token or string) or {@code length}. */
  record Finish(int index, String reason) implements Event {}

  /** Every choice ended. */
  record Done(int promptTokens, int completionTokens) implements Event {}

  /** The job failed. */
  record Failed(ApiError error) implements Event {}

  /** One prompt: its ids and, for {@code echo}, its text. */
  record Prompt(int[] ids, String text) {}

  // Thrown from the listener to end a generation early (stop string, cancellation).
  private static final class Halt extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Halt() {
      super(null, null, false, false);
    }
  }

  final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
  private final ServedGenerator model;
  private final List<Prompt> prompts;
  private final int n;
  private final GenerationConfig config;
  private final List<String> stops;
  private final boolean echo;
  private final Metrics metrics;
  private volatile boolean cancelled;

  GenerationJob(
      ServedGenerator model, List<Prompt> prompts, int n, GenerationConfig config,
      List<String> stops, boolean echo, Metrics metrics) {
    this.model = model;
    this.prompts = prompts;
    this.n = n;
    this.config = config;
    this.stops = stops;
    this.echo = echo;
    this.metrics = metrics;
  }

  /** Asks the job to stop at its next token (the client left or its time ran out). */
  void cancel() {
    cancelled = true;
  }

  @Override
  public void run() {
    int promptTokens = 0;
    int completionTokens = 0;
    try {
      for (int p = 0; p < prompts.size(); p++) {
        promptTokens += prompts.get(p).ids().length;
        for (int j = 0; j < n; j++) {
          if (cancelled) {
            return;
          }
          // Choice j samples with seed + j, so choice 0 is what t4j generate --seed prints.
          completionTokens += choice(p * n + j, prompts.get(p), config.withSeed(config.seed() + j));
        }
      }
      events.add(new Done(promptTokens, completionTokens));
    } catch (Halt h) {
      // Cancelled: nobody waits for the events any more.
    } catch (ApiError e) {
      events.add(new Failed(e));
    } catch (IllegalArgumentException e) {
      events.add(new Failed(ApiError.invalid(null, e.getMessage())));
    } catch (RuntimeException | Error e) {
      java.util.logging.Logger.getLogger(GenerationJob.class.getName())
          .log(java.util.logging.Level.SEVERE, "generation failed", e);
      events.add(new Failed(new ApiError(500, "server_error",
          "the generation failed: " + (e.getMessage() == null ? "internal error" : e.getMessage()),
          null, null)));
    }
  }

  private int choice(int index, Prompt prompt, GenerationConfig g) {
    if (echo) {
      events.add(new Piece(index, prompt.text()));
    }
    StopTextStreamer streamer =
        new StopTextStreamer(model.tokenizer(), stops, text -> events.add(new Piece(index, text)));
    long t0 = System.nanoTime();
    GenerationListener listener =
        new GenerationListener() {
          @Override
          public void onToken(int row, int token) {
            if (cancelled || streamer.add(token)) {
              throw new Halt();
            }
          }
        };
    if (g.maxNewTokens() > 0) {
      try {
        TextGeneration.generate(model.model(), new int[][] {prompt.ids()}, g, listener);
      } catch (Halt h) {
        if (cancelled) {
          throw h;
        }
      }
    }
    boolean stopped =
        streamer.finish() || (streamer.tokenCount() > 0 && g.isStop(streamer.lastToken()));
    metrics.generation(prompt.ids().length, streamer.tokenCount(), (System.nanoTime() - t0) / 1e9);
    events.add(new Finish(index, stopped ? "stop" : "length"));
    return streamer.tokenCount();
  }
}
