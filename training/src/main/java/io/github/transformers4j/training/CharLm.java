package io.github.transformers4j.training;

import io.github.transformers4j.models.nn.WeightPrecision;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.models.config.HfConfig;
import io.github.transformers4j.models.generation.GenerationConfig;
import io.github.transformers4j.models.generation.GenerationListener;
import io.github.transformers4j.models.generation.Generator;
import io.github.transformers4j.models.gpt.Gpt2Config;
import io.github.transformers4j.models.gpt.Gpt2Model;
import io.github.transformers4j.training.checkpoint.Checkpoint;
import io.github.transformers4j.training.data.BlockSampler;
import io.github.transformers4j.training.data.CharTokenizer;
import io.github.transformers4j.training.data.Datasets;
import io.github.transformers4j.models.rnn.RecurrentLm;
import io.github.transformers4j.models.rnn.RecurrentLmConfig;
import io.github.transformers4j.training.models.CausalTokenModel;
import io.github.transformers4j.training.models.GptLm;
import io.github.transformers4j.training.models.RecurrentTokenLm;
import io.github.transformers4j.training.objectives.CausalLm;
import io.github.transformers4j.training.optim.AdamW;
import io.github.transformers4j.training.optim.LrSchedule;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * The character-level GPT recipe (nanoGPT's {@code shakespeare_char}): fit a char tokenizer on a
 * corpus, split it 90/10 as a stream, train a GPT-2 with AdamW on random blocks, and save into an
 * output folder {@code config.json} (HF GPT-2 names), {@code tokenizer.json} and {@code
 * checkpoint/}; then load it back and generate.
 *
 * <p>The same recipe trains a recurrent baseline instead ({@link Recurrent}: an LSTM, GRU or RNN
 * {@link RecurrentLm}) on the same data, blocks, optimizer, schedule and trainer, so the two
 * compare at equal steps; its {@code config.json} is {@link RecurrentLmConfig#toMap()} plus
 * {@code block_size}, the training context (the model has no position limit; eval reads blocks of
 * it).
 */
public final class CharLm {
  private CharLm() {}

  /**
   * The hyper-parameters; {@link #nanoGptShakespeare()} are nanoGPT's CPU settings.
   *
   * @param block context length (T)
   * @param batch rows per micro-batch (B)
   * @param layers transformer blocks
   * @param heads attention heads
   * @param width embedding width (C)
   * @param dropout dropout probability in training
   * @param steps optimizer steps
   * @param lr peak learning rate
   * @param minLr final learning rate of the cosine
   * @param warmup linear warmup steps
   * @param beta2 AdamW β2
   * @param weightDecay AdamW decoupled decay (matrices and, as nanoGPT, embeddings)
   * @param clip global gradient-norm clip (0: none)
   * @param accumulation micro-batches per step
   * @param evalEvery evaluate every this many steps
   * @param evalBatches validation batches per evaluation
   * @param valFraction validation share of the corpus (its tail)
   * @param seed the run seed (initialization, data order, dropout)
   */
  public record Settings(
      int block,
      int batch,
      int layers,
      int heads,
      int width,
      float dropout,
      long steps,
      double lr,
      double minLr,
      long warmup,
      double beta2,
      double weightDecay,
      double clip,
      int accumulation,
      long evalEvery,
      int evalBatches,
      double valFraction,
      long seed) {

    /** nanoGPT {@code train_shakespeare_char} with its CPU overrides (README), 2000 iterations. */
    public static Settings nanoGptShakespeare() {
      return new Settings(
          64, 12, 4, 4, 128, 0f, 2000, 1e-3, 1e-4, 100, 0.99, 0.1, 1.0, 1, 250, 20, 0.1, 1337);
    }
  }

  /**
   * A trained model with its tokenizer.
   *
   * @param model the GPT ({@link GptLm}) or a recurrent LM ({@link RecurrentTokenLm})
   * @param block the context length it was trained on
   */
  public record Loaded(CausalTokenModel model, CharTokenizer tokenizer, int block) {}

  /**
   * A recurrent model instead of the GPT: embedding width {@code --width}, {@code layers}
   * recurrent layers of {@code hidden} units, dropout {@code --dropout} (on the embeddings,
   * between layers and before the head); {@code --heads} does not apply.
   *
   * @param cell the recurrent cell ({@code --arch lstm|gru|rnn})
   * @param hidden the state width H ({@code --hidden}), or 0 for the width whose parameter count
   *     is nearest that of the GPT the settings describe ({@link #recurrentConfig})
   * @param layers recurrent layers (the settings' {@code layers} are the GPT's, which a hidden
   *     width of 0 is matched to)
   */
  public record Recurrent(RecurrentLmConfig.Cell cell, int hidden, int layers) {
    /** Validates the fields. */
    public Recurrent {
      if (cell == null) {
        throw new IllegalArgumentException("clm: a recurrent model needs its cell (lstm, gru, rnn)");
      }
      if (hidden < 0) {
        throw new IllegalArgumentException("--hidden must be positive, got " + hidden);
      }
      if (layers <= 0) {
        throw new IllegalArgumentException("--layers must be positive, got " + layers);
      }
    }
  }

  /**
   * The GPT these settings build over a vocabulary of {@code vocab} characters (what {@link
   * #train} builds without a recurrent model).
   */
  public static Gpt2Config gptConfig(int vocab, Settings s) {
    return new Gpt2Config(
        vocab,
        s.block(),
        s.width(),
        s.layers(),
        s.heads(),
        4 * s.width(),
        io.github.transformers4j.api.Activation.GELU_TANH,
        1e-5f,
        s.dropout(),
        s.dropout(),
        s.dropout(),
        0.02,
        "sdpa",
        s.seed());
  }

  /**
   * The recurrent config for {@code r} over {@code vocab} characters: embedding {@code --width},
   * {@code r.layers()} layers, and {@code r.hidden()}, or when that is 0 the hidden width whose
   * parameter count is nearest the GPT's of {@code gpt} (the settings' own GPT unless given).
   */
  public static RecurrentLmConfig recurrentConfig(int vocab, Settings s, Recurrent r, Gpt2Config gpt) {
    RecurrentLmConfig base =
        new RecurrentLmConfig(
            r.cell(), vocab, s.width(), Math.max(1, r.hidden()), r.layers(), s.dropout(), s.seed());
    if (r.hidden() > 0) {
      return base;
    }
    return RecurrentLm.sizedFor(base, Gpt2Model.parameterCount(gpt == null ? gptConfig(vocab, s) : gpt));
  }

  /** config.json's key of the training context of a recurrent char LM. */
  public static final String BLOCK_SIZE = "block_size";

  /** The recipe file's task name. */
  public static final String TASK = "clm";

  // config.json keys that define the model, and the options that set them (for --resume checks).
  private static final Map<String, String> OPTIONS = new LinkedHashMap<>();

  static {
    OPTIONS.put("n_positions", "--block");
    OPTIONS.put("n_embd", "--width");
    OPTIONS.put("n_layer", "--layers");
    OPTIONS.put("n_head", "--heads");
    OPTIONS.put("embd_pdrop", "--dropout");
  }

  private static final Map<String, String> RECURRENT_OPTIONS = new LinkedHashMap<>();

  static {
    RECURRENT_OPTIONS.put("cell_type", "--arch");
    RECURRENT_OPTIONS.put(BLOCK_SIZE, "--block");
    RECURRENT_OPTIONS.put("embedding_size", "--width");
    RECURRENT_OPTIONS.put("hidden_size", "--hidden");
    RECURRENT_OPTIONS.put("num_layers", "--layers");
    RECURRENT_OPTIONS.put("dropout", "--dropout");
  }

  /** The GPT recipe: {@link #train(Ops, String, Settings, Recurrent, OutputFolder, boolean, PrintStream)} with no recurrent model. */
  public static Trainer.Result train(
      Ops ops, String corpus, Settings s, OutputFolder out, boolean reschedule,
      PrintStream progress)
      throws IOException {
    return train(ops, corpus, s, null, out, reschedule, progress);
  }

  /**
   * Trains on {@code corpus}, writing into {@code out} (a new run's staging folder, moved into
   * place at the first checkpoint; or the folder being resumed).
   *
   * @param recurrent the recurrent model to train instead of the GPT, or null for the GPT
   * @param reschedule when resuming, use these settings' schedule instead of the checkpoint's
   * @throws IllegalArgumentException when resuming with another architecture, other
   *     model-defining settings or another character set, naming the option; nothing is written
   *     then
   */
  public static Trainer.Result train(
      Ops ops, String corpus, Settings s, Recurrent recurrent, OutputFolder out,
      boolean reschedule, PrintStream progress)
      throws IOException {
    return train(ops, corpus, s, recurrent, out, reschedule, progress, 0);
  }

  /** As above, stopping (as Ctrl-C does, with a checkpoint) after step {@code stopAt} if &gt; 0. */
  static Trainer.Result train(
      Ops ops, String corpus, Settings s, Recurrent recurrent, OutputFolder out,
      boolean reschedule, PrintStream progress, long stopAt)
      throws IOException {
    if (corpus.isEmpty()) {
      throw new IllegalArgumentException("clm: the training text is empty");
    }
    Path output = out.dir();
    CharTokenizer tok = CharTokenizer.fit(corpus, CharTokenizer.UNKNOWN_ONLY);
    if (out.resuming()) {
      CharTokenizer saved = CharTokenizer.load(output.resolve("tokenizer.json"));
      requireSameCharacters(saved, tok, output);
      tok = saved; // an older vocabulary may lack [UNK]: keep its ids
    }
    int[] ids = tok.encode(corpus);
    int[][] parts = Datasets.splitStream(ids, s.valFraction());
    if (parts[0].length < s.block() + 2) {
      throw new IllegalArgumentException(
          "clm: the training text has "
              + parts[0].length
              + " characters after holding out the validation share; one --block of "
              + s.block()
              + " needs at least "
              + (s.block() + 2));
    }
    requireSameArchitecture(out, recurrent);
    CausalTokenModel lm;
    Map<String, Object> config;
    Trainer.Export exporter;
    CharTokenizer vocab = tok;
    String what;
    if (recurrent != null) {
      RecurrentLmConfig rc = recurrentConfig(tok.vocabSize(), s, recurrent, null);
      config = recurrentConfigMap(rc, s.block());
      out.requireSameConfig(config, RECURRENT_OPTIONS);
      RecurrentTokenLm rlm = new RecurrentTokenLm(new RecurrentLm(ops, rc));
      lm = rlm;
      exporter = (dir, step) -> exportRecurrent(dir, config, vocab, rlm, s.block());
      what = "char " + rc.cell().label().toUpperCase(java.util.Locale.ROOT);
    } else {
      Gpt2Config cfg = gptConfig(tok.vocabSize(), s);
      config = configMap(cfg);
      out.requireSameConfig(config, OPTIONS);
      GptLm glm = new GptLm(new Gpt2Model(ops, cfg));
      lm = glm;
      exporter = (dir, step) -> export(dir, cfg, vocab, glm);
      what = "char GPT";
    }
    out.requireSameData(
        OutputFolder.fingerprint(List.of(parts[0], parts[1])), "--data, --val-fraction");
    if (!out.resuming()) {
      tok.save(output.resolve("tokenizer.json"));
      HfFolder.writeJson(output.resolve("config.json"), config);
      OutputFolder.writeRecipe(output, TASK, "tokenizer.json", Map.of());
    }
    if (progress != null) {
      progress.printf(
          "%s: %d chars (%d train, %d val), vocabulary %d, %.2fM parameters, %d steps of"
              + " %d×%d tokens%n",
          what,
          ids.length,
          parts[0].length,
          parts[1].length,
          tok.vocabSize(),
          lm.parameterSet().count() / 1e6,
          s.steps(),
          s.batch() * s.accumulation(),
          s.block());
    }
    TrainerConfig tc =
        new TrainerConfig(
            s.steps(),
            s.accumulation(),
            s.clip(),
            RunSchedule.choose(
                out, s.lr(), s.minLr(), s.warmup(), s.steps(), reschedule, progress),
            s.evalEvery(),
            s.evalBatches(),
            s.evalEvery(),
            output,
            s.seed(),
            stopAt);
    Trainer trainer =
        new Trainer(
            ops,
            lm,
            new CausalLm(false),
            new AdamW(0.9, s.beta2(), 1e-8, s.weightDecay(), true),
            tc,
            progress);
    trainer
        .writingTo(out)
        .exporting(exporter)
        .describe(RunSchedule.KEY, ((LrSchedule.Cosine) tc.schedule()).encode());
    long valSeed = s.seed() + 1;
    return trainer.runStoppable(
        new BlockSampler(parts[0], s.batch(), s.block(), s.seed()),
        parts[1].length > s.block() + 1
            ? () -> new BlockSampler(parts[1], s.batch(), s.block(), valSeed)
            : null,
        out.resuming(),
        60);
  }

  /**
   * Fails, when resuming, if the checkpoint is of another architecture than asked for (a GPT
   * resumed with {@code --arch lstm}, or the other way round), naming both.
   */
  static void requireSameArchitecture(OutputFolder out, Recurrent recurrent) throws IOException {
    if (!out.resuming()) {
      return;
    }
    Path file = out.target().resolve("config.json");
    Map<String, Object> saved = HfConfig.read(file);
    boolean wasRecurrent = RecurrentLm.ARCHITECTURE.equals(saved.get("model_type"));
    String was = wasRecurrent ? String.valueOf(saved.get("cell_type")) : "transformer";
    String is = recurrent == null ? "transformer" : recurrent.cell().label();
    if (wasRecurrent != (recurrent != null)) {
      throw new IllegalArgumentException(
          "--resume: --arch is " + is + " but the checkpoint in " + out.target()
              + " is a " + was + " model; give --arch " + was
              + ", or train a new model in another folder");
    }
  }

  /** The {@code config.json} of a recurrent char LM: its model config plus the training block. */
  static Map<String, Object> recurrentConfigMap(RecurrentLmConfig c, int block) {
    Map<String, Object> m = c.toMap();
    m.put(BLOCK_SIZE, block);
    return m;
  }

  /**
   * Writes the folder files of a recurrent char LM into {@code dir}: {@code model.safetensors}
   * under {@link RecurrentLm}'s (PyTorch's) names, {@code config.json}, {@code
   * generation_config.json}, the tokenizer files and a note that Hugging Face does not know the
   * model type ({@code Pretrained.load} and {@code t4j generate/eval} read it).
   */
  static void exportRecurrent(
      Path dir, Map<String, Object> config, CharTokenizer tok, RecurrentTokenLm lm, int block)
      throws IOException {
    HfFolder.writeWeights(dir, lm.parameterSet(), name -> name, Map.of());
    HfFolder.writeJson(dir.resolve("config.json"), config);
    HfFolder.writeJson(dir.resolve("generation_config.json"), samplingDefaults());
    HfFolder.writeCharTokenizer(dir, tok, block);
    HfFolder.writeNotLoadable(
        dir, RecurrentLm.ARCHITECTURE,
        "a recurrent LM of this project, whose weights are a PyTorch state dict of the module in"
            + " RecurrentLm's documentation");
  }

  private static Map<String, Object> samplingDefaults() {
    Map<String, Object> gen = new LinkedHashMap<>();
    gen.put("do_sample", true);
    gen.put("temperature", 0.8);
    gen.put("top_k", 40);
    gen.put("bos_token_id", null);
    gen.put("eos_token_id", null);
    gen.put("pad_token_id", null);
    return gen;
  }

  /** Fails, naming the characters, when the data's characters are not the saved vocabulary's. */
  static void requireSameCharacters(CharTokenizer saved, CharTokenizer data, Path dir) {
    if (saved.characters().equals(data.characters())) {
      return;
    }
    java.util.List<String> added = new java.util.ArrayList<>(data.characters());
    added.removeAll(saved.characters());
    java.util.List<String> gone = new java.util.ArrayList<>(saved.characters());
    gone.removeAll(data.characters());
    throw new IllegalArgumentException(
        "--resume: the characters of --data differ from the vocabulary of the checkpoint in "
            + dir
            + " ("
            + (added.isEmpty() ? "" : added.size() + " new: " + sample(added))
            + (added.isEmpty() || gone.isEmpty() ? "" : "; ")
            + (gone.isEmpty() ? "" : gone.size() + " missing: " + sample(gone))
            + "); resume with the same data, or train a new model in another folder");
  }

  private static String sample(java.util.List<String> chars) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < Math.min(8, chars.size()); i++) {
      b.append(i == 0 ? "" : " ").append(chars.get(i).codePointAt(0) < 33
          ? "U+" + Integer.toHexString(chars.get(i).codePointAt(0)).toUpperCase(java.util.Locale.ROOT)
          : "'" + chars.get(i) + "'");
    }
    return b.append(chars.size() > 8 ? " ..." : "").toString();
  }

  static void saveConfig(Path file, Gpt2Config c) throws IOException {
    HfFolder.writeJson(file, configMap(c));
  }

  /**
   * Writes the Hugging Face GPT-2 folder files of {@code lm} into {@code dir} (see {@link
   * HfFolder}): the root weights under {@code GPT2LMHeadModel}'s names ({@code transformer.*}; the
   * head is tied to {@code wte}, so no {@code lm_head.weight}), {@code config.json}, {@code
   * generation_config.json} (the sampling defaults of {@link #generate}) and the tokenizer files.
   */
  public static void export(Path dir, Gpt2Config cfg, CharTokenizer tok, GptLm lm)
      throws IOException {
    HfFolder.writeWeights(dir, lm.parameterSet(), name -> "transformer." + name, Map.of());
    saveConfig(dir.resolve("config.json"), cfg);
    HfFolder.writeJson(dir.resolve("generation_config.json"), samplingDefaults());
    HfFolder.writeCharTokenizer(dir, tok, cfg.nPositions());
  }

  /**
   * The {@code config.json} of a char GPT, in Hugging Face GPT-2's fields. The char vocabulary
   * has no start or end token (the corpus is one stream with no document boundaries, so the model
   * never learns where a text ends): {@code bos_token_id}, {@code eos_token_id} and {@code
   * pad_token_id} are null, not GPT-2's default 50256, which lies outside the vocabulary.
   * Generation then stops at its length, here and in Hugging Face.
   */
  public static Map<String, Object> configMap(Gpt2Config c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("architectures", java.util.List.of("GPT2LMHeadModel"));
    m.put("model_type", "gpt2");
    m.put("vocab_size", c.vocabSize());
    m.put("n_positions", c.nPositions());
    m.put("n_embd", c.nEmbd());
    m.put("n_layer", c.nLayer());
    m.put("n_head", c.nHead());
    m.put("n_inner", c.nInner());
    m.put("activation_function", "gelu_new");
    m.put("layer_norm_epsilon", c.layerNormEpsilon());
    m.put("embd_pdrop", c.embdPdrop());
    m.put("resid_pdrop", c.residPdrop());
    m.put("attn_pdrop", c.attnPdrop());
    m.put("initializer_range", c.initializerRange());
    m.put("tie_word_embeddings", true);
    m.put("bos_token_id", null);
    m.put("eos_token_id", null);
    m.put("pad_token_id", null);
    return m;
  }

  /** Loads a model trained by {@link #train} from its output folder. */
  public static Loaded load(Ops ops, Path output) throws IOException {
    return load(ops, output, WeightPrecision.F32);
  }

  /** A smaller vocabulary would silently drop every generated id it lacks. */
  private static void requireSameVocabulary(Path output, CharTokenizer tok, int vocabSize)
      throws IOException {
    if (tok.vocabSize() != vocabSize) {
      throw new IOException(
          output.resolve("tokenizer.json")
              + " has "
              + tok.vocabSize()
              + " tokens but "
              + output.resolve("config.json")
              + " says vocab_size "
              + vocabSize
              + "; the two files are not of one model");
    }
  }

  /**
   * As {@link #load(Ops, Path)}, the matmul weights then held in {@code precision} (for inference
   * only: a quantized model cannot be trained further).
   */
  public static Loaded load(Ops ops, Path output, WeightPrecision precision) throws IOException {
    Path file = output.resolve("config.json");
    Map<String, Object> map = HfConfig.read(file);
    CharTokenizer tok = CharTokenizer.load(output.resolve("tokenizer.json"));
    CausalTokenModel lm;
    int block;
    if (RecurrentLm.ARCHITECTURE.equals(map.get("model_type"))) {
      RecurrentLmConfig rc;
      try {
        rc = RecurrentLmConfig.fromMap(map);
        block = new io.github.transformers4j.models.config.ConfigReader(RecurrentLm.ARCHITECTURE, map)
            .integer(BLOCK_SIZE);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
      }
      requireSameVocabulary(output, tok, rc.vocabSize());
      lm = new RecurrentTokenLm(new RecurrentLm(ops, rc));
    } else {
      Gpt2Config cfg = Gpt2Config.fromMap(map);
      requireSameVocabulary(output, tok, cfg.vocabSize());
      lm = new GptLm(new Gpt2Model(ops, cfg));
      block = cfg.nPositions();
    }
    Checkpoint.loadModel(output.resolve("checkpoint"), lm.parameterSet());
    lm.module().quantize(precision);
    return new Loaded(lm, tok, block);
  }

  /**
   * Samples {@code maxNew} characters after {@code prompt} (temperature 0.8, top-k 40), calling
   * {@code onToken} with each id as it is produced; returns the generated text. Beyond the model's
   * context the window slides: each round continues from the last half-context of text.
   */
  public static String generate(
      Loaded m, String prompt, int maxNew, long seed, IntConsumer onToken) {
    return generate(m, prompt, maxNew, seed, false, 0.8f, 40, 1f, onToken);
  }

  /**
   * As {@link #generate(Loaded, String, int, long, IntConsumer)}, greedy or sampling with the given
   * temperature, top-k (0: all) and top-p (1: all).
   */
  public static String generate(
      Loaded m, String prompt, int maxNew, long seed, boolean greedy, float temperature, int topK,
      float topP, IntConsumer onToken) {
    GenerationConfig g =
        greedy
            ? GenerationConfig.greedy(maxNew)
            : GenerationConfig.sampling(maxNew, seed)
                .withTemperature(temperature)
                .withTopK(topK)
                .withTopP(topP);
    return generate(m, prompt, maxNew, g, onToken);
  }

  /**
   * Generates {@code maxNew} characters after {@code prompt} as {@code how} says (greedy, sampling
   * or beam search; its own length is ignored), calling {@code onToken} with each new id: as it is
   * chosen, or for beam search once each window's best beam is known. Beyond the GPT's context
   * the window slides: each round continues from the last half-context of text, sampling with the
   * seed plus the round; a recurrent model has no such limit and continues its state in one
   * round. Characters of the prompt that the vocabulary lacks are read as {@code
   * [UNK]} (see {@link CharTokenizer}).
   */
  public static String generate(
      Loaded m, String prompt, int maxNew, GenerationConfig how, IntConsumer onToken) {
    int[] ctx = m.tokenizer().encode(prompt.isEmpty() ? "\n" : prompt);
    int block = m.model().lm().maxPositions();
    boolean unbounded = block == Integer.MAX_VALUE;
    int keep = unbounded ? ctx.length : Math.max(1, block / 2);
    ctx = tail(ctx, keep);
    m.model().module().train(false, 0); // dropout off while generating
    Generator gen = new Generator(m.model().lm()::session);
    boolean beams = how.numBeams() > 1;
    GenerationListener listener =
        beams
            ? GenerationListener.NONE
            : new GenerationListener() {
              @Override
              public void onToken(int row, int token) {
                onToken.accept(token);
              }
            };
    StringBuilder text = new StringBuilder();
    int remaining = maxNew;
    for (long round = 0; remaining > 0; round++) {
      int n = unbounded ? remaining : Math.min(remaining, block - ctx.length);
      GenerationConfig g =
          new GenerationConfig(
              n,
              0,
              how.doSample(),
              how.temperature(),
              how.topK(),
              how.topP(),
              how.repetitionPenalty(),
              how.stopTokens(),
              how.numBeams(),
              how.lengthPenalty(),
              how.padTokenId(),
              how.seed() + round,
              how.vocabularyLimit());
      int[] out = gen.generate(new int[][] {ctx}, g, listener)[0];
      // The generator returns the prompt followed by its continuation.
      int[] fresh = java.util.Arrays.copyOfRange(out, ctx.length, out.length);
      if (beams) {
        for (int id : fresh) {
          onToken.accept(id);
        }
      }
      text.append(m.tokenizer().decode(fresh));
      remaining -= fresh.length;
      if (fresh.length < n) {
        break; // a stop token
      }
      ctx = tail(out, keep);
    }
    return text.toString();
  }

  private static int[] tail(int[] ids, int n) {
    return ids.length <= n ? ids : java.util.Arrays.copyOfRange(ids, ids.length - n, ids.length);
  }
}
