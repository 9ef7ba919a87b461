package io.github.transformers4j.spark.train;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.registry.Backends;
import io.github.transformers4j.api.spi.BackendOptions;
import io.github.transformers4j.models.gpt.Gpt2Config;
import io.github.transformers4j.models.gpt.Gpt2Model;
import io.github.transformers4j.training.CharLm;
import io.github.transformers4j.training.Trainer;
import io.github.transformers4j.training.TrainerConfig;
import io.github.transformers4j.training.checkpoint.Checkpoint;
import io.github.transformers4j.training.data.Batch;
import io.github.transformers4j.training.data.BatchSource;
import io.github.transformers4j.training.data.BlockSampler;
import io.github.transformers4j.training.data.CharTokenizer;
import io.github.transformers4j.training.data.Rng;
import io.github.transformers4j.training.distributed.DataParallel;
import io.github.transformers4j.training.distributed.RingCollective;
import io.github.transformers4j.training.models.GptLm;
import io.github.transformers4j.training.objectives.CausalLm;
import io.github.transformers4j.training.optim.AdamW;
import io.github.transformers4j.training.optim.LrSchedule;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.BarrierTaskContext;
import scala.Tuple2;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.AbstractFunction1;

/**
 * One replica of a distributed char GPT run, as the body of a barrier task: it joins the ring
 * (addresses exchanged through {@code BarrierTaskContext.allGather}), builds the model, and trains
 * on its partition (its shard of the lines, in file order) with the gradients summed over the
 * ring every step. Replica 0 writes the checkpoints and the exported model.
 *
 * <p>A rerun of the stage (Spark's, or the driver's) finds the checkpoint and resumes from it; the
 * replicas first agree on which checkpoint step they see, so none resumes from another.
 */
final class ReplicaTask
    extends AbstractFunction1<
        scala.collection.Iterator<Tuple2<Integer, Tuple2<Long, String>>>,
        scala.collection.Iterator<ReplicaReport>>
    implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The file whose existence says the injected failure already happened. */
  static final String FAILED_MARKER = ".t4j-injected-failure";

  private final CharLmJob job;
  private final String vocabulary;

  ReplicaTask(CharLmJob job, String vocabulary) {
    this.job = job;
    this.vocabulary = vocabulary;
  }

  @Override
  public scala.collection.Iterator<ReplicaReport> apply(
      scala.collection.Iterator<Tuple2<Integer, Tuple2<Long, String>>> rows) {
    BarrierTaskContext ctx = BarrierTaskContext.get();
    int rank = ctx.partitionId();
    int n = ctx.getTaskInfos().length;
    StringBuilder text = new StringBuilder();
    for (String l : BarrierTraining.shardLines(rows)) {
      text.append(l).append('\n');
    }
    try {
      ReplicaReport r = train(ctx, rank, n, text.toString());
      return CollectionConverters.asScala(List.of(r).iterator());
    } catch (IOException e) {
      throw new UncheckedIOException(
          "replica " + rank + " of " + n + ": " + e.getMessage(), e);
    }
  }

  private ReplicaReport train(BarrierTaskContext ctx, int rank, int n, String text)
      throws IOException {
    CharLm.Settings s = job.settings();
    CharTokenizer tok = CharTokenizer.fit(vocabulary, CharTokenizer.UNKNOWN_ONLY);
    int[] ids = tok.encode(text);
    if (ids.length < s.block() + 2) {
      throw new IllegalArgumentException(
          "replica "
              + rank
              + " of "
              + n
              + ": its shard of "
              + job.data()
              + " has "
              + ids.length
              + " characters; one --block of "
              + s.block()
              + " needs at least "
              + (s.block() + 2)
              + " (use fewer --workers or more data)");
    }
    Path out = Path.of(job.output());
    return onRing(
        ctx,
        rank,
        out,
        job.timeoutSeconds(),
        ids.length,
        (dp, seen) -> {
          Ops ops = ops(job.backend(), job.threads());
          Gpt2Config cfg = CharLm.gptConfig(tok.vocabSize(), s);
          GptLm lm = new GptLm(new Gpt2Model(ops, cfg));
          Trainer trainer = trainer(job, ops, lm).dataParallel(dp);
          if (rank == 0) {
            trainer.exporting((dir, step) -> CharLm.export(dir, cfg, tok, lm));
          }
          BatchSource source =
              failing(
                  shardSource(job, ids, rank),
                  job.failRank(),
                  job.failStep(),
                  rank,
                  seen,
                  s.accumulation(),
                  out);
          return trainer.run(source, null, seen > 0);
        });
  }

  /** What a replica trains once it is on the ring. */
  interface Body {
    /**
     * Trains through {@code dp}, resuming from the checkpoint of step {@code seen} when it is
     * above 0.
     */
    Trainer.Result train(DataParallel dp, long seen) throws IOException;
  }

  /**
   * Joins the ring of the barrier stage and runs {@code body} on it: the replicas exchange their
   * ring addresses and the checkpoint step each sees in {@code out} through {@code allGather}, and
   * fail when they disagree (an output folder that is not shared), so none resumes from another.
   *
   * @param shardSize the size of this replica's shard, for its report
   */
  static ReplicaReport onRing(
      BarrierTaskContext ctx, int rank, Path out, int timeoutSeconds, long shardSize, Body body)
      throws IOException {
    Path ckpt = out.resolve("checkpoint");
    long seen = Checkpoint.exists(ckpt) ? Checkpoint.readState(ckpt).step() : 0;
    String host = host(ctx.getTaskInfos()[rank].address());
    try (RingCollective.Endpoint end = RingCollective.Endpoint.open(host)) {
      // The ring address and the checkpoint step this replica sees, as one message.
      String[] all = ctx.allGather(end.address() + "|" + seen);
      List<String> addresses = new ArrayList<>();
      for (int r = 0; r < all.length; r++) {
        String[] parts = all[r].split("\\|");
        addresses.add(parts[0]);
        if (Long.parseLong(parts[1]) != seen) {
          throw new IllegalStateException(
              "replica "
                  + rank
                  + " sees the checkpoint of step "
                  + seen
                  + " in "
                  + ckpt
                  + " but replica "
                  + r
                  + " sees step "
                  + parts[1]
                  + ": the output folder must be one folder that every executor reads"
                  + " (a shared file system on a cluster)");
        }
      }
      try (RingCollective ring = end.join(rank, addresses, Duration.ofSeconds(timeoutSeconds))) {
        DataParallel dp = new DataParallel(ring);
        long t0 = System.nanoTime();
        Trainer.Result result = body.train(dp, seen);
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new ReplicaReport(
            rank,
            ctx.stageAttemptNumber(),
            seen,
            result.step(),
            result.losses().stream().mapToDouble(Double::doubleValue).toArray(),
            seconds,
            dp.communicationNanos() / 1e9,
            shardSize);
      }
    }
  }

  /** The compute of a replica: {@code backend} with {@code threads} threads. */
  static Ops ops(String backend, int threads) {
    return new Ops(
        Backends.installed()
            .create(backend, BackendOptions.none().with("threads", Integer.toString(threads))));
  }

  /**
   * {@code source}, or, on replica {@code failRank} before step {@code failStep}, {@code source}
   * throwing once at that step's first micro-batch (the retry tests' injected failure).
   */
  static BatchSource failing(
      BatchSource source,
      int failRank,
      long failStep,
      int rank,
      long seen,
      int accumulation,
      Path out) {
    if (failRank != rank || failStep <= seen) {
      return source;
    }
    return new FailOnce(
        source,
        (failStep - seen - 1) * accumulation + 1,
        out.resolve(FAILED_MARKER),
        "injected failure of replica " + rank + " at step " + failStep);
  }

  /** The trainer of every replica (and of the single-process oracle in the tests). */
  static Trainer trainer(CharLmJob job, Ops ops, GptLm lm) {
    CharLm.Settings s = job.settings();
    TrainerConfig tc =
        new TrainerConfig(
            s.steps(),
            s.accumulation(),
            s.clip(),
            LrSchedule.cosine(s.lr(), s.minLr(), s.warmup(), s.steps()),
            0,
            0,
            s.evalEvery(),
            Path.of(job.output()),
            s.seed(),
            0);
    return new Trainer(
        ops,
        lm,
        new CausalLm(false),
        new AdamW(0.9, s.beta2(), 1e-8, s.weightDecay(), true),
        tc,
        null);
  }

  /** Replica {@code rank}'s batches: random blocks of its shard, from a seed of its own. */
  static BatchSource shardSource(CharLmJob job, int[] ids, int rank) {
    return new BlockSampler(
        ids, job.batch(), job.block(), Rng.derive(job.seed(), 0x5eed, rank).nextLong());
  }

  /** The host of an executor address {@code host:port}. */
  static String host(String address) {
    int colon = address.lastIndexOf(':');
    return colon < 0 ? address : address.substring(0, colon);
  }

  /**
   * A batch source that throws on its {@code failAt}-th batch unless {@code marker} exists, which
   * it creates first: a failure that happens once per output folder, whichever attempt reaches it.
   */
  static final class FailOnce implements BatchSource {
    private final BatchSource inner;
    private final long failAt;
    private final Path marker;
    private final String message;
    private long calls;

    FailOnce(BatchSource inner, long failAt, Path marker, String message) {
      this.inner = inner;
      this.failAt = failAt;
      this.marker = marker;
      this.message = message;
    }

    @Override
    public Batch next() {
      if (++calls == failAt) {
        try {
          Files.createFile(marker);
          throw new IllegalStateException(message);
        } catch (FileAlreadyExistsException e) {
          // Failed once already: this attempt goes on.
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      return inner.next();
    }

    @Override
    public Map<String, Long> state() {
      return inner.state();
    }

    @Override
    public void restore(Map<String, Long> state) {
      inner.restore(state);
    }
  }
}
