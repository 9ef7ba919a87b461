package io.github.transformers4j.training;

import io.github.transformers4j.training.optim.LrSchedule;
import java.nio.file.Path;

/**
 * What a training run does.
 *
 * @param steps optimizer steps in total
 * @param accumulation micro-batches per optimizer step (gradient accumulation; 1 = none)
 * @param clipNorm clip gradients to this global norm; 0 = no clipping
 * @param schedule learning rate by step
 * @param evalEvery evaluate every this many steps (and at the end); 0 = only at the end
 * @param evalBatches batches per evaluation
 * @param checkpointEvery checkpoint every this many steps (and at the end); 0 = only at the end
 * @param output folder for {@code checkpoint/}, {@code metrics.jsonl} and {@code loss.png}; null =
 *     write nothing
 * @param seed seed of dropout and masking (combined with step and micro-batch)
 * @param stopAt stop (with a checkpoint) after this step, as if interrupted; 0 = never
 */
public record TrainerConfig(
    long steps,
    int accumulation,
    double clipNorm,
    LrSchedule schedule,
    long evalEvery,
    int evalBatches,
    long checkpointEvery,
    Path output,
    long seed,
    long stopAt) {

  /** Validates the numbers. */
  public TrainerConfig {
    if (steps < 1) {
      throw new IllegalArgumentException("trainer: steps must be >= 1, got " + steps);
    }
    if (accumulation < 1) {
      throw new IllegalArgumentException(
          "trainer: gradient accumulation must be >= 1 micro-batch, got " + accumulation);
    }
    if (clipNorm < 0 || evalEvery < 0 || checkpointEvery < 0 || evalBatches < 0 || stopAt < 0) {
      throw new IllegalArgumentException(
          "trainer: clip norm, eval/checkpoint intervals, eval batches and stop step must be >= 0");
    }
    if (schedule == null) {
      throw new IllegalArgumentException("trainer: a learning-rate schedule is required");
    }
  }

  /** A config of {@code steps} steps at constant rate {@code lr}, writing nothing. */
  public static TrainerConfig simple(long steps, double lr, long seed) {
    return new TrainerConfig(steps, 1, 0, LrSchedule.constant(lr), 0, 0, 0, null, seed, 0);
  }

  /** This config with another output folder. */
  public TrainerConfig withOutput(Path dir) {
    return new TrainerConfig(
        steps,
        accumulation,
        clipNorm,
        schedule,
        evalEvery,
        evalBatches,
        checkpointEvery,
        dir,
        seed,
        stopAt);
  }

  /** This config stopping after {@code step} as if interrupted. */
  public TrainerConfig withStopAt(long step) {
    return new TrainerConfig(
        steps,
        accumulation,
        clipNorm,
        schedule,
        evalEvery,
        evalBatches,
        checkpointEvery,
        output,
        seed,
        step);
  }

  /** This config with {@code n} micro-batches per step. */
  public TrainerConfig withAccumulation(int n) {
    return new TrainerConfig(
        steps,
        n,
        clipNorm,
        schedule,
        evalEvery,
        evalBatches,
        checkpointEvery,
        output,
        seed,
        stopAt);
  }

  /** This config with evaluation every {@code every} steps over {@code batches} batches. */
  public TrainerConfig withEval(long every, int batches) {
    return new TrainerConfig(
        steps,
        accumulation,
        clipNorm,
        schedule,
        every,
        batches,
        checkpointEvery,
        output,
        seed,
        stopAt);
  }

  /** This config with clipping at {@code norm}. */
  public TrainerConfig withClip(double norm) {
    return new TrainerConfig(
        steps,
        accumulation,
        norm,
        schedule,
        evalEvery,
        evalBatches,
        checkpointEvery,
        output,
        seed,
        stopAt);
  }

  /** This config with a checkpoint every {@code every} steps. */
  public TrainerConfig withCheckpointEvery(long every) {
    return new TrainerConfig(
        steps,
        accumulation,
        clipNorm,
        schedule,
        evalEvery,
        evalBatches,
        every,
        output,
        seed,
        stopAt);
  }
}
