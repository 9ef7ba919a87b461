package io.github.transformers4j.training;

import io.github.transformers4j.models.nn.WeightPrecision;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.models.bert.BertConfig;
import io.github.transformers4j.models.bert.BertForMaskedLM;
import io.github.transformers4j.models.bert.BertForSequenceClassification;
import io.github.transformers4j.models.config.HfConfig;
import io.github.transformers4j.training.checkpoint.Checkpoint;
import io.github.transformers4j.api.io.AtomicFiles;
import io.github.transformers4j.training.data.BatchSource;
import io.github.transformers4j.training.data.BlockSampler;
import io.github.transformers4j.training.data.CharTokenizer;
import io.github.transformers4j.training.data.Datasets;
import io.github.transformers4j.training.data.Example;
import io.github.transformers4j.training.data.ExampleBatches;
import io.github.transformers4j.training.data.SpecialTokens;
import io.github.transformers4j.training.data.TextTokenizer;
import io.github.transformers4j.training.data.TokenizerFiles;
import io.github.transformers4j.training.models.TaskAdapters;
import io.github.transformers4j.training.objectives.Forward;
import io.github.transformers4j.training.objectives.MaskedLm;
import io.github.transformers4j.training.objectives.MlmMasker;
import io.github.transformers4j.training.objectives.Objective;
import io.github.transformers4j.training.objectives.SequenceClassification;
import io.github.transformers4j.training.optim.AdamW;
import io.github.transformers4j.training.optim.LrSchedule;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The BERT recipes of {@code transformer-models}' encoder: masked LM on a text (random windows of
 * the token stream, BERT's 15 % masking) and sequence classification on (text, label) pairs. The
 * tokenizer is a tokenizer file (its template adds [CLS] ... [SEP]) or, by default, a char
 * tokenizer fitted on the data with [PAD] [BOS]=[CLS] [EOS]=[SEP] [MASK] [UNK]. The output folder
 * gets {@code config.json} (Hugging Face BERT names; {@code id2label} for classification), {@code
 * recipe.json}, the tokenizer and {@code checkpoint/}.
 */
public final class BertRecipe {
  private BertRecipe() {}

  /** The two tasks. */
  public enum Task {
    /** Masked LM. */
    MLM,
    /** Sequence classification. */
    CLASSIFY;

    /** The task's name in {@code recipe.json}. */
    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * The hyper-parameters.
   *
   * @param width hidden size
   * @param layers blocks
   * @param heads attention heads
   * @param ffn intermediate size
   * @param dropout hidden dropout in training
   * @param maxLength MLM: the window length; classification: inputs are cut to this many tokens
   * @param batch rows per batch
   * @param steps optimizer steps
   * @param lr peak learning rate (cosine to {@code lr / 10} after linear warmup)
   * @param warmup warmup steps
   * @param weightDecay AdamW decoupled decay (matrices only)
   * @param clip global gradient-norm clip, 0 = none
   * @param evalEvery validation every this many steps (and at the end)
   * @param evalBatches MLM: validation windows' batches per evaluation
   * @param valFraction held-out share (MLM: the tail of the stream; classification: seeded pairs)
   * @param seed initialization, split, order, masking and dropout seed
   */
  public record Settings(
      int width,
      int layers,
      int heads,
      int ffn,
      float dropout,
      int maxLength,
      int batch,
      long steps,
      double lr,
      long warmup,
      double weightDecay,
      double clip,
      long evalEvery,
      int evalBatches,
      double valFraction,
      long seed) {}

  /**
   * The result of a run.
   *
   * @param result the trainer's result
   * @param accuracy masked-token or classification accuracy on the held-out part (NaN: none)
   * @param baseline the accuracy of always predicting the most frequent training token or label
   */
  public record Run(Trainer.Result result, double accuracy, double baseline) {}

  /** A reloaded model: the trainable head, its tokenizer and (classification) label names. */
  public record Loaded(
      Task task,
      io.github.transformers4j.training.objectives.Trainable model,
      TextTokenizer tokenizer,
      List<String> labels,
      BertConfig config) {}

  // config.json keys that define the model, and the options that set them (for --resume checks).
  private static final Map<String, String> OPTIONS = new LinkedHashMap<>();

  static {
    OPTIONS.put("vocab_size", "the tokenizer's vocabulary size");
    OPTIONS.put("hidden_size", "--width");
    OPTIONS.put("num_hidden_layers", "--layers");
    OPTIONS.put("num_attention_heads", "--heads");
    OPTIONS.put("intermediate_size", "--ffn");
    OPTIONS.put("max_position_embeddings", "--max-length");
    OPTIONS.put("hidden_dropout_prob", "--dropout");
    OPTIONS.put("num_labels", "the data's number of labels");
    OPTIONS.put("seed", "--seed");
  }

  /**
   * The run's tokenizer, written nowhere yet: the file's, or a char tokenizer of {@code corpus};
   * when resuming, checked against the checkpoint's.
   */
  private static TextTokenizer tokenizer(Path tokenizerFile, String corpus, OutputFolder out)
      throws IOException {
    Path output = out.dir();
    out.requireSameTokenizer(
        tokenizerFile == null ? "tokenizer.json" : tokenizerFile.getFileName().toString());
    if (tokenizerFile == null) {
      CharTokenizer chars = CharTokenizer.fit(corpus, true);
      if (out.resuming()) {
        CharTokenizer saved = CharTokenizer.load(output.resolve("tokenizer.json"));
        CharLm.requireSameCharacters(saved, chars, output);
        return saved;
      }
      return chars;
    }
    TextTokenizer tok = TokenizerFiles.load(tokenizerFile, false);
    if (out.resuming()) {
      Seq2SeqRecipe.requireSameFile(
          tokenizerFile, output.resolve(tokenizerFile.getFileName().toString()), "--tokenizer");
    }
    return tok;
  }

  /** Writes the new run's tokenizer (nothing when resuming: the checkpoint's is kept). */
  private static void saveTokenizer(TextTokenizer tok, Path tokenizerFile, OutputFolder out)
      throws IOException {
    if (out.resuming()) {
      return;
    }
    if (tokenizerFile == null) {
      ((CharTokenizer) tok).save(out.dir().resolve("tokenizer.json"));
    } else {
      Files.copy(
          tokenizerFile,
          out.dir().resolve(tokenizerFile.getFileName().toString()),
          StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** The data fingerprint of encoded examples: inputs, targets and labels, in order. */
  static String examplesFingerprint(List<Example> train, List<Example> val) {
    List<Object> parts = new ArrayList<>();
    for (List<Example> part : List.of(train, val)) {
      parts.add("part " + part.size());
      for (Example e : part) {
        parts.add(e.input());
        parts.add(e.target());
      }
    }
    return OutputFolder.fingerprint(parts);
  }

  /** The tokenizer's special tokens, failing when it lacks [PAD] (or [MASK] when {@code mask}). */
  public static SpecialTokens requireSpecials(TextTokenizer tok, boolean mask) {
    SpecialTokens sp = tok.specials();
    if (sp.pad() < 0 || (mask && sp.mask() < 0)) {
      throw new IllegalArgumentException(
          "bert: the tokenizer needs a padding token ([PAD]/<pad>)"
              + (mask ? " and a mask token ([MASK]/<mask>)" : "")
              + "; it has pad "
              + sp.pad()
              + (mask ? ", mask " + sp.mask() : ""));
    }
    return sp;
  }

  /**
   * Masked LM on {@code text}, writing into {@code out} (see {@link OutputFolder}).
   *
   * @param reschedule when resuming, use these settings' schedule instead of the checkpoint's
   */
  public static Run trainMlm(
      Ops ops,
      String text,
      Path tokenizerFile,
      Settings s,
      OutputFolder out,
      boolean reschedule,
      PrintStream progress)
      throws IOException {
    if (text.isEmpty()) {
      throw new IllegalArgumentException("mlm: the training text is empty");
    }
    TextTokenizer tok = tokenizer(tokenizerFile, text, out);
    SpecialTokens sp = requireSpecials(tok, true);
    int[] ids = tok.encode(text);
    int[][] parts = Datasets.splitStream(ids, s.valFraction());
    int block = s.maxLength() - 1; // BlockSampler rows are block + 1 tokens
    if (parts[0].length <= s.maxLength()) {
      throw new IllegalArgumentException(
          "mlm: "
              + parts[0].length
              + " training tokens, fewer than one window of "
              + s.maxLength());
    }
    BertConfig cfg = config(tok.vocabSize(), s, 2);
    out.requireSameConfig(configMap(cfg, List.of()), OPTIONS);
    out.requireSameData(
        OutputFolder.fingerprint(List.of(parts[0], parts[1])), "--data, --val-fraction");
    saveTokenizer(tok, tokenizerFile, out);
    save(out, cfg, Task.MLM, tokenizerFile, List.of());
    var model = TaskAdapters.masked(new BertForMaskedLM(ops, cfg));
    Objective mlm = new MaskedLm(new MlmMasker(0.15, sp, tok.vocabSize()));
    boolean hasVal = parts[1].length > s.maxLength();
    Supplier<BatchSource> val =
        hasVal ? () -> new BlockSampler(parts[1], s.batch(), block, s.seed() + 1) : null;
    describe(progress, "mlm", ids.length + " tokens", tok, model.parameterSet().count(), s);
    Trainer.Result r =
        run(
            ops,
            model,
            mlm,
            s,
            out,
            reschedule,
            progress,
            new BlockSampler(parts[0], s.batch(), block, s.seed()),
            val,
            (dir, step) -> export(dir, cfg, tok, List.of(), model.parameterSet()));
    if (!hasVal) {
      return new Run(r, Double.NaN, Double.NaN);
    }
    // The unigram baseline: always the most frequent training token that may be masked.
    long[] freq = new long[tok.vocabSize()];
    for (int id : parts[0]) {
      if (!sp.isSpecial(id)) {
        freq[id]++;
      }
    }
    int top = argmax(freq);
    long[] hits = accuracy(ops, model, mlm, val.get(), Math.max(1, s.evalBatches()), top);
    return new Run(r, (double) hits[0] / hits[2], (double) hits[1] / hits[2]);
  }

  /**
   * Sequence classification on (text, label) pairs, writing into {@code out} (see {@link
   * OutputFolder}).
   *
   * @param reschedule when resuming, use these settings' schedule instead of the checkpoint's
   */
  public static Run trainClassifier(
      Ops ops,
      List<Datasets.Pair> pairs,
      Path tokenizerFile,
      Settings s,
      OutputFolder out,
      boolean reschedule,
      PrintStream progress)
      throws IOException {
    if (pairs.isEmpty()) {
      throw new IllegalArgumentException("classify: no (text, label) pairs");
    }
    StringBuilder corpus = new StringBuilder();
    TreeSet<String> names = new TreeSet<>();
    for (Datasets.Pair p : pairs) {
      corpus.append(p.source());
      names.add(p.target());
    }
    List<String> labels = new ArrayList<>(names);
    if (labels.size() < 2) {
      throw new IllegalArgumentException(
          "classify: the data has " + labels.size() + " label(s) " + labels + ", need at least 2");
    }
    if (out.resuming()) {
      List<String> was = new ArrayList<>();
      JsonObject recipe =
          new Gson()
              .fromJson(
                  Files.readString(out.dir().resolve(OutputFolder.RECIPE)), JsonObject.class);
      recipe.getAsJsonArray("labels").forEach(e -> was.add(e.getAsString()));
      if (!was.equals(labels)) {
        throw new IllegalArgumentException(
            "--resume: the labels of --data "
                + labels
                + " are not those the checkpoint in "
                + out.dir()
                + " was trained with "
                + was
                + "; resume with the same labels, or train a new model in another folder");
      }
    }
    TextTokenizer tok = tokenizer(tokenizerFile, corpus.toString(), out);
    SpecialTokens sp = requireSpecials(tok, false);
    Datasets.Split<Datasets.Pair> split =
        s.valFraction() > 0
            ? Datasets.split(pairs, s.valFraction(), s.seed())
            : new Datasets.Split<>(pairs, List.of());
    List<Example> train =
        cut(Datasets.classificationExamples(split.train(), tok, labels), s.maxLength(), sp);
    List<Example> val =
        cut(Datasets.classificationExamples(split.val(), tok, labels), s.maxLength(), sp);
    BertConfig cfg = config(tok.vocabSize(), s, labels.size());
    out.requireSameConfig(configMap(cfg, labels), OPTIONS);
    out.requireSameData(examplesFingerprint(train, val), "--data, --val-fraction, --seed");
    saveTokenizer(tok, tokenizerFile, out);
    save(out, cfg, Task.CLASSIFY, tokenizerFile, labels);
    var model = TaskAdapters.classifier(new BertForSequenceClassification(ops, cfg));
    Objective cls = new SequenceClassification();
    Supplier<BatchSource> valSource =
        val.isEmpty() ? null : () -> new ExampleBatches(val, s.batch(), sp.pad(), -100, 0, false);
    describe(
        progress,
        "classify",
        pairs.size() + " pairs, " + labels.size() + " labels",
        tok,
        model.parameterSet().count(),
        s);
    Trainer.Result r =
        run(
            ops,
            model,
            cls,
            s,
            out,
            reschedule,
            progress,
            new ExampleBatches(train, s.batch(), sp.pad(), -100, s.seed(), true),
            valSource,
            (dir, step) -> export(dir, cfg, tok, labels, model.parameterSet()));
    if (val.isEmpty()) {
      return new Run(r, Double.NaN, Double.NaN);
    }
    long[] freq = new long[labels.size()];
    for (Example e : train) {
      freq[e.target()[0]]++;
    }
    int batches = (val.size() + s.batch() - 1) / s.batch();
    long[] hits = accuracy(ops, model, cls, valSource.get(), batches, argmax(freq));
    return new Run(r, (double) hits[0] / hits[2], (double) hits[1] / hits[2]);
  }

  /**
   * Inputs cut to {@code maxLength} tokens, keeping the last (the template's [SEP]). Public for
   * trainers that set up the recipe's parts themselves (the Spark module's replicas).
   */
  public static List<Example> cut(List<Example> ex, int maxLength, SpecialTokens sp) {
    List<Example> out = new ArrayList<>(ex.size());
    for (Example e : ex) {
      int[] in = e.input();
      if (in.length > maxLength) {
        int last = in[in.length - 1];
        in = Arrays.copyOf(in, maxLength);
        if (last == sp.eos()) {
          in[in.length - 1] = last;
        }
      }
      out.add(new Example(in, e.target()));
    }
    return out;
  }

  private static int argmax(long[] a) {
    int best = 0;
    for (int i = 1; i < a.length; i++) {
      best = a[i] > a[best] ? i : best;
    }
    return best;
  }

  /** {correct, baseline correct, counted} over {@code batches} batches of {@code source}. */
  private static long[] accuracy(
      Ops ops,
      io.github.transformers4j.training.objectives.Trainable model,
      Objective objective,
      BatchSource source,
      int batches,
      int majority) {
    long[] out = new long[3];
    for (int i = 0; i < batches; i++) {
      var batch = source.next();
      Objective.Loss l = objective.loss(ops, model, batch, Forward.eval(Long.MAX_VALUE - i));
      out[0] += l.correct();
      out[2] += l.count();
      // The baseline's hits need the labels the objective used: recompute them the same way.
      out[1] += baselineHits(objective, batch, majority, Long.MAX_VALUE - i);
    }
    return out;
  }

  private static long baselineHits(
      Objective objective,
      io.github.transformers4j.training.data.Batch batch,
      int majority,
      long seed) {
    long hits = 0;
    if (objective instanceof MaskedLm m) {
      for (int y : m.labels(batch, Forward.eval(seed))) {
        hits += y == majority ? 1 : 0;
      }
    } else {
      for (int y : batch.targets().data()) {
        hits += y == majority ? 1 : 0;
      }
    }
    return hits;
  }

  private static void describe(
      PrintStream progress, String task, String data, TextTokenizer tok, long params, Settings s) {
    if (progress != null) {
      progress.printf(
          Locale.ROOT,
          "bert %s: %s, vocabulary %d, %.2fM parameters, %d steps of %d rows%n",
          task,
          data,
          tok.vocabSize(),
          params / 1e6,
          s.steps(),
          s.batch());
    }
  }

  private static Trainer.Result run(
      Ops ops,
      io.github.transformers4j.training.objectives.Trainable model,
      Objective objective,
      Settings s,
      OutputFolder out,
      boolean reschedule,
      PrintStream progress,
      BatchSource train,
      Supplier<BatchSource> val,
      Trainer.Export export)
      throws IOException {
    TrainerConfig tc =
        new TrainerConfig(
            s.steps(),
            1,
            s.clip(),
            RunSchedule.choose(
                out, s.lr(), s.lr() / 10, s.warmup(), s.steps(), reschedule, progress),
            s.evalEvery(),
            val == null ? 0 : Math.max(1, s.evalBatches()),
            s.evalEvery(),
            out.dir(),
            s.seed(),
            0);
    Trainer trainer = new Trainer(ops, model, objective, optimizer(s), tc, progress);
    trainer
        .writingTo(out)
        .exporting(export)
        .describe(RunSchedule.KEY, ((LrSchedule.Cosine) tc.schedule()).encode());
    return trainer.runStoppable(train, val, out.resuming(), 60);
  }

  /** The recipe's optimizer: AdamW (0.9, 0.999), decay on matrices only. */
  public static AdamW optimizer(Settings s) {
    return new AdamW(0.9, 0.999, 1e-8, s.weightDecay(), false);
  }

  /** The recipe's schedule of a new run: cosine to {@code lr / 10} after linear warmup. */
  public static LrSchedule.Cosine schedule(Settings s) {
    return LrSchedule.cosine(
        s.lr(), s.lr() / 10, LrSchedule.cappedWarmup(s.warmup(), s.steps()), s.steps());
  }

  /** The recipe's BERT for {@code vocab} tokens and {@code labels} labels (2 for MLM). */
  public static BertConfig config(int vocab, Settings s, int labels) {
    return new BertConfig(
        vocab,
        s.width(),
        s.layers(),
        s.heads(),
        s.ffn(),
        io.github.transformers4j.api.Activation.GELU,
        s.dropout(),
        s.dropout(),
        Math.max(s.maxLength(), 8),
        2,
        1e-12f,
        0.02,
        labels,
        "sdpa",
        s.seed());
  }

  private static void save(
      OutputFolder out, BertConfig c, Task task, Path tokenizerFile, List<String> labels)
      throws IOException {
    if (out.resuming()) {
      return; // the checkpoint's files stay as they are (checked equal above)
    }
    HfFolder.writeJson(out.dir().resolve("config.json"), configMap(c, labels));
    OutputFolder.writeRecipe(
        out.dir(),
        task.id(),
        tokenizerFile == null ? "tokenizer.json" : tokenizerFile.getFileName().toString(),
        Map.of("labels", labels));
  }

  /**
   * Writes the Hugging Face BERT files of a model into {@code dir} (see {@link HfFolder}): the
   * weights under their own names (they are {@code BertForMaskedLM}'s and {@code
   * BertForSequenceClassification}'s; the MLM decoder is tied to the word embeddings), {@code
   * config.json} with the architecture, {@code pad_token_id} and the labels both ways, and for a
   * char vocabulary the tokenizer files. No {@code generation_config.json}: an encoder does not
   * generate, and Hugging Face writes none for these classes either.
   */
  public static void export(
      Path dir,
      BertConfig c,
      TextTokenizer tok,
      List<String> labels,
      io.github.transformers4j.training.optim.ParameterSet params)
      throws IOException {
    HfFolder.writeWeights(dir, params, name -> name, Map.of());
    HfFolder.writeJson(dir.resolve("config.json"), configMap(c, labels, tok));
    if (tok instanceof CharTokenizer chars) {
      HfFolder.writeCharTokenizer(dir, chars, c.maxPositionEmbeddings());
    }
  }

  /** The {@code config.json} of a new run (Hugging Face BERT names; labels both ways). */
  public static Map<String, Object> configMap(BertConfig c, List<String> labels) {
    return configMap(c, labels, null);
  }

  private static Map<String, Object> configMap(
      BertConfig c, List<String> labels, TextTokenizer tok) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(
        "architectures",
        List.of(labels.isEmpty() ? "BertForMaskedLM" : "BertForSequenceClassification"));
    m.put("model_type", "bert");
    m.put("vocab_size", c.vocabSize());
    m.put("hidden_size", c.hiddenSize());
    m.put("num_hidden_layers", c.numHiddenLayers());
    m.put("num_attention_heads", c.numAttentionHeads());
    m.put("intermediate_size", c.intermediateSize());
    m.put("hidden_act", "gelu");
    m.put("hidden_dropout_prob", c.hiddenDropoutProb());
    m.put("attention_probs_dropout_prob", c.attentionProbsDropoutProb());
    m.put("max_position_embeddings", c.maxPositionEmbeddings());
    m.put("type_vocab_size", c.typeVocabSize());
    m.put("layer_norm_eps", c.layerNormEps());
    m.put("initializer_range", c.initializerRange());
    m.put("num_labels", c.numLabels());
    if (!labels.isEmpty()) {
      Map<String, String> id2label = new LinkedHashMap<>();
      for (int i = 0; i < labels.size(); i++) {
        id2label.put(Integer.toString(i), labels.get(i));
      }
      m.put("id2label", id2label);
      Map<String, Integer> label2id = new LinkedHashMap<>();
      for (int i = 0; i < labels.size(); i++) {
        label2id.put(labels.get(i), i);
      }
      m.put("label2id", label2id);
      m.put("problem_type", "single_label_classification");
    }
    if (tok != null) {
      m.put("pad_token_id", HfFolder.idOrNull(tok.specials().pad()));
    }
    m.put("seed", c.seed());
    return m;
  }

  /**
   * An evaluation.
   *
   * @param loss the mean loss per counted target
   * @param accuracy masked-token or classification accuracy
   * @param count counted targets (masked tokens or examples)
   */
  public record Eval(double loss, double accuracy, long count) {}

  /** Whether {@code dir} holds a model of {@link #trainMlm} or {@link #trainClassifier}. */
  public static boolean isBert(Path dir) throws IOException {
    Path r = dir.resolve("recipe.json");
    if (!Files.exists(r)) {
      return false;
    }
    JsonObject o = new Gson().fromJson(Files.readString(r), JsonObject.class);
    String task = o != null && o.has("task") ? o.get("task").getAsString() : "";
    return task.equals(Task.MLM.id()) || task.equals(Task.CLASSIFY.id());
  }

  /**
   * MLM: loss and masked-token accuracy on {@code batches} batches of 16 random windows of {@code
   * text} (masking and windows from {@code seed}).
   */
  public static Eval evaluateMlm(Ops ops, Loaded m, String text, int batches, long seed) {
    if (m.task() != Task.MLM) {
      throw new IllegalArgumentException("not an MLM model: " + m.task().id());
    }
    SpecialTokens sp = m.tokenizer().specials();
    int[] ids = m.tokenizer().encode(text);
    BlockSampler windows = new BlockSampler(ids, 16, m.config().maxPositionEmbeddings() - 1, seed);
    return evaluate(
        ops, m, new MaskedLm(new MlmMasker(0.15, sp, m.tokenizer().vocabSize())), windows, batches);
  }

  /** Classification: loss and accuracy on every pair (labels must be the model's). */
  public static Eval evaluateClassifier(Ops ops, Loaded m, List<Datasets.Pair> pairs) {
    if (m.task() != Task.CLASSIFY) {
      throw new IllegalArgumentException("not a classification model: " + m.task().id());
    }
    SpecialTokens sp = m.tokenizer().specials();
    List<Example> ex =
        cut(
            Datasets.classificationExamples(pairs, m.tokenizer(), m.labels()),
            m.config().maxPositionEmbeddings(),
            sp);
    return evaluate(
        ops,
        m,
        new SequenceClassification(),
        new ExampleBatches(ex, 16, sp.pad(), -100, 0, false),
        (ex.size() + 15) / 16);
  }

  private static Eval evaluate(
      Ops ops, Loaded m, Objective objective, BatchSource source, int batches) {
    double lossSum = 0;
    long correct = 0;
    long count = 0;
    for (int i = 0; i < batches; i++) {
      Objective.Loss l = objective.loss(ops, m.model(), source.next(), Forward.eval(i));
      lossSum += (double) l.value().item() * l.count();
      correct += l.correct();
      count += l.count();
    }
    return new Eval(lossSum / count, (double) correct / count, count);
  }

  /** Loads a model written by {@link #trainMlm} or {@link #trainClassifier}. */
  public static Loaded load(Ops ops, Path dir) throws IOException {
    return load(ops, dir, WeightPrecision.F32);
  }

  /** As {@link #load(Ops, Path)}, the matmul weights then held in {@code precision}. */
  public static Loaded load(Ops ops, Path dir, WeightPrecision precision) throws IOException {
    Path r = dir.resolve("recipe.json");
    if (!Files.exists(r)) {
      throw new IOException(dir + ": no recipe.json (t4j train mlm|classify)");
    }
    JsonObject recipe = new Gson().fromJson(Files.readString(r), JsonObject.class);
    String task = recipe.get("task").getAsString();
    BertConfig cfg = BertConfig.fromMap(HfConfig.read(dir.resolve("config.json")));
    TextTokenizer tok =
        TokenizerFiles.load(dir.resolve(recipe.get("tokenizer").getAsString()), false);
    if (tok.vocabSize() > cfg.vocabSize()) {
      // Ids past the embedding would fail deep in the model; fewer tokens (a tokenizer file that
      // Hugging Face rounds up in config.json) are fine for an encoder.
      throw new IOException(
          dir.resolve(recipe.get("tokenizer").getAsString())
              + " has "
              + tok.vocabSize()
              + " tokens but "
              + dir.resolve("config.json")
              + " says vocab_size "
              + cfg.vocabSize()
              + "; the two files are not of one model");
    }
    List<String> labels = new ArrayList<>();
    recipe.getAsJsonArray("labels").forEach(e -> labels.add(e.getAsString()));
    io.github.transformers4j.training.objectives.Trainable model;
    io.github.transformers4j.models.nn.AbstractModule module;
    Task t;
    if (task.equals(Task.MLM.id())) {
      t = Task.MLM;
      BertForMaskedLM m = new BertForMaskedLM(ops, cfg);
      module = m;
      model = TaskAdapters.masked(m);
    } else if (task.equals(Task.CLASSIFY.id())) {
      t = Task.CLASSIFY;
      BertForSequenceClassification m = new BertForSequenceClassification(ops, cfg);
      module = m;
      model = TaskAdapters.classifier(m);
    } else {
      throw new IOException(r + ": task '" + task + "' is not mlm or classify");
    }
    Checkpoint.loadModel(dir.resolve("checkpoint"), model.parameterSet());
    module.quantize(precision);
    return new Loaded(t, model, tok, labels, cfg);
  }
}
