package io.github.transformers4j.spark.train;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.models.bert.BertConfig;
import io.github.transformers4j.models.bert.BertForMaskedLM;
import io.github.transformers4j.models.bert.BertForSequenceClassification;
import io.github.transformers4j.models.seq2seq.EncoderDecoderConfig;
import io.github.transformers4j.models.seq2seq.EncoderDecoderModel;
import io.github.transformers4j.training.BertRecipe;
import io.github.transformers4j.training.RunSchedule;
import io.github.transformers4j.training.Seq2SeqRecipe;
import io.github.transformers4j.training.Trainer;
import io.github.transformers4j.training.TrainerConfig;
import io.github.transformers4j.training.data.BatchSource;
import io.github.transformers4j.training.data.BlockSampler;
import io.github.transformers4j.training.data.CharTokenizer;
import io.github.transformers4j.training.data.Datasets;
import io.github.transformers4j.training.data.Example;
import io.github.transformers4j.training.data.ExampleBatches;
import io.github.transformers4j.training.data.Rng;
import io.github.transformers4j.training.data.SpecialTokens;
import io.github.transformers4j.training.models.EncoderDecoderLm;
import io.github.transformers4j.training.models.TaskAdapters;
import io.github.transformers4j.training.objectives.MaskedLm;
import io.github.transformers4j.training.objectives.MlmMasker;
import io.github.transformers4j.training.objectives.Objective;
import io.github.transformers4j.training.objectives.Seq2Seq;
import io.github.transformers4j.training.objectives.SequenceClassification;
import io.github.transformers4j.training.objectives.Trainable;
import io.github.transformers4j.training.optim.Optimizer;
import io.github.transformers4j.training.optim.LrSchedule;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.BarrierTaskContext;
import scala.Tuple2;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.AbstractFunction1;

/**
 * One replica of a distributed recipe run ({@code train mlm|seq2seq|classify}) as the body of a
 * barrier task: it parses its shard of the data, builds the recipe's model, objective and
 * optimizer ({@link BertRecipe}, {@link Seq2SeqRecipe}), joins the ring and trains with the
 * gradients summed over the ring every step ({@link ReplicaTask#onRing}). Replica 0 writes the
 * checkpoints and the exported model.
 */
final class RecipeReplicaTask
    extends AbstractFunction1<
        scala.collection.Iterator<Tuple2<Integer, Tuple2<Long, String>>>,
        scala.collection.Iterator<ReplicaReport>>
    implements Serializable {
  private static final long serialVersionUID = 1L;

  /**
   * What the driver learned from the whole data, which every replica must share.
   *
   * @param vocabulary the distinct characters of the data, sorted, as one string
   * @param labels the sorted label names (classify), else empty
   * @param maxPositions the seq2seq model's positions (from the longest sequence), else 0
   */
  record Meta(String vocabulary, List<String> labels, int maxPositions) implements Serializable {
    Meta {
      labels = List.copyOf(labels);
    }
  }

  /** A replica's model, objective and batches, and how replica 0 exports the model. */
  record Parts(
      Trainable model,
      Objective objective,
      Optimizer optimizer,
      LrSchedule.Cosine schedule,
      BatchSource source,
      Trainer.Export export) {}

  private final RecipeJob job;
  private final Meta meta;

  RecipeReplicaTask(RecipeJob job, Meta meta) {
    this.job = job;
    this.meta = meta;
  }

  @Override
  public scala.collection.Iterator<ReplicaReport> apply(
      scala.collection.Iterator<Tuple2<Integer, Tuple2<Long, String>>> rows) {
    BarrierTaskContext ctx = BarrierTaskContext.get();
    int rank = ctx.partitionId();
    int n = ctx.getTaskInfos().length;
    List<String> lines = BarrierTraining.shardLines(rows);
    Path out = Path.of(job.output());
    try {
      ReplicaReport r =
          ReplicaTask.onRing(
              ctx,
              rank,
              out,
              job.timeoutSeconds(),
              lines.size(),
              (dp, seen) -> {
                Ops ops = ReplicaTask.ops(job.backend(), job.threads());
                Parts p = parts(job, meta, ops, lines, rank, n);
                Trainer trainer = trainer(job, ops, p, job.accumulation()).dataParallel(dp);
                if (rank == 0) {
                  trainer.exporting(p.export());
                }
                BatchSource source =
                    ReplicaTask.failing(
                        p.source(),
                        job.failRank(),
                        job.failStep(),
                        rank,
                        seen,
                        job.accumulation(),
                        out);
                return trainer.run(source, null, seen > 0);
              });
      return CollectionConverters.asScala(List.of(r).iterator());
    } catch (IOException e) {
      throw new UncheckedIOException("replica " + rank + " of " + n + ": " + e.getMessage(), e);
    }
  }

  /**
   * The trainer of every replica (and of the single-process oracle in the tests, with {@code
   * accumulation} of its own): the recipe's optimizer and schedule, checkpoints into the output
   * folder every {@code --checkpoint-every} steps.
   */
  static Trainer trainer(RecipeJob job, Ops ops, Parts p, int accumulation) {
    double clip = job.task().equals("seq2seq") ? job.seq2seq().clip() : job.bert().clip();
    TrainerConfig tc =
        new TrainerConfig(
            job.steps(),
            accumulation,
            clip,
            p.schedule(),
            0,
            0,
            job.checkpointEvery(),
            Path.of(job.output()),
            job.seed(),
            0);
    // The schedule in the checkpoint, as the recipes keep it: t4j train --resume reads it.
    return new Trainer(ops, p.model(), p.objective(), p.optimizer(), tc, null)
        .describe(RunSchedule.KEY, p.schedule().encode());
  }

  /** The pairs of {@code lines} (TSV or JSON Lines by the data's extension). */
  static List<Datasets.Pair> pairs(RecipeJob job, List<String> lines) throws IOException {
    String[] f = job.fields();
    List<Datasets.Pair> out = new ArrayList<>(lines.size());
    for (String line : lines) {
      out.add(pair(job, f, line, job.data()));
    }
    return out;
  }

  /** The pair of one line; {@code where} names it in messages. */
  static Datasets.Pair pair(RecipeJob job, String[] f, String line, String where)
      throws IOException {
    return job.jsonl()
        ? Datasets.jsonlPair(line, where, f[0], f[1])
        : Datasets.tsvPair(line, where, f[2], f[3]);
  }

  /**
   * Replica {@code rank}'s parts for its shard {@code lines} (in file order, blank lines already
   * dropped).
   */
  static Parts parts(RecipeJob job, Meta meta, Ops ops, List<String> lines, int rank, int n)
      throws IOException {
    CharTokenizer tok = CharTokenizer.fit(meta.vocabulary(), true);
    long shardSeed = Rng.derive(job.seed(), 0x5eed, rank).nextLong();
    String where = "replica " + rank + " of " + n + ": its shard of " + job.data();
    switch (job.task()) {
      case "mlm" -> {
        BertRecipe.Settings s = job.bert();
        SpecialTokens sp = BertRecipe.requireSpecials(tok, true);
        StringBuilder text = new StringBuilder();
        lines.forEach(l -> text.append(l).append('\n'));
        int[] ids = tok.encode(text.toString());
        if (ids.length <= s.maxLength()) {
          throw new IllegalArgumentException(
              where
                  + " has "
                  + ids.length
                  + " characters, fewer than one window of --max-length "
                  + s.maxLength()
                  + " (use fewer --workers or more data)");
        }
        BertConfig cfg = BertRecipe.config(tok.vocabSize(), s, 2);
        var model = TaskAdapters.masked(new BertForMaskedLM(ops, cfg));
        return new Parts(
            model,
            new MaskedLm(new MlmMasker(0.15, sp, tok.vocabSize())),
            BertRecipe.optimizer(s),
            BertRecipe.schedule(s),
            // BlockSampler rows are block + 1 tokens: windows of --max-length, as the recipe's.
            new BlockSampler(ids, s.batch(), s.maxLength() - 1, shardSeed),
            (dir, step) -> BertRecipe.export(dir, cfg, tok, List.of(), model.parameterSet()));
      }
      case "classify" -> {
        BertRecipe.Settings s = job.bert();
        SpecialTokens sp = BertRecipe.requireSpecials(tok, false);
        List<Example> train =
            BertRecipe.cut(
                Datasets.classificationExamples(pairs(job, lines), tok, meta.labels()),
                s.maxLength(),
                sp);
        BertConfig cfg = BertRecipe.config(tok.vocabSize(), s, meta.labels().size());
        var model = TaskAdapters.classifier(new BertForSequenceClassification(ops, cfg));
        return new Parts(
            model,
            new SequenceClassification(),
            BertRecipe.optimizer(s),
            BertRecipe.schedule(s),
            new ExampleBatches(train, s.batch(), sp.pad(), -100, shardSeed, true),
            (dir, step) -> BertRecipe.export(dir, cfg, tok, meta.labels(), model.parameterSet()));
      }
      case "seq2seq" -> {
        Seq2SeqRecipe.Settings s = job.seq2seq();
        SpecialTokens sp = Seq2SeqRecipe.requireSpecials(tok);
        List<Example> train = Datasets.seq2seqExamples(pairs(job, lines), tok);
        Map<String, Object> config = seq2seqConfig(tok, meta, s);
        EncoderDecoderConfig cfg = EncoderDecoderConfig.fromMap(config);
        EncoderDecoderLm lm = new EncoderDecoderLm(new EncoderDecoderModel(ops, cfg));
        return new Parts(
            lm,
            new Seq2Seq(sp.bos(), s.labelSmoothing()),
            Seq2SeqRecipe.optimizer(s),
            Seq2SeqRecipe.schedule(s),
            new ExampleBatches(train, s.batch(), sp.pad(), sp.pad(), shardSeed, true),
            (dir, step) -> Seq2SeqRecipe.export(dir, cfg, config, tok, lm));
      }
      default -> throw new IllegalArgumentException("train: unknown task '" + job.task() + "'");
    }
  }

  /** The seq2seq recipe's configuration of this run's transformer. */
  static Map<String, Object> seq2seqConfig(
      CharTokenizer tok, Meta meta, Seq2SeqRecipe.Settings s) {
    return Seq2SeqRecipe.configMap(
        tok.vocabSize(), meta.maxPositions(), tok.specials().bos(), s);
  }
}
