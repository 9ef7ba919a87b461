package io.github.transformers4j.training;

import io.github.transformers4j.api.Gradients;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Shape;
import io.github.transformers4j.api.Tape;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.training.checkpoint.Checkpoint;
import io.github.transformers4j.training.data.Batch;
import io.github.transformers4j.training.data.BatchSource;
import io.github.transformers4j.training.data.Rng;
import io.github.transformers4j.training.distributed.Collective;
import io.github.transformers4j.training.distributed.DataParallel;
import io.github.transformers4j.training.metrics.LossPlot;
import io.github.transformers4j.training.metrics.MetricsLog;
import io.github.transformers4j.training.metrics.ProgressBar;
import io.github.transformers4j.training.objectives.Forward;
import io.github.transformers4j.training.objectives.Objective;
import io.github.transformers4j.training.objectives.Trainable;
import io.github.transformers4j.training.optim.GradientBuffer;
import io.github.transformers4j.training.optim.Optimizer;
import io.github.transformers4j.training.optim.ParameterSet;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The training loop: micro-batches with gradient accumulation, clipping, the optimizer step with
 * the scheduled rate, periodic evaluation, metrics, checkpoints and exact resume.
 *
 * <p>Exact resume: everything a step depends on is in the checkpoint or derived from it. The
 * parameters and optimizer moments are stored as F32 bit for bit, the data position is the batch
 * source's state, and the seeds of dropout and MLM masking are pure functions of (run seed, step,
 * micro-batch), so a resumed run computes the same losses as one never stopped.
 *
 * <p>Data parallelism ({@link #dataParallel}): every replica runs this loop on its own shard;
 * replica {@code r} of {@code N} draws the pass seeds of micro-batches {@code r·A .. r·A+A-1} of a
 * single run accumulating {@code N·A}, the gradients are summed over the replicas before clipping
 * and the optimizer step, and only replica 0 writes the checkpoint (with every replica's data
 * position), metrics and exports. So {@code N} replicas train exactly as one replica with {@code N}
 * times the accumulation, up to the order of float additions.
 *
 * <p>Thread safety: one training run at a time per instance; not to be shared by threads while it
 * trains.
 */
public final class Trainer {
  private final Ops ops;
  private final Trainable model;
  private final Objective objective;
  private final Optimizer optimizer;
  private final TrainerConfig config;
  private final PrintStream progressOut;
  private final Map<String, String> extra = new LinkedHashMap<>();
  private OutputFolder folder;
  private Export export;
  private DataParallel parallel;
  private volatile Path outDir;
  private volatile boolean stopRequested;
  private final CountDownLatch stopped = new CountDownLatch(1);

  /** What a run did. */
  public record Result(
      long step, List<Double> losses, double lastValLoss, boolean interrupted, long tokens) {}

  /** A trainer; progress goes to {@code progressOut} (stderr in the CLI, null for none). */
  public Trainer(
      Ops ops,
      Trainable model,
      Objective objective,
      Optimizer optimizer,
      TrainerConfig config,
      PrintStream progressOut) {
    this.ops = ops;
    this.model = model;
    this.objective = objective;
    this.optimizer = optimizer;
    this.config = config;
    this.progressOut = progressOut;
    this.outDir = config.output();
  }

  /**
   * Writes into {@code folder} instead of the config's output: its staging folder until the first
   * checkpoint is saved, then (after {@link OutputFolder#commit}) the folder the user named.
   */
  public Trainer writingTo(OutputFolder folder) {
    this.folder = folder;
    this.outDir = folder.dir();
    if (folder.dataFingerprint() != null) {
      extra.put(OutputFolder.DATA_KEY, folder.dataFingerprint());
    }
    return this;
  }

  /**
   * What a run writes beside each checkpoint, in the folder being written: the Hugging Face files
   * of the model at that step ({@link HfFolder}).
   */
  @FunctionalInterface
  public interface Export {
    /** Writes the model's files into {@code dir} (every file atomically). */
    void write(Path dir, long step) throws java.io.IOException;
  }

  /**
   * Calls {@code export} after every checkpoint is saved and before a new run's folder is moved
   * into place, so the folder the user sees holds the exported model of its checkpoint's step.
   */
  public Trainer exporting(Export export) {
    this.export = export;
    return this;
  }

  /**
   * Trains as one replica of a data-parallel run over {@code collective} (see the class comment).
   * Every replica must build the same model and config; the output folder must be one that every
   * replica reads (a resume loads the checkpoint replica 0 wrote), and only replica 0 writes it.
   */
  public Trainer dataParallel(Collective collective) {
    return dataParallel(new DataParallel(collective));
  }

  /** As {@link #dataParallel(Collective)}, through {@code parallel} (which times the exchange). */
  public Trainer dataParallel(DataParallel parallel) {
    this.parallel = parallel;
    return this;
  }

  /** Strings stored in the checkpoint state for tools that load it (model config, tokenizer). */
  public Trainer describe(String key, String value) {
    extra.put(key, value);
    return this;
  }

  /** Asks the loop to save a checkpoint and return at the next step boundary (thread-safe). */
  public void requestStop() {
    stopRequested = true;
  }

  /**
   * Registers a JVM shutdown hook (Ctrl-C, SIGTERM) that requests a stop and waits up to {@code
   * waitSeconds} for the loop to write its checkpoint; returns the hook for removal.
   */
  public Thread installShutdownHook(long waitSeconds) {
    Thread hook =
        new Thread(
            () -> {
              requestStop();
              try {
                stopped.await(waitSeconds, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "t4j-train-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    return hook;
  }

  /**
   * {@link #run} with {@link #installShutdownHook} around it, so that Ctrl-C or SIGTERM during the
   * run saves a checkpoint (waiting up to {@code waitSeconds}); the hook is removed afterwards.
   */
  public Result runStoppable(
      BatchSource train, Supplier<BatchSource> val, boolean resume, long waitSeconds) {
    Thread hook = installShutdownHook(waitSeconds);
    try {
      return run(train, val, resume);
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // Already shutting down: the hook is running and waits for the checkpoint.
      }
    }
  }

  /** The checkpoint folder of this run, or null when it writes nothing. */
  public Path checkpointDir() {
    Path out = outDir;
    return out == null ? null : out.resolve("checkpoint");
  }

  /**
   * Trains from step 0, or from the checkpoint in the output folder when {@code resume} and one
   * exists.
   *
   * @param val a fresh validation source per evaluation (the same batches every time), or null
   * @throws TrainingDivergedException when a loss is NaN or infinite
   */
  public Result run(BatchSource train, Supplier<BatchSource> val, boolean resume) {
    try {
      return loop(train, val, resume);
    } catch (IOException e) {
      throw new UncheckedIOException(e.getMessage(), e);
    } finally {
      stopped.countDown();
    }
  }

  private Result loop(BatchSource train, Supplier<BatchSource> val, boolean resume)
      throws IOException {
    ParameterSet params = model.parameterSet();
    int replicas = parallel == null ? 1 : parallel.replicas();
    int rank = parallel == null ? 0 : parallel.rank();
    boolean writer = rank == 0;
    PrintStream progressOut = writer ? this.progressOut : null;
    long step = 0;
    long tokens = 0;
    MetricsLog metrics = null;
    Path out = outDir;
    if (resume && out != null && !Checkpoint.exists(checkpointDir())) {
      // Starting over here would overwrite the run's metrics: exact resume or nothing.
      throw new IllegalArgumentException(
          "--resume: no checkpoint to continue: "
              + Checkpoint.missing(checkpointDir())
              + "; nothing was changed (drop --resume and add --overwrite to start again)");
    }
    if (resume && out != null) {
      Checkpoint.State s = Checkpoint.load(checkpointDir(), params, optimizer);
      train.restore(DataParallel.stateOf(s.train(), rank, replicas));
      step = s.step();
      tokens = s.tokens();
      if (s.seed() != config.seed()) {
        throw new IllegalArgumentException(
            "resume: the checkpoint was trained with seed "
                + s.seed()
                + " but this run has seed "
                + config.seed()
                + "; resuming with another seed would not continue the same run");
      }
    }
    if (parallel != null) {
      parallel.broadcastParameters(ops, params);
    }
    if (out != null && writer) {
      Path m = out.resolve("metrics.jsonl");
      metrics = step > 0 ? MetricsLog.resume(m, step) : MetricsLog.create(m);
      if (metrics.note() != null && progressOut != null) {
        progressOut.println("note: " + metrics.note());
      }
    }
    if (progressOut != null && folder != null && !folder.committed()) {
      long first =
          config.checkpointEvery() > 0
              ? Math.min(config.steps(), config.checkpointEvery())
              : config.steps();
      progressOut.println(
          "writing into "
              + folder.dir().getFileName()
              + " beside "
              + folder.target()
              + ", which it becomes at the first checkpoint (step "
              + first
              + ", or on Ctrl-C)");
    }
    ProgressBar bar =
        progressOut == null
            ? null
            : new ProgressBar(
                progressOut,
                config.steps(),
                step,
                progressOut == System.err && ProgressBar.stderrIsTerminal());
    GradientBuffer grads = new GradientBuffer();
    List<Double> losses = new ArrayList<>();
    double lastVal = Double.NaN;
    boolean interrupted = false;
    // On a device backend a step reads one thing back: its micro-batch losses and the gradient
    // norm in one download, after the clipping has run there. (With a data-parallel group the
    // losses are summed across replicas first, so they are read as they come.)
    boolean deferReads = parallel == null && !ops.backend().tensorsInHostMemory();
    while (step < config.steps()) {
      double stepLoss = 0;
      long stepTokens = 0;
      List<Tensor> pendingLosses = new ArrayList<>();
      List<Batch> pendingBatches = new ArrayList<>();
      for (int micro = 0; micro < config.accumulation(); micro++) {
        Batch batch = train.next();
        stepTokens += batch.tokens();
        Forward pass =
            Forward.train(
                Rng.derive(config.seed(), step, (long) rank * config.accumulation() + micro)
                    .nextLong());
        try (Tape tape = ops.record()) {
          tape.watch(params.values());
          Objective.Loss loss = objective.loss(ops, model, batch, pass);
          if (deferReads) {
            pendingLosses.add(ops.backend().reshape(loss.value(), Shape.of(1)));
            pendingBatches.add(batch);
          } else {
            float v = loss.value().item();
            checkFinite(v, step, micro, batch);
            stepLoss += v / ((double) config.accumulation() * replicas);
          }
          Gradients g = tape.backward(loss.value());
          if (g.size() == 0) {
            // A model computing through another Ops instance records nothing on this tape.
            throw new IllegalStateException(
                "no parameter received a gradient at step "
                    + (step + 1)
                    + ": the model must"
                    + " compute through the trainer's Ops (and read its weights from its"
                    + " parameter set)");
          }
          grads.add(params, g, 1f / (config.accumulation() * replicas));
        }
      }
      boolean stopAsked = stopRequested;
      if (parallel != null) {
        parallel.sumGradients(params, grads);
        // One stop request stops every replica at the same step.
        double[] sums = parallel.sum(stepLoss, stepTokens, stopAsked ? 1 : 0);
        stepLoss = sums[0];
        stepTokens = (long) sums[1];
        stopAsked = sums[2] > 0;
      }
      double norm;
      if (deferReads) {
        boolean onDevice = grads.allOnDevice();
        Tensor squared =
            !onDevice
                ? null
                : config.clipNorm() > 0
                    ? grads.clipOnDevice(config.clipNorm())
                    : grads.squaredNormOnDevice();
        List<Tensor> parts = new ArrayList<>(pendingLosses);
        if (squared != null) {
          parts.add(squared);
        }
        Tensor all = parts.size() == 1 ? parts.get(0) : ops.backend().concat(parts, 0);
        float[] read = all.toFloatArray();
        all.close();
        parts.forEach(Tensor::close);
        for (int micro = 0; micro < pendingLosses.size(); micro++) {
          checkFinite(read[micro], step, micro, pendingBatches.get(micro));
          stepLoss += read[micro] / ((double) config.accumulation() * replicas);
        }
        norm =
            onDevice
                ? Math.sqrt((double) read[pendingLosses.size()])
                : config.clipNorm() > 0
                    ? grads.clipGlobalNorm(config.clipNorm())
                    : grads.globalNorm();
      } else {
        norm =
            config.clipNorm() > 0
                ? grads.clipGlobalNorm(config.clipNorm())
                : grads.globalNorm();
      }
      double lr = config.schedule().at(step);
      optimizer.step(params, grads, lr);
      grads.clear();
      step++;
      tokens += stepTokens;
      losses.add(stepLoss);
      if (metrics != null) {
        Map<String, Double> row = new LinkedHashMap<>();
        row.put("step", (double) step);
        row.put("loss", stepLoss);
        row.put("lr", lr);
        row.put("grad_norm", norm);
        row.put("tokens", (double) tokens);
        metrics.log(row);
      }
      String valNote =
          Double.isNaN(lastVal) ? "" : String.format(java.util.Locale.ROOT, "val %.4f", lastVal);
      if (bar != null) {
        bar.update(step, stepLoss, stepTokens, valNote);
      }
      boolean last = step == config.steps();
      if (val != null
          && writer
          && config.evalBatches() > 0
          && (last || (config.evalEvery() > 0 && step % config.evalEvery() == 0))) {
        lastVal = evaluate(val.get(), config.evalBatches());
        if (metrics != null) {
          Map<String, Double> row = new LinkedHashMap<>(); // fixed key order in the file
          row.put("step", (double) step);
          row.put("val_loss", lastVal);
          metrics.log(row);
        }
      }
      boolean stopNow = stopAsked || (config.stopAt() > 0 && step >= config.stopAt());
      boolean save =
          out != null
              && (last
                  || stopNow
                  || (config.checkpointEvery() > 0 && step % config.checkpointEvery() == 0));
      // Every replica takes part in gathering the data positions; replica 0 alone writes.
      Map<String, Long> trainState =
          save && parallel != null ? parallel.gatherStates(train.state()) : null;
      if (save && writer) {
        Checkpoint.save(
            checkpointDir(),
            params,
            optimizer,
            new Checkpoint.State(
                step,
                config.seed(),
                optimizer.steps(),
                trainState != null ? trainState : train.state(),
                tokens,
                extra));
        if (export != null) {
          export.write(outDir, step);
        }
        if (folder != null && !folder.committed()) {
          // The first checkpoint is complete: the run's folder takes the place of the target.
          folder.commit();
          outDir = folder.dir();
          if (metrics != null) {
            metrics.relocate(outDir.resolve("metrics.jsonl"));
          }
        }
        writePlot(metrics);
      }
      if (stopNow && !last) {
        interrupted = true;
        if (bar != null) {
          bar.newline();
          progressOut.println(
              "stopped at step "
                  + step
                  + "; checkpoint saved"
                  + (out == null
                      ? " (no output folder: nothing saved)"
                      : " in " + checkpointDir()));
        }
        break;
      }
    }
    return new Result(step, losses, lastVal, interrupted, tokens);
  }

  private void checkFinite(float v, long step, int micro, Batch batch) {
    if (!Float.isFinite(v)) {
      throw new TrainingDivergedException(
          step + 1,
          objective.name()
              + " loss is "
              + v
              + " at step "
              + (step + 1)
              + " (micro-batch "
              + (micro + 1)
              + " of "
              + config.accumulation()
              + "), batch: "
              + batch.describe()
              + "; the last checkpoint is untouched");
    }
  }

  private void writePlot(MetricsLog metrics) throws IOException {
    if (metrics != null) {
      LossPlot.write(
          outDir.resolve("loss.png"), metrics.series("loss"), metrics.series("val_loss"));
    }
  }

  /**
   * The mean loss over {@code batches} batches of {@code source} with dropout off, weighted by the
   * number of predictions of each batch.
   */
  public double evaluate(BatchSource source, int batches) {
    double sum = 0;
    long count = 0;
    for (int i = 0; i < batches; i++) {
      Batch b = source.next();
      Objective.Loss l =
          objective.loss(ops, model, b, Forward.eval(Rng.derive(config.seed(), -1, i).nextLong()));
      sum += (double) l.value().item() * l.count();
      count += l.count();
    }
    return count == 0 ? Double.NaN : sum / count;
  }
}
