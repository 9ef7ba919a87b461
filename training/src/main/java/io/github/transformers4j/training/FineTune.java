package io.github.transformers4j.training;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Shape;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.registry.Plugins;
import io.github.transformers4j.api.registry.Tokenizers;
import io.github.transformers4j.api.spi.TextTokenizer;
import io.github.transformers4j.models.config.HfConfig;
import io.github.transformers4j.models.config.Labels;
import io.github.transformers4j.models.gpt.Gpt2Model;
import io.github.transformers4j.models.nn.PretrainedModel;
import io.github.transformers4j.models.pretrained.Pretrained;
import io.github.transformers4j.models.seq2seq.EncoderDecoderModel;
import io.github.transformers4j.models.tasks.CausalLm;
import io.github.transformers4j.models.tasks.MaskedLm;
import io.github.transformers4j.models.tasks.Seq2SeqLm;
import io.github.transformers4j.models.tasks.SequenceClassifier;
import io.github.transformers4j.models.weights.SafeTensors;
import io.github.transformers4j.models.weights.TensorData;
import io.github.transformers4j.models.weights.Weights;
import io.github.transformers4j.training.data.BatchSource;
import io.github.transformers4j.training.data.BlockSampler;
import io.github.transformers4j.training.data.Datasets;
import io.github.transformers4j.training.data.Example;
import io.github.transformers4j.training.data.ExampleBatches;
import io.github.transformers4j.training.data.SpecialTokens;
import io.github.transformers4j.training.data.TokenizerFiles;
import io.github.transformers4j.training.models.TaskAdapters;
import io.github.transformers4j.training.objectives.Objective;
import io.github.transformers4j.training.objectives.Seq2Seq;
import io.github.transformers4j.training.objectives.SequenceClassification;
import io.github.transformers4j.training.objectives.Trainable;
import io.github.transformers4j.training.optim.AdamW;
import io.github.transformers4j.training.optim.LrSchedule;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Fine-tuning a Hugging Face model folder ({@code t4j train clm|mlm|seq2seq|classify --from DIR}):
 * the model {@link Pretrained#load} builds from the folder is trained on the task with the
 * folder's own tokenizer, and the output is a folder of the same family: the source's {@code
 * config.json} (with the trained head's {@code architectures}, and the labels for classify), root
 * {@code model.safetensors} under the family's Hugging Face names, the source's tokenizer files and
 * {@code generation_config.json}, plus {@code checkpoint/} and {@code recipe.json} (task {@value
 * #TASK}) for an exact {@code --resume}, which rebuilds the model from the output folder itself.
 *
 * <p>For classify, a BERT-family folder without a sequence-classification head (a bare encoder, a
 * masked LM, an ELECTRA discriminator), or one whose labels differ from the data's, gets the
 * family's head for the data's labels, newly initialized as Hugging Face's {@code
 * from_pretrained(dir, num_labels=...)} does (normal(0, initializer_range) weights, zero biases,
 * here from the run seed); the encoder comes from the folder.
 */
public final class FineTune {
  private FineTune() {}

  /** The task {@code recipe.json} names for a fine-tuned folder. */
  public static final String TASK = "finetune";

  /** The task a run trains. */
  public enum Task {
    /** Causal language modelling: a {@link CausalLm}. */
    CLM("clm", "a decoder with a language-model head (gpt2, opt)"),
    /** Masked language modelling: a {@link MaskedLm}. */
    MLM("mlm", "an encoder with a masked-LM head (bert, roberta, electra ...ForMaskedLM)"),
    /** Sequence-to-sequence: a {@link Seq2SeqLm}. */
    SEQ2SEQ("seq2seq", "an encoder-decoder (t5, mt5, bart, pegasus, marian)"),
    /** Sequence classification: a {@link SequenceClassifier} or a BERT-family encoder. */
    CLASSIFY(
        "classify",
        "a sequence classifier, or a bert, roberta or electra encoder to put one on");

    private final String id;
    private final String needs;

    Task(String id, String needs) {
      this.id = id;
      this.needs = needs;
    }

    /** The command's name. */
    public String id() {
      return id;
    }

    /** What the task needs of a folder, for messages. */
    public String needs() {
      return needs;
    }
  }

  /**
   * The run's settings.
   *
   * @param length clm: the block length (0: the model's positions, at most 1024); other tasks:
   *     the most tokens of an input (0: the model's positions, at most 512)
   * @param batch rows per step
   * @param steps optimizer steps
   * @param lr peak learning rate
   * @param minLr final learning rate of the cosine
   * @param warmup linear warmup steps
   * @param weightDecay AdamW decoupled decay
   * @param clip global gradient-norm clip (0: none)
   * @param labelSmoothing seq2seq label smoothing
   * @param evalEvery evaluate (and checkpoint) every this many steps
   * @param evalBatches validation batches per evaluation
   * @param valFraction validation share of the data
   * @param seed run seed (data order, dropout, a new head's initialization)
   * @param stopAt stop after this step as if interrupted, a checkpoint saved (0: run to {@code
   *     steps}); a later {@code --resume} continues exactly
   */
  public record Settings(
      int length,
      int batch,
      long steps,
      double lr,
      double minLr,
      long warmup,
      double weightDecay,
      double clip,
      float labelSmoothing,
      long evalEvery,
      int evalBatches,
      double valFraction,
      long seed,
      long stopAt) {}

  /**
   * The training data: a text for clm and mlm (mlm: one example per non-blank line, as Hugging
   * Face's {@code run_mlm --line_by_line}), pairs for seq2seq (source, target) and classify (text,
   * label).
   */
  public record Data(String text, List<Datasets.Pair> pairs) {
    /** A text. */
    public static Data text(String text) {
      return new Data(text, null);
    }

    /** Pairs. */
    public static Data pairs(List<Datasets.Pair> pairs) {
      return new Data(null, pairs);
    }
  }

  /**
   * A finished run.
   *
   * @param result the trainer's result
   * @param description the model, for the summary line ("t5 T5ForConditionalGeneration, 0.12M
   *     parameters")
   */
  public record Run(Trainer.Result result, String description) {}

  /** Whether {@code dir} holds a folder this recipe wrote (a {@code recipe.json} of its task). */
  public static boolean isFineTuned(Path dir) {
    try {
      Path recipe = dir.resolve(OutputFolder.RECIPE);
      return Files.isRegularFile(recipe)
          && TASK.equals(HfConfig.read(recipe).get("task"));
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /**
   * Fine-tunes the model in {@code from} (or, when {@code out} is resuming, the one in the output
   * folder) on {@code task}.
   *
   * @param reschedule when resuming, use these settings' schedule instead of the checkpoint's
   * @throws IllegalArgumentException naming the folder's architecture and what the task needs when
   *     they do not fit, the token id outside the vocabulary, or the data that is too short
   */
  public static Run train(
      Ops ops,
      Task task,
      Path from,
      Data data,
      Settings s,
      OutputFolder out,
      boolean reschedule,
      PrintStream progress)
      throws IOException {
    Path dir = out.resuming() ? out.dir() : from;
    String flag = out.resuming() ? "--output " + out.target() : "--from " + from;
    if (out.resuming()) {
      Object was = HfConfig.read(out.dir().resolve(OutputFolder.RECIPE)).get("finetune");
      if (!task.id().equals(was)) {
        throw new IllegalArgumentException(
            "--resume: "
                + out.target()
                + " was fine-tuned by 't4j train "
                + was
                + " --from', not 't4j train "
                + task.id()
                + "'; resume it with the same command, or train into another --output");
      }
    } else if (!Pretrained.isModelFolder(from)) {
      throw new IllegalArgumentException(
          "--from "
              + from
              + " is not a Hugging Face model folder (expected config.json and model.safetensors)");
    }
    Map<String, Object> config = HfConfig.read(dir.resolve(Pretrained.CONFIG));
    TextTokenizer tok;
    try {
      tok = Tokenizers.installed().forName("auto").load(dir);
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          flag
              + " has no tokenizer this library reads ("
              + e.getMessage()
              + "); fine-tuning encodes the data with the folder's tokenizer (tokenizer.json,"
              + " vocab.txt, spiece.model ...)",
          e);
    }
    List<String> labels = task == Task.CLASSIFY ? labelsOf(data.pairs()) : List.of();
    if (out.resuming() && task == Task.CLASSIFY && !Labels.fromConfig(config).equals(labels)) {
      throw new IllegalArgumentException(
          "--resume: the labels of --data " + labels + " are not those the checkpoint in "
              + out.target() + " was trained with " + Labels.fromConfig(config)
              + "; resume with the same labels, or train a new model in another folder");
    }
    PretrainedModel model =
        task == Task.CLASSIFY
            ? classifier(ops, dir, flag, config, labels, s.seed(), progress)
            : Pretrained.load(ops, dir);
    requireFits(task, model, config, flag);
    String arch = architecture(task, model, config);
    Map<String, Object> outConfig = new LinkedHashMap<>(config);
    outConfig.put("architectures", List.of(arch));
    if (task == Task.CLASSIFY) {
      outConfig.put("num_labels", labels.size());
      outConfig.put("id2label", Labels.toId2Label(labels));
      Map<String, Integer> label2id = new LinkedHashMap<>();
      for (int i = 0; i < labels.size(); i++) {
        label2id.put(labels.get(i), i);
      }
      outConfig.put("label2id", label2id);
    }
    Prepared prep = prepare(ops, task, model, config, tok, labels, data, s, flag, dir, false);
    Trainable trainable = prep.model();
    Objective objective = prep.objective();
    BatchSource train = prep.train();
    Supplier<BatchSource> val = prep.val();
    String what = prep.what();
    List<Object> raw = new ArrayList<>();
    raw.add("seed " + s.seed() + ", val " + s.valFraction());
    if (data.text() != null) {
      raw.add(data.text());
    } else {
      for (Datasets.Pair p : data.pairs()) {
        raw.add(p.source());
        raw.add(p.target());
      }
    }
    out.requireSameData(OutputFolder.fingerprint(raw), "--data, --val-fraction, --seed");
    if (!out.resuming()) {
      copyFolderFiles(from, out.dir());
      HfFolder.writeJson(out.dir().resolve(Pretrained.CONFIG), outConfig);
      Map<String, Object> recipe = new LinkedHashMap<>();
      recipe.put("finetune", task.id());
      recipe.put("from", from.toAbsolutePath().normalize().toString());
      if (task == Task.CLASSIFY) {
        recipe.put("labels", labels);
      }
      OutputFolder.writeRecipe(out.dir(), TASK, tokenizerFile(from), recipe);
    }
    String description =
        String.format(
            Locale.ROOT,
            "%s %s, %.2fM parameters",
            config.get("model_type"),
            arch,
            trainable.parameterSet().count() / 1e6);
    if (progress != null) {
      progress.printf(
          Locale.ROOT,
          "fine-tune %s from %s: %s; %s, %d steps of %d rows%n",
          task.id(),
          dir,
          description,
          what,
          s.steps(),
          s.batch());
    }
    TrainerConfig tc =
        new TrainerConfig(
            s.steps(),
            1,
            s.clip(),
            RunSchedule.choose(
                out, s.lr(), s.minLr(), s.warmup(), s.steps(), reschedule, progress),
            s.evalEvery(),
            val == null ? 0 : Math.max(1, s.evalBatches()),
            s.evalEvery(),
            out.dir(),
            s.seed(),
            s.stopAt());
    Trainer trainer =
        new Trainer(
            ops, trainable, objective, new AdamW(0.9, 0.999, 1e-8, s.weightDecay(), false), tc,
            progress);
    trainer
        .writingTo(out)
        .exporting((d, step) -> export(d, model, outConfig))
        .describe(RunSchedule.KEY, ((LrSchedule.Cosine) tc.schedule()).encode());
    return new Run(trainer.runStoppable(train, val, out.resuming(), 60), description);
  }

  /**
   * The mean loss and accuracy of a fine-tuned folder on {@code data}: every pair or line once
   * (seq2seq, classify, mlm, whose masking follows {@code seed}), or {@code batches} random blocks
   * of 12 rows (clm).
   *
   * @param loss the mean loss per counted token or example
   * @param accuracy argmax hits per counted token or example (NaN for clm, which does not count
   *     them)
   * @param count the tokens or examples counted
   * @param task the task the folder was fine-tuned on
   */
  public record Eval(double loss, double accuracy, long count, Task task) {}

  /**
   * Evaluates the folder {@code dir} that {@link #train} wrote, on the task of its {@code
   * recipe.json}, the data encoded as in training.
   *
   * @throws IllegalArgumentException naming the folder when it is not one {@link #train} wrote
   */
  public static Eval evaluate(Ops ops, Path dir, Data data, int batches, long seed)
      throws IOException {
    if (!isFineTuned(dir)) {
      throw new IllegalArgumentException(dir + " was not written by 't4j train ... --from'");
    }
    String id = String.valueOf(HfConfig.read(dir.resolve(OutputFolder.RECIPE)).get("finetune"));
    Task task =
        Arrays.stream(Task.values())
            .filter(t -> t.id().equals(id))
            .findFirst()
            .orElseThrow(
                () -> new IllegalArgumentException(dir + ": recipe.json names no task: " + id));
    Map<String, Object> config = HfConfig.read(dir.resolve(Pretrained.CONFIG));
    TextTokenizer tok = Tokenizers.installed().forName("auto").load(dir);
    PretrainedModel model = Pretrained.load(ops, dir);
    requireFits(task, model, config, "--model " + dir);
    List<String> labels = task == Task.CLASSIFY ? Labels.fromConfig(config) : List.of();
    if (task == Task.CLASSIFY) {
      for (Datasets.Pair p : data.pairs()) {
        if (!labels.contains(p.target())) {
          throw new IllegalArgumentException(
              "--data: label '" + p.target() + "' is not one of the model's " + labels);
        }
      }
    }
    int rows = task == Task.MLM ? 16 : 12;
    Settings s = new Settings(0, rows, 1, 1e-4, 1e-5, 0, 0, 0, 0f, 1, 1, 0, seed, 0);
    Prepared p = prepare(ops, task, model, config, tok, labels, data, s, "--model " + dir, dir, true);
    int n = task == Task.CLM ? batches : (p.count() + rows - 1) / rows;
    double sum = 0;
    long count = 0;
    long correct = 0;
    for (int i = 0; i < n; i++) {
      Objective.Loss l =
          p.objective()
              .loss(
                  ops,
                  p.model(),
                  p.train().next(),
                  io.github.transformers4j.training.objectives.Forward.eval(seed + i));
      sum += (double) l.value().item() * l.count();
      count += l.count();
      correct += Math.max(0, l.correct());
    }
    return new Eval(
        count == 0 ? Double.NaN : sum / count,
        task == Task.CLM || count == 0 ? Double.NaN : (double) correct / count,
        count,
        task);
  }

  /** A task's model, objective and data, as the trainer and {@link #evaluate} read them. */
  private record Prepared(
      Trainable model,
      Objective objective,
      BatchSource train,
      Supplier<BatchSource> val,
      String what,
      int count) {}

  /**
   * Encodes {@code data} for {@code task} with the folder's tokenizer; {@code all}: every example
   * in the first source, in order (evaluation), else the train and validation split.
   */
  private static Prepared prepare(
      Ops ops,
      Task task,
      PretrainedModel model,
      Map<String, Object> config,
      TextTokenizer tok,
      List<String> labels,
      Data data,
      Settings s,
      String flag,
      Path dir,
      boolean all) {
    SpecialTokens sp = TokenizerFiles.adapt(tok, false).specials();
    int vocab = vocabSize(model, config, flag);
    int pad = intOr(config.get("pad_token_id"), sp.pad() >= 0 ? sp.pad() : 0);
    Trainable trainable;
    Objective objective;
    BatchSource train;
    Supplier<BatchSource> val;
    String what;
    int count;
    switch (task) {
      case CLM -> {
        CausalLm lm = (CausalLm) model;
        int block = s.length() > 0 ? s.length() : Math.min(lm.maxPositions(), 1024);
        if (block > lm.maxPositions()) {
          throw new IllegalArgumentException(
              "--block " + block + " is longer than the " + lm.maxPositions()
                  + " positions of the model in " + dir);
        }
        int[] ids = tok.encodeIds(data.text());
        requireInVocabulary(ids, vocab, tok, flag);
        int[][] parts = Datasets.splitStream(ids, all ? 0 : s.valFraction());
        if (parts[0].length < block + 2) {
          throw new IllegalArgumentException(
              "clm: --data has "
                  + parts[0].length
                  + " tokens after holding out the validation share; one block of "
                  + block
                  + " needs at least "
                  + (block + 2)
                  + " (give more text, or a smaller --block)");
        }
        trainable = TaskAdapters.causal(lm);
        objective = new io.github.transformers4j.training.objectives.CausalLm(false);
        train = new BlockSampler(parts[0], s.batch(), block, s.seed());
        long valSeed = s.seed() + 1;
        val =
            parts[1].length > block + 1
                ? () -> new BlockSampler(parts[1], s.batch(), block, valSeed)
                : null;
        what = ids.length + " tokens in blocks of " + block;
        count = parts[0].length;
      }
      case MLM -> {
        MaskedLm lm = (MaskedLm) model;
        int max = limit(s.length(), lm.maxPositions(), 512);
        List<Example> rows = new ArrayList<>();
        for (String line : data.text().split("\n")) {
          if (!line.isBlank()) {
            rows.add(new Example(cut(tok.encodeIds(line), max, sp.eos()), new int[0]));
          }
        }
        Datasets.Split<Example> split = all ? new Datasets.Split<>(rows, List.of()) : split(rows, s);
        requireInVocabulary(split, vocab, tok, flag);
        trainable = TaskAdapters.masked(lm);
        objective =
            new io.github.transformers4j.training.objectives.MaskedLm(
                new io.github.transformers4j.training.objectives.MlmMasker(0.15, sp, vocab));
        train = new ExampleBatches(split.train(), s.batch(), pad, pad, s.seed(), !all);
        val = valBatches(split.val(), s, pad, pad);
        what = rows.size() + " lines";
        count = split.train().size();
      }
      case SEQ2SEQ -> {
        Seq2SeqLm lm = (Seq2SeqLm) model;
        int maxSource = limit(s.length(), lm.maxSourcePositions(), 512);
        int maxTarget = limit(s.length(), lm.maxTargetPositions(), 512);
        int eos = intOr(config.get("eos_token_id"), sp.eos());
        List<Example> rows = new ArrayList<>();
        for (Datasets.Pair p : data.pairs()) {
          int[] target = tok.encodeIds(p.target());
          // Labels as Hugging Face's tokenizer(text_target=...) gives them: the template's own
          // end token (T5's </s>, BART's <s> ... </s>), else one appended.
          if (eos >= 0 && (target.length == 0 || target[target.length - 1] != eos)) {
            target = Arrays.copyOf(target, target.length + 1);
            target[target.length - 1] = eos;
          }
          rows.add(
              new Example(
                  cut(tok.encodeIds(p.source()), maxSource, eos), cut(target, maxTarget, eos)));
        }
        Datasets.Split<Example> split = all ? new Datasets.Split<>(rows, List.of()) : split(rows, s);
        requireInVocabulary(split, vocab, tok, flag);
        trainable = TaskAdapters.seq2seq(lm);
        objective = new Seq2Seq(lm.decoderStartTokenId(), s.labelSmoothing());
        train = new ExampleBatches(split.train(), s.batch(), pad, pad, s.seed(), !all);
        val = valBatches(split.val(), s, pad, pad);
        what = rows.size() + " pairs";
        count = split.train().size();
      }
      case CLASSIFY -> {
        SequenceClassifier cls = (SequenceClassifier) model;
        int max = limit(s.length(), cls.maxPositions(), 512);
        List<Example> rows = new ArrayList<>();
        for (Datasets.Pair p : data.pairs()) {
          rows.add(
              new Example(
                  cut(tok.encodeIds(p.source()), max, sp.eos()),
                  new int[] {labels.indexOf(p.target())}));
        }
        Datasets.Split<Example> split = all ? new Datasets.Split<>(rows, List.of()) : split(rows, s);
        requireInVocabulary(split, vocab, tok, flag);
        trainable = TaskAdapters.classifier(cls);
        objective = new SequenceClassification();
        train = new ExampleBatches(split.train(), s.batch(), pad, -100, s.seed(), !all);
        val = valBatches(split.val(), s, pad, -100);
        what = rows.size() + " pairs, labels " + labels;
        count = split.train().size();
      }
      default -> throw new IllegalStateException(task.toString());
    }
    return new Prepared(trainable, objective, train, val, what, count);
  }

  /** The distinct labels of the pairs, sorted (the index is the class id). */
  static List<String> labelsOf(List<Datasets.Pair> pairs) {
    TreeSet<String> names = new TreeSet<>();
    for (Datasets.Pair p : pairs) {
      names.add(p.target());
    }
    if (names.size() < 2) {
      throw new IllegalArgumentException(
          "classify: the data has " + names.size() + " label(s) " + names + ", need at least 2");
    }
    return List.copyOf(names);
  }

  /**
   * The sequence classifier for {@code labels}: the folder's own when its head has exactly these
   * labels, else the family's head newly initialized over the folder's encoder.
   */
  private static PretrainedModel classifier(
      Ops ops,
      Path dir,
      String flag,
      Map<String, Object> config,
      List<String> labels,
      long seed,
      PrintStream progress)
      throws IOException {
    String type = String.valueOf(config.get("model_type"));
    String head =
        switch (type) {
          case "bert" -> "BertForSequenceClassification";
          case "roberta" -> "RobertaForSequenceClassification";
          case "electra" -> "ElectraForSequenceClassification";
          default -> null;
        };
    if (head == null) {
      return Pretrained.load(ops, dir); // requireFits names what it is
    }
    if (head.equals(firstArchitecture(config)) && Labels.fromConfig(config).equals(labels)) {
      return Pretrained.load(ops, dir);
    }
    Map<String, Object> map = new LinkedHashMap<>(config);
    map.put("architectures", List.of(head));
    map.put("num_labels", labels.size());
    map.put("id2label", Labels.toId2Label(labels));
    PretrainedModel m =
        (PretrainedModel) Plugins.architectures().forName(type).create(ops, map);
    List<String> fresh = new ArrayList<>();
    try (Weights source = Pretrained.openWeights(dir)) {
      m.load(new WithFreshTensors(m.parameters(), source, type + ".", initStd(config), seed, fresh));
    }
    if (progress != null) {
      progress.printf(
          "%s: %s becomes a %s for the labels %s; %s%n",
          flag,
          firstArchitecture(config),
          head,
          labels,
          fresh.isEmpty()
              ? "its head fits them and is kept (as from_pretrained keeps it)"
              : "newly initialized (seed " + seed + "): " + String.join(", ", fresh));
    }
    return m;
  }

  private static double initStd(Map<String, Object> config) {
    return config.get("initializer_range") instanceof Number n ? n.doubleValue() : 0.02;
  }

  /** Fails, naming the folder's architecture and what the task needs, when they do not fit. */
  private static void requireFits(
      Task task, PretrainedModel model, Map<String, Object> config, String flag) {
    boolean fits =
        switch (task) {
          case CLM -> model instanceof CausalLm;
          case MLM -> model instanceof MaskedLm;
          case SEQ2SEQ -> model instanceof Seq2SeqLm;
          case CLASSIFY -> model instanceof SequenceClassifier;
        };
    if (!fits) {
      String arch = firstArchitecture(config);
      throw new IllegalArgumentException(
          "t4j train "
              + task.id()
              + " --from needs "
              + task.needs()
              + ": "
              + flag
              + " holds a "
              + config.get("model_type")
              + " "
              + (arch == null ? model.getClass().getSimpleName() : arch)
              + ", which has none");
    }
  }

  /** The Hugging Face class of the trained model, {@code architectures[0]} of the output. */
  private static String architecture(Task task, PretrainedModel model, Map<String, Object> config) {
    String type = String.valueOf(config.get("model_type"));
    String source = firstArchitecture(config);
    return switch (task) {
      case CLM ->
          switch (type) {
            case "gpt2" -> "GPT2LMHeadModel";
            case "opt" -> "OPTForCausalLM";
            default -> source;
          };
      case SEQ2SEQ ->
          switch (type) {
            case "t5" -> "T5ForConditionalGeneration";
            case "mt5" -> "MT5ForConditionalGeneration";
            case "bart" -> "BartForConditionalGeneration";
            case "pegasus" -> "PegasusForConditionalGeneration";
            case "marian" -> "MarianMTModel";
            default -> source;
          };
      case CLASSIFY ->
          switch (type) {
            case "bert" -> "BertForSequenceClassification";
            case "roberta" -> "RobertaForSequenceClassification";
            case "electra" -> "ElectraForSequenceClassification";
            default -> source;
          };
      case MLM -> source; // only a ...ForMaskedLM folder builds a MaskedLm
    };
  }

  private static String firstArchitecture(Map<String, Object> config) {
    return config.get("architectures") instanceof List<?> l && !l.isEmpty()
        ? String.valueOf(l.get(0))
        : null;
  }

  private static int vocabSize(PretrainedModel model, Map<String, Object> config, String flag) {
    if (model instanceof CausalLm lm) {
      return lm.vocabSize();
    }
    if (model instanceof Seq2SeqLm lm) {
      return lm.vocabSize();
    }
    if (config.get("vocab_size") instanceof Number n) {
      return n.intValue();
    }
    throw new IllegalArgumentException(flag + ": config.json has no vocab_size");
  }

  private static int intOr(Object v, int otherwise) {
    return v instanceof Number n ? n.intValue() : otherwise;
  }

  /** The most tokens of an input: {@code asked} (0: the model's, capped at {@code cap}). */
  private static int limit(int asked, int model, int cap) {
    if (asked > model) {
      throw new IllegalArgumentException(
          "--max-length " + asked + " is longer than the model's " + model + " positions");
    }
    return asked > 0 ? asked : Math.min(model, cap);
  }

  /** {@code ids} cut to {@code max}, keeping the end token last when it was. */
  static int[] cut(int[] ids, int max, int eos) {
    if (ids.length <= max) {
      return ids;
    }
    int last = ids[ids.length - 1];
    int[] out = Arrays.copyOf(ids, max);
    if (eos >= 0 && last == eos) {
      out[max - 1] = eos;
    }
    return out;
  }

  private static Datasets.Split<Example> split(List<Example> rows, Settings s) {
    if (rows.isEmpty()) {
      throw new IllegalArgumentException("--data holds no examples");
    }
    return s.valFraction() > 0 && rows.size() > 1
        ? Datasets.split(rows, s.valFraction(), s.seed())
        : new Datasets.Split<>(rows, List.of());
  }

  private static Supplier<BatchSource> valBatches(
      List<Example> val, Settings s, int pad, int targetPad) {
    return val.isEmpty()
        ? null
        : () -> new ExampleBatches(val, s.batch(), pad, targetPad, 0, false);
  }

  private static void requireInVocabulary(
      Datasets.Split<Example> split, int vocab, TextTokenizer tok, String flag) {
    for (List<Example> part : List.of(split.train(), split.val())) {
      for (Example e : part) {
        requireInVocabulary(e.input(), vocab, tok, flag);
        if (e.target().length > 1) {
          requireInVocabulary(e.target(), vocab, tok, flag);
        }
      }
    }
  }

  private static void requireInVocabulary(int[] ids, int vocab, TextTokenizer tok, String flag) {
    for (int id : ids) {
      if (id < 0 || id >= vocab) {
        String piece;
        try {
          piece = " ('" + tok.decodeIds(new int[] {id}, false) + "')";
        } catch (RuntimeException e) {
          piece = "";
        }
        throw new IllegalArgumentException(
            flag
                + ": its tokenizer gives id "
                + id
                + piece
                + ", outside the model's vocabulary of "
                + vocab
                + " (config.json vocab_size); the tokenizer files do not belong to this model");
      }
    }
  }

  // The files of a source folder the output keeps as they are: the tokenizer's and the generation
  // settings (config.json and the weights are written anew).
  private static final List<String> COPIED =
      List.of(
          "tokenizer.json",
          "tokenizer_config.json",
          "special_tokens_map.json",
          "added_tokens.json",
          "vocab.json",
          "merges.txt",
          "vocab.txt",
          "spiece.model",
          "sentencepiece.bpe.model",
          "source.spm",
          "target.spm",
          "generation_config.json");

  /** The main tokenizer file of a folder, for {@code recipe.json}. */
  private static String tokenizerFile(Path dir) {
    for (String name :
        List.of("tokenizer.json", "spiece.model", "sentencepiece.bpe.model", "vocab.json",
            "vocab.txt", "source.spm")) {
      if (Files.isRegularFile(dir.resolve(name))) {
        return name;
      }
    }
    return "tokenizer.json";
  }

  private static void copyFolderFiles(Path from, Path to) throws IOException {
    for (String name : COPIED) {
      Path f = from.resolve(name);
      if (Files.isRegularFile(f)) {
        io.github.transformers4j.api.io.AtomicFiles.write(to.resolve(name), Files.readAllBytes(f));
      }
    }
  }

  /**
   * Writes {@code model.safetensors} (the family's Hugging Face names) and {@code config.json}
   * into {@code dir}.
   */
  static void export(Path dir, PretrainedModel model, Map<String, Object> config)
      throws IOException {
    Map<String, TensorData> out = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : checkpointTensors(model).entrySet()) {
      Tensor v = e.getValue();
      out.put(e.getKey(), new TensorData(v.shape(), v.toFloatArray()));
    }
    SafeTensors.write(
        dir.resolve(HfFolder.WEIGHTS), out, Map.of("format", "pt"), io.github.transformers4j.api.DType.F32);
    HfFolder.writeJson(dir.resolve(Pretrained.CONFIG), config);
  }

  /**
   * The tensors of {@code model} under its family's checkpoint names: GPT-2's under {@code
   * GPT2LMHeadModel}'s {@code transformer.}; the BART family's as {@link
   * EncoderDecoderModel#checkpointTensors} writes them; the others' parameter names are already
   * their Hugging Face class's.
   */
  static Map<String, Tensor> checkpointTensors(PretrainedModel model) {
    if (model instanceof EncoderDecoderModel ed) {
      return ed.checkpointTensors();
    }
    Map<String, Tensor> out = new LinkedHashMap<>();
    String prefix = model instanceof Gpt2Model ? "transformer." : "";
    model.parameters().forEach((n, t) -> out.put(prefix + n, t));
    return out;
  }

  /**
   * A model's tensors for loading: the source checkpoint's where it has them (under the model's
   * name, or without the encoder prefix for a bare encoder's file), a new initialization for the
   * others (the head), as Hugging Face initializes a head {@code from_pretrained} does not find.
   */
  private static final class WithFreshTensors implements Weights {
    private final Map<String, String> sourceNames = new LinkedHashMap<>();
    private final Map<String, float[]> fresh = new LinkedHashMap<>();
    private final Map<String, Shape> shapes = new LinkedHashMap<>();
    private final Weights source;

    WithFreshTensors(
        Map<String, Tensor> params,
        Weights source,
        String encoderPrefix,
        double std,
        long seed,
        List<String> freshNames) {
      this.source = source;
      Random rng = new Random(seed);
      for (Map.Entry<String, Tensor> e : params.entrySet()) {
        String n = e.getKey();
        Shape shape = e.getValue().shape();
        shapes.put(n, shape);
        String bare = n.startsWith(encoderPrefix) ? n.substring(encoderPrefix.length()) : null;
        if (source.contains(n) && source.shape(n).equals(shape)) {
          sourceNames.put(n, n);
        } else if (bare != null && source.contains(bare) && source.shape(bare).equals(shape)) {
          sourceNames.put(n, bare);
        } else {
          float[] v = new float[(int) shape.size()];
          if (n.endsWith("bias")) {
            // zeros
          } else if (shape.rank() == 1) {
            Arrays.fill(v, 1f); // a norm's scale
          } else {
            for (int i = 0; i < v.length; i++) {
              v[i] = (float) (rng.nextGaussian() * std);
            }
          }
          fresh.put(n, v);
          freshNames.add(n);
        }
      }
    }

    @Override
    public java.util.Set<String> names() {
      return shapes.keySet();
    }

    @Override
    public Shape shape(String name) {
      return shapes.get(name);
    }

    @Override
    public io.github.transformers4j.api.DType storedAs(String name) {
      return io.github.transformers4j.api.DType.F32;
    }

    @Override
    public float[] floats(String name) {
      float[] v = fresh.get(name);
      return v != null ? v : source.floats(sourceNames.get(name));
    }
  }
}
