package io.github.transformers4j.training.study;

import java.util.Arrays;

/**
 * The sizes and budgets of the RNN-versus-transformer study ({@link RnnTransformerStudy}):
 * {@link #full()} is the study of issue 13 (about 30 minutes on 2 cores), {@link #quick()} the same
 * measurements at toy sizes (under a minute, for CI and a first look).
 *
 * @param quickMode whether this is the quick variant (said in the report)
 * @param lengths sequence lengths T of the throughput, memory and latency measurements
 * @param threads thread counts the throughput is measured on
 * @param batch rows per training step in the throughput and memory measurements
 * @param warmupSteps untimed steps before each throughput measurement
 * @param minTimedSteps timed steps at least, per throughput measurement
 * @param minTimedSeconds seconds of timed steps at least, per throughput measurement
 * @param distances dependency distances d of the copy and recall tasks
 * @param taskSteps training steps per task model (the equal budget)
 * @param taskBatch rows per task training step
 * @param taskEvalExamples fresh examples each task model is scored on
 * @param shakespeareSeconds training seconds per model on Shakespeare (the equal budget)
 * @param shakespeareBlock context of the Shakespeare models
 * @param shakespeareBatch rows per Shakespeare training step
 * @param shakespeareEvalSeconds training seconds between validation losses
 * @param valWindows validation windows of {@code shakespeareBlock} characters
 * @param width the transformer's width C (also the recurrent models' embedding width)
 * @param layers layers of every model (transformer blocks, recurrent layers)
 * @param heads the transformer's heads
 * @param learningRate AdamW's learning rate (after a linear warmup of 20 steps)
 * @param seed the seed of every initialization and data stream
 */
public record StudyConfig(
    boolean quickMode,
    int[] lengths,
    int[] threads,
    int batch,
    int warmupSteps,
    int minTimedSteps,
    double minTimedSeconds,
    int[] distances,
    int taskSteps,
    int taskBatch,
    int taskEvalExamples,
    double shakespeareSeconds,
    int shakespeareBlock,
    int shakespeareBatch,
    double shakespeareEvalSeconds,
    int valWindows,
    int width,
    int layers,
    int heads,
    double learningRate,
    long seed) {

  /** Validates the sizes, naming the field. */
  public StudyConfig {
    positive("lengths", lengths);
    positive("threads", threads);
    positive("distances", distances);
    for (int d : distances) {
      if (d < SyntheticTasks.MIN_DISTANCE) {
        throw new IllegalArgumentException(
            "study: dependency distance must be at least " + SyntheticTasks.MIN_DISTANCE + ", got " + d);
      }
    }
    if (batch <= 0 || taskBatch <= 0 || shakespeareBatch <= 0 || taskSteps <= 0 || valWindows <= 0) {
      throw new IllegalArgumentException("study: batches, steps and windows must be positive");
    }
    if (width % heads != 0) {
      throw new IllegalArgumentException(
          "study: width " + width + " must be divisible by heads " + heads);
    }
    lengths = lengths.clone();
    threads = threads.clone();
    distances = distances.clone();
  }

  private static void positive(String name, int[] values) {
    if (values.length == 0 || Arrays.stream(values).anyMatch(v -> v <= 0)) {
      throw new IllegalArgumentException(
          "study: " + name + " must be a non-empty list of positive numbers, got " + Arrays.toString(values));
    }
  }

  /** The study as issue 13 states it: T 32..1024, d up to 512, 1 and 2 threads. */
  public static StudyConfig full() {
    return new StudyConfig(
        false,
        new int[] {32, 64, 128, 256, 512, 1024},
        new int[] {1, 2},
        8,
        2,
        3,
        2.0,
        new int[] {8, 32, 128, 512},
        120,
        8,
        256,
        120,
        128,
        16,
        10,
        32,
        64,
        2,
        4,
        3e-3,
        1234);
  }

  /** Toy sizes: every measurement and the whole report in well under a minute. */
  public static StudyConfig quickConfig() {
    return new StudyConfig(
        true,
        new int[] {32, 64, 128},
        new int[] {1, 2},
        4,
        1,
        2,
        0.05,
        new int[] {8, 16},
        30,
        16,
        64,
        1.5,
        32,
        8,
        0.5,
        8,
        32,
        1,
        2,
        3e-3,
        1234);
  }

  /** The largest T. */
  public int maxLength() {
    return Arrays.stream(lengths).max().orElseThrow();
  }

  /** The largest d. */
  public int maxDistance() {
    return Arrays.stream(distances).max().orElseThrow();
  }
}
