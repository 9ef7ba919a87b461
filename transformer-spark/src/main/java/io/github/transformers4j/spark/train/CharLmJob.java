package io.github.transformers4j.spark.train;

import io.github.transformers4j.training.CharLm;
import java.io.Serializable;

/**
 * A distributed char-level GPT run ({@code train clm}): what the driver ships to every barrier
 * task. Serializable, unlike {@link CharLm.Settings}, which each task rebuilds from it.
 *
 * @param data the text file (any path Spark reads: local, HDFS, S3 ...)
 * @param output the run's folder: a path every executor reads and replica 0 writes (in local mode
 *     any local folder; on a cluster a shared file system such as NFS), since a rerun resumes from
 *     the checkpoint replica 0 wrote
 * @param workers replicas (barrier tasks); the cluster needs that many free task slots at once
 * @param batch rows per micro-batch on each replica (the global batch is {@code workers × batch ×
 *     accumulation})
 * @param block context length
 * @param layers transformer blocks
 * @param heads attention heads
 * @param width embedding width
 * @param steps optimizer steps
 * @param lr peak learning rate (cosine to {@code minLr} after {@code warmup} steps)
 * @param minLr final learning rate
 * @param warmup warm-up steps
 * @param clip gradient-norm clip (0: none)
 * @param accumulation micro-batches per step on each replica
 * @param checkpointEvery checkpoint every this many steps (and at the end)
 * @param seed the run seed (initialization, each shard's sampling, dropout)
 * @param backend the compute backend on the executors ({@code cpu})
 * @param threads compute threads per replica
 * @param timeoutSeconds how long a replica waits for a peer before failing the stage
 * @param attempts how many times the driver submits the job in all (each rerun resumes from the
 *     last checkpoint) when Spark itself gives up
 * @param failRank the replica that throws at step {@code failStep} once (a test of the retry), or
 *     -1
 * @param failStep the step at which {@code failRank} throws
 */
public record CharLmJob(
    String data,
    String output,
    int workers,
    int batch,
    int block,
    int layers,
    int heads,
    int width,
    long steps,
    double lr,
    double minLr,
    long warmup,
    double clip,
    int accumulation,
    long checkpointEvery,
    long seed,
    String backend,
    int threads,
    int timeoutSeconds,
    int attempts,
    int failRank,
    long failStep)
    implements Serializable {

  /** Validates the numbers, naming the option. */
  public CharLmJob {
    require(data != null && !data.isBlank(), "--data: a text file is required");
    require(output != null && !output.isBlank(), "--output: a folder is required");
    require(workers >= 1, "--workers must be >= 1, got " + workers);
    require(batch >= 1, "--batch must be >= 1, got " + batch);
    require(block >= 1, "--block must be >= 1, got " + block);
    require(layers >= 1, "--layers must be >= 1, got " + layers);
    require(heads >= 1 && width % heads == 0,
        "--width " + width + " must be divisible by --heads " + heads);
    require(steps >= 1, "--steps must be >= 1, got " + steps);
    require(lr > 0 && minLr >= 0, "--lr must be > 0 and --min-lr >= 0");
    require(
        warmup >= 0 && warmup <= steps,
        "--warmup must be between 0 and --steps " + steps + ", got " + warmup);
    require(clip >= 0, "--clip must be >= 0, got " + clip);
    require(accumulation >= 1, "--accumulation must be >= 1, got " + accumulation);
    require(checkpointEvery >= 1, "--checkpoint-every must be >= 1, got " + checkpointEvery);
    require(threads >= 1, "--threads must be >= 1, got " + threads);
    require(timeoutSeconds >= 1, "--timeout must be >= 1 second, got " + timeoutSeconds);
    require(attempts >= 1, "--attempts must be >= 1, got " + attempts);
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  /** nanoGPT's CPU settings ({@link CharLm.Settings#nanoGptShakespeare()}) for {@code data}. */
  public static CharLmJob defaults(String data, String output, int workers) {
    CharLm.Settings s = CharLm.Settings.nanoGptShakespeare();
    return new CharLmJob(
        data, output, workers, s.batch(), s.block(), s.layers(), s.heads(), s.width(), s.steps(),
        s.lr(), s.minLr(), s.warmup(), s.clip(), s.accumulation(), s.evalEvery(), s.seed(), "cpu",
        1, 300, 3, -1, 0);
  }

  /** The trainer's settings (no dropout, no validation split: each shard is all training data). */
  public CharLm.Settings settings() {
    return new CharLm.Settings(
        block, batch, layers, heads, width, 0f, steps, lr, minLr, warmup, 0.99, 0.1, clip,
        accumulation, checkpointEvery, 0, 0.0, seed);
  }

  /** This job with {@code n} steps, the first {@code warm} warming up. */
  public CharLmJob withSteps(long n, long warm) {
    return new CharLmJob(data, output, workers, batch, block, layers, heads, width, n, lr, minLr,
        warm, clip, accumulation, checkpointEvery, seed, backend, threads, timeoutSeconds,
        attempts, failRank, failStep);
  }

  /** This job writing into {@code dir}. */
  public CharLmJob withOutput(String dir) {
    return new CharLmJob(data, dir, workers, batch, block, layers, heads, width, steps, lr, minLr,
        warmup, clip, accumulation, checkpointEvery, seed, backend, threads, timeoutSeconds,
        attempts, failRank, failStep);
  }

  /** This job with {@code n} workers. */
  public CharLmJob withWorkers(int n) {
    return new CharLmJob(data, output, n, batch, block, layers, heads, width, steps, lr, minLr,
        warmup, clip, accumulation, checkpointEvery, seed, backend, threads, timeoutSeconds,
        attempts, failRank, failStep);
  }

  /** This job with a checkpoint every {@code n} steps. */
  public CharLmJob withCheckpointEvery(long n) {
    return new CharLmJob(data, output, workers, batch, block, layers, heads, width, steps, lr,
        minLr, warmup, clip, accumulation, n, seed, backend, threads, timeoutSeconds, attempts,
        failRank, failStep);
  }

  /** This job in which replica {@code rank} throws once at step {@code step}. */
  public CharLmJob withFailure(int rank, long step) {
    return new CharLmJob(data, output, workers, batch, block, layers, heads, width, steps, lr,
        minLr, warmup, clip, accumulation, checkpointEvery, seed, backend, threads,
        timeoutSeconds, attempts, rank, step);
  }

  /** This job with a model of {@code layers} blocks, {@code heads} heads, {@code width} wide. */
  public CharLmJob withModel(int layers, int heads, int width, int block, int batch) {
    return new CharLmJob(data, output, workers, batch, block, layers, heads, width, steps, lr,
        minLr, warmup, clip, accumulation, checkpointEvery, seed, backend, threads,
        timeoutSeconds, attempts, failRank, failStep);
  }
}
