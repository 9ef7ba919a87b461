package io.github.transformers4j.training;

import io.github.transformers4j.models.nn.WeightPrecision;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.models.config.HfConfig;
import io.github.transformers4j.models.generation.GenerationConfig;
import io.github.transformers4j.models.generation.GenerationListener;
import io.github.transformers4j.models.generation.Generator;
import io.github.transformers4j.models.seq2seq.EncoderDecoderConfig;
import io.github.transformers4j.models.seq2seq.EncoderDecoderModel;
import io.github.transformers4j.models.weights.TensorData;
import io.github.transformers4j.training.checkpoint.Checkpoint;
import io.github.transformers4j.api.io.AtomicFiles;
import io.github.transformers4j.training.data.CharTokenizer;
import io.github.transformers4j.training.data.Datasets;
import io.github.transformers4j.training.data.Example;
import io.github.transformers4j.training.data.ExampleBatches;
import io.github.transformers4j.training.data.SpecialTokens;
import io.github.transformers4j.training.data.TextTokenizer;
import io.github.transformers4j.training.data.TokenizerFiles;
import io.github.transformers4j.models.rnn.RecurrentLmConfig;
import io.github.transformers4j.models.rnn.RecurrentSeq2Seq;
import io.github.transformers4j.models.rnn.RecurrentSeq2SeqConfig;
import io.github.transformers4j.training.models.DecodableSeq2Seq;
import io.github.transformers4j.training.models.EncoderDecoderLm;
import io.github.transformers4j.training.models.RecurrentSeq2SeqLm;
import io.github.transformers4j.training.objectives.Seq2Seq;
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

/**
 * The sequence-to-sequence recipe: (source, target) pairs, a char tokenizer fitted on them (with
 * [PAD] [BOS] [EOS] [MASK] [UNK]) or a tokenizer file, the encoder-decoder Transformer of {@code
 * transformer-models} trained with teacher forcing and label smoothing by AdamW; the output folder
 * gets {@code config.json} (BART field names, {@code model_type: transformer}), {@code recipe.json}
 * (task and tokenizer file), the tokenizer and {@code checkpoint/}. {@link #load} and {@link
 * #translate} decode greedily or by beam search on the model's cached decoding session.
 *
 * <p>With a {@link Recurrent} the same recipe (data, split, tokenizer, objective, optimizer,
 * schedule, checkpoints, decoding) trains the recurrent baseline instead, {@link RecurrentSeq2Seq}
 * (GRU or LSTM encoder and decoder with Luong attention); its folder has model_type {@value
 * RecurrentSeq2Seq#ARCHITECTURE}.
 */
public final class Seq2SeqRecipe {
  private Seq2SeqRecipe() {}

  /** The recipe file's task name. */
  public static final String TASK = "seq2seq";

  /**
   * The hyper-parameters.
   *
   * @param width d_model
   * @param heads attention heads
   * @param ffn feed-forward width
   * @param layers encoder and decoder blocks (each)
   * @param dropout dropout in training
   * @param positions {@code sinusoidal}, {@code learned} or {@code rotary}
   * @param preLn pre-LN (true) or the paper's post-LN
   * @param batch pairs per batch
   * @param steps optimizer steps
   * @param lr peak learning rate (cosine to {@code lr / 20} after linear warmup)
   * @param warmup warmup steps
   * @param labelSmoothing label smoothing of the loss
   * @param weightDecay AdamW decoupled decay (matrices only)
   * @param clip global gradient-norm clip, 0 = none
   * @param evalEvery validation loss every this many steps (and at the end)
   * @param valFraction held-out share of the pairs (0: none)
   * @param seed initialization, split, order and dropout seed
   */
  public record Settings(
      int width,
      int heads,
      int ffn,
      int layers,
      float dropout,
      String positions,
      boolean preLn,
      int batch,
      long steps,
      double lr,
      long warmup,
      float labelSmoothing,
      double weightDecay,
      double clip,
      long evalEvery,
      double valFraction,
      long seed) {

    /** The number words → digits baseline's settings at {@code steps} steps. */
    public static Settings small(long steps) {
      return new Settings(
          64,
          4,
          128,
          2,
          0f,
          "sinusoidal",
          true,
          64,
          steps,
          2e-3,
          100,
          0.1f,
          0.01,
          1.0,
          250,
          0.05,
          3);
    }
  }

  /**
   * A trained model, its tokenizer and the longest output it may generate.
   *
   * @param model the transformer ({@link EncoderDecoderLm}) or the recurrent baseline ({@link
   *     RecurrentSeq2SeqLm})
   */
  public record Loaded(DecodableSeq2Seq model, TextTokenizer tokenizer, int maxNew) {}

  /**
   * The recurrent baseline instead of the transformer: embedding width {@code --width}, {@code
   * --layers} layers in the encoder and in the decoder, dropout {@code --dropout}; {@code --heads},
   * {@code --ffn}, {@code --positions} and {@code --post-ln} do not apply.
   *
   * @param cell the cell ({@code --arch gru|lstm}, also {@code rnn})
   * @param hidden the state width H ({@code --hidden}), or 0 for the width whose parameter count
   *     is nearest the transformer's that the same settings build
   */
  public record Recurrent(RecurrentLmConfig.Cell cell, int hidden) {
    /** Validates the fields. */
    public Recurrent {
      if (cell == null) {
        throw new IllegalArgumentException("seq2seq: a recurrent model needs its cell (gru, lstm)");
      }
      if (hidden < 0) {
        throw new IllegalArgumentException("--hidden must be positive, got " + hidden);
      }
    }
  }

  /** What {@link #train} did: the trainer's result and the held-out pairs. */
  public record Run(Trainer.Result result, List<Datasets.Pair> heldOut, Loaded model) {}

  /** A char tokenizer fitted on every source and target. */
  public static CharTokenizer fitChars(List<Datasets.Pair> pairs) {
    StringBuilder all = new StringBuilder();
    for (Datasets.Pair p : pairs) {
      all.append(p.source()).append(p.target());
    }
    return CharTokenizer.fit(all.toString(), true);
  }

  // config.json keys that define the model, and the options that set them (for --resume checks).
  private static final Map<String, String> OPTIONS = new LinkedHashMap<>();

  static {
    OPTIONS.put("vocab_size", "the tokenizer's vocabulary size");
    OPTIONS.put("d_model", "--width");
    OPTIONS.put("encoder_attention_heads", "--heads");
    OPTIONS.put("encoder_ffn_dim", "--ffn");
    OPTIONS.put("encoder_layers", "--layers");
    OPTIONS.put("positions", "--positions");
    OPTIONS.put("normalize_before", "--post-ln");
    OPTIONS.put("dropout", "--dropout");
    OPTIONS.put("seed", "--seed");
  }

  private static final Map<String, String> RECURRENT_OPTIONS = new LinkedHashMap<>();

  static {
    RECURRENT_OPTIONS.put("vocab_size", "the tokenizer's vocabulary size");
    RECURRENT_OPTIONS.put("cell_type", "--arch");
    RECURRENT_OPTIONS.put("embedding_size", "--width");
    RECURRENT_OPTIONS.put("hidden_size", "--hidden");
    RECURRENT_OPTIONS.put("num_layers", "--layers");
    RECURRENT_OPTIONS.put("dropout", "--dropout");
    RECURRENT_OPTIONS.put("seed", "--seed");
  }

  /** The transformer: {@link #train(Ops, List, Path, Settings, Recurrent, OutputFolder, boolean, PrintStream)} with no recurrent model. */
  public static Run train(
      Ops ops,
      List<Datasets.Pair> pairs,
      Path tokenizerFile,
      Settings s,
      OutputFolder out,
      boolean reschedule,
      PrintStream progress)
      throws IOException {
    return train(ops, pairs, tokenizerFile, s, null, out, reschedule, progress, 0);
  }

  /** As below, stopping (with a checkpoint, as Ctrl-C does) after step {@code stopAt} if &gt; 0. */
  static Run train(
      Ops ops,
      List<Datasets.Pair> pairs,
      Path tokenizerFile,
      Settings s,
      Recurrent recurrent,
      OutputFolder out,
      boolean reschedule,
      PrintStream progress,
      long stopAt)
      throws IOException {
    return trainModel(ops, pairs, tokenizerFile, s, recurrent, out, reschedule, progress, stopAt);
  }

  /**
   * Trains on {@code pairs} (a seeded {@code valFraction} held out), writing into {@code out} (a
   * new run's staging folder, moved into place at the first checkpoint; or the folder resumed).
   *
   * @param tokenizerFile a tokenizer file to copy into the output, or null to fit a char tokenizer
   * @param recurrent the recurrent model to train instead of the transformer, or null
   * @param reschedule when resuming, use these settings' schedule instead of the checkpoint's
   * @throws IllegalArgumentException when resuming with another architecture, other
   *     model-defining settings or another vocabulary, naming the option; nothing is written then
   */
  public static Run train(
      Ops ops,
      List<Datasets.Pair> pairs,
      Path tokenizerFile,
      Settings s,
      Recurrent recurrent,
      OutputFolder out,
      boolean reschedule,
      PrintStream progress)
      throws IOException {
    return trainModel(ops, pairs, tokenizerFile, s, recurrent, out, reschedule, progress, 0);
  }

  private static Run trainModel(
      Ops ops,
      List<Datasets.Pair> pairs,
      Path tokenizerFile,
      Settings s,
      Recurrent recurrent,
      OutputFolder out,
      boolean reschedule,
      PrintStream progress,
      long stopAt)
      throws IOException {
    if (pairs.isEmpty()) {
      throw new IllegalArgumentException("seq2seq: no (source, target) pairs");
    }
    Path output = out.dir();
    out.requireSameTokenizer(
        tokenizerFile == null ? "tokenizer.json" : tokenizerFile.getFileName().toString());
    String tokName;
    TextTokenizer tok;
    if (tokenizerFile == null) {
      tokName = "tokenizer.json";
      CharTokenizer chars = fitChars(pairs);
      if (out.resuming()) {
        CharTokenizer saved = CharTokenizer.load(output.resolve(tokName));
        CharLm.requireSameCharacters(saved, chars, output);
        chars = saved;
      }
      tok = chars;
    } else {
      tokName = tokenizerFile.getFileName().toString();
      tok = TokenizerFiles.load(tokenizerFile, true);
      if (out.resuming()) {
        requireSameFile(tokenizerFile, output.resolve(tokName), "--tokenizer");
      }
    }
    SpecialTokens sp = requireSpecials(tok);
    Datasets.Split<Datasets.Pair> split =
        s.valFraction() > 0
            ? Datasets.split(pairs, s.valFraction(), s.seed())
            : new Datasets.Split<>(pairs, List.of());
    List<Example> train = Datasets.seq2seqExamples(split.train(), tok);
    List<Example> val = Datasets.seq2seqExamples(split.val(), tok);
    int longest = 1;
    for (List<Example> part : List.of(train, val)) {
      for (Example e : part) {
        longest = Math.max(longest, Math.max(e.input().length, e.target().length));
      }
    }
    // Room for sources and targets twice as long as the longest seen, at least 64; a resumed run
    // keeps the checkpoint's room.
    int maxPositions = maxPositions(longest);
    if (out.resuming()) {
      Map<String, Object> savedMap = modelConfig(output);
      requireSameArchitecture(savedMap, recurrent, output);
      int savedMax =
          recurrent != null
              ? RecurrentSeq2SeqConfig.fromMap(savedMap).maxLength()
              : EncoderDecoderConfig.fromMap(savedMap).maxPositions();
      if (longest + 1 > savedMax) {
        throw new IllegalArgumentException(
            "--resume: --data has a sequence of "
                + longest
                + " tokens but the checkpoint's model in "
                + output
                + " takes at most "
                + (savedMax - 1));
      }
      maxPositions = savedMax;
    }
    Map<String, Object> config = configMap(tok.vocabSize(), maxPositions, sp.bos(), s);
    EncoderDecoderConfig cfg = EncoderDecoderConfig.fromMap(config);
    RecurrentSeq2SeqConfig rcfg = null;
    if (recurrent != null) {
      rcfg = recurrentConfig(ops, cfg, s, recurrent);
      config = rcfg.toMap();
      out.requireSameConfig(config, RECURRENT_OPTIONS);
    } else {
      out.requireSameConfig(config, OPTIONS);
    }
    out.requireSameData(
        BertRecipe.examplesFingerprint(train, val), "--data, --val-fraction, --seed");
    if (!out.resuming()) {
      if (tokenizerFile == null) {
        ((CharTokenizer) tok).save(output.resolve(tokName));
      } else {
        Files.copy(tokenizerFile, output.resolve(tokName), StandardCopyOption.REPLACE_EXISTING);
      }
      writeJson(output.resolve("config.json"), config);
    }
    // Also when resuming: a folder of an older version kept our configuration in config.json,
    // which the export replaces with Hugging Face's.
    OutputFolder.writeRecipe(output, TASK, tokName, Map.of(MODEL_CONFIG, config));
    Family family = Family.of(cfg);
    if (recurrent == null && family.hfType() == null && progress != null) {
      progress.println(
          "t4j: note: "
              + family.why()
              + "; the folder gets model_type "
              + Family.T4J_TYPE
              + " and is not loadable by Hugging Face transformers");
    }
    DecodableSeq2Seq lm =
        rcfg != null
            ? new RecurrentSeq2SeqLm(new RecurrentSeq2Seq(ops, rcfg))
            : new EncoderDecoderLm(new EncoderDecoderModel(ops, cfg));
    if (progress != null) {
      progress.printf(
          Locale.ROOT,
          "seq2seq%s: %d pairs (%d train, %d held out), vocabulary %d, %.2fM parameters, %d steps"
              + " of %d pairs%n",
          rcfg == null
              ? ""
              : " (" + rcfg.cell().label() + " with attention, hidden " + rcfg.hiddenSize() + ")",
          pairs.size(),
          split.train().size(),
          split.val().size(),
          tok.vocabSize(),
          lm.parameterSet().count() / 1e6,
          s.steps(),
          s.batch());
    }
    TrainerConfig tc =
        new TrainerConfig(
            s.steps(),
            1,
            s.clip(),
            RunSchedule.choose(
                out, s.lr(), s.lr() / 20, s.warmup(), s.steps(), reschedule, progress),
            s.evalEvery(),
            val.isEmpty() ? 0 : (val.size() + s.batch() - 1) / s.batch(),
            s.evalEvery(),
            output,
            s.seed(),
            stopAt);
    Trainer trainer =
        new Trainer(ops, lm, new Seq2Seq(sp.bos(), s.labelSmoothing()), optimizer(s), tc, progress);
    TextTokenizer vocab = tok;
    Map<String, Object> ours = config;
    RecurrentSeq2SeqConfig recurrentConfig = rcfg;
    trainer
        .writingTo(out)
        .exporting(
            (dir, step) -> {
              if (recurrentConfig != null) {
                exportRecurrent(dir, recurrentConfig, vocab, lm);
              } else {
                export(dir, cfg, ours, vocab, (EncoderDecoderLm) lm);
              }
            })
        .describe(RunSchedule.KEY, ((LrSchedule.Cosine) tc.schedule()).encode());
    Trainer.Result r =
        trainer.runStoppable(
            new ExampleBatches(train, s.batch(), sp.pad(), sp.pad(), s.seed(), true),
            val.isEmpty()
                ? null
                : () -> new ExampleBatches(val, s.batch(), sp.pad(), sp.pad(), s.seed(), false),
            out.resuming(),
            60);
    return new Run(r, split.val(), new Loaded(lm, tok, maxPositions - 1));
  }

  /** The recipe's optimizer: AdamW (0.9, 0.98), decay on matrices only. */
  public static AdamW optimizer(Settings s) {
    return new AdamW(0.9, 0.98, 1e-8, s.weightDecay(), false);
  }

  /** The recipe's schedule of a new run: cosine to {@code lr / 20} after linear warmup. */
  public static LrSchedule.Cosine schedule(Settings s) {
    return LrSchedule.cosine(
        s.lr(), s.lr() / 20, LrSchedule.cappedWarmup(s.warmup(), s.steps()), s.steps());
  }

  /**
   * The positions a model needs for sequences of at most {@code longest} tokens: room for
   * sources and targets twice as long, at least 64.
   */
  public static int maxPositions(int longest) {
    return Math.max(64, 2 * longest + 1);
  }

  /** Fails when {@code given} (an option's file) differs from the checkpoint's copy {@code saved}. */
  static void requireSameFile(Path given, Path saved, String option) throws IOException {
    if (!Files.isRegularFile(saved)
        || Files.mismatch(given, saved) != -1L) {
      throw new IllegalArgumentException(
          "--resume: "
              + option
              + " "
              + given
              + " is not the tokenizer the checkpoint was trained with ("
              + saved
              + "); give that file, or train a new model in another folder");
    }
  }

  /**
   * The recurrent model's config for {@code r}, over the vocabulary, room and start token of the
   * transformer config {@code cfg} the same settings give; a hidden width of 0 becomes the one
   * whose parameter count is nearest that transformer's.
   */
  static RecurrentSeq2SeqConfig recurrentConfig(
      Ops ops, EncoderDecoderConfig cfg, Settings s, Recurrent r) {
    RecurrentSeq2SeqConfig base =
        new RecurrentSeq2SeqConfig(
            r.cell(), cfg.vocabSize(), s.width(), Math.max(1, r.hidden()), s.layers(), s.dropout(),
            cfg.maxPositions(), cfg.decoderStartTokenId(), s.seed());
    if (r.hidden() > 0) {
      return base;
    }
    EncoderDecoderModel transformer = new EncoderDecoderModel(ops, cfg);
    return RecurrentSeq2Seq.sizedFor(base, transformer.parameterCount());
  }

  /**
   * Fails, when resuming, if the checkpoint is of another architecture than asked for, naming
   * both.
   */
  static void requireSameArchitecture(Map<String, Object> saved, Recurrent recurrent, Path dir) {
    boolean wasRecurrent = RecurrentSeq2Seq.ARCHITECTURE.equals(saved.get("model_type"));
    String was = wasRecurrent ? String.valueOf(saved.get("cell_type")) : "transformer";
    String is = recurrent == null ? "transformer" : recurrent.cell().label();
    if (wasRecurrent != (recurrent != null)) {
      throw new IllegalArgumentException(
          "--resume: --arch is " + is + " but the checkpoint in " + dir + " is a " + was
              + " model; give --arch " + was + ", or train a new model in another folder");
    }
  }

  /**
   * Writes the folder files of the recurrent baseline: {@code model.safetensors} under {@link
   * RecurrentSeq2Seq}'s names, {@code config.json} (its configuration and the special token
   * ids), the char tokenizer's files, and a note that Hugging Face does not know the model type.
   */
  static void exportRecurrent(
      Path dir, RecurrentSeq2SeqConfig cfg, TextTokenizer tok, DecodableSeq2Seq lm)
      throws IOException {
    if (tok instanceof CharTokenizer chars) {
      HfFolder.writeCharTokenizer(dir, chars, cfg.maxLength());
    }
    Map<String, Object> m = new LinkedHashMap<>(cfg.toMap());
    m.putAll(HfFolder.tokenIds(tok));
    HfFolder.writeWeights(dir, lm.parameterSet(), name -> name, Map.of());
    HfFolder.writeJson(dir.resolve("config.json"), m);
    HfFolder.writeNotLoadable(
        dir, RecurrentSeq2Seq.ARCHITECTURE, "a recurrent encoder-decoder of this project");
    Files.deleteIfExists(dir.resolve("generation_config.json"));
  }

  /** The tokenizer's special tokens, failing when it lacks [PAD], [BOS] or [EOS]. */
  public static SpecialTokens requireSpecials(TextTokenizer tok) {
    SpecialTokens sp = tok.specials();
    if (sp.pad() < 0 || sp.bos() < 0 || sp.eos() < 0) {
      throw new IllegalArgumentException(
          "seq2seq: the tokenizer needs padding, start and end tokens ([PAD]/<pad>,"
              + " [CLS]/<s>/[BOS], [SEP]/</s>/[EOS]); it has pad "
              + sp.pad()
              + ", start "
              + sp.bos()
              + ", end "
              + sp.eos());
    }
    return sp;
  }

  /**
   * Our configuration of a new transformer run ({@link EncoderDecoderConfig#fromMap} reads it):
   * {@code vocab} tokens, {@code maxPositions} positions, decoding starting at token {@code start}.
   */
  public static Map<String, Object> configMap(int vocab, int maxPositions, int start, Settings s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("model_type", EncoderDecoderModel.ARCHITECTURE);
    m.put("vocab_size", vocab);
    m.put("d_model", s.width());
    m.put("encoder_attention_heads", s.heads());
    m.put("decoder_attention_heads", s.heads());
    m.put("encoder_ffn_dim", s.ffn());
    m.put("encoder_layers", s.layers());
    m.put("decoder_layers", s.layers());
    m.put("max_position_embeddings", maxPositions);
    m.put("activation_function", "relu");
    m.put("positions", s.positions().toLowerCase(Locale.ROOT));
    m.put("normalize_before", s.preLn());
    m.put("scale_embedding", true);
    m.put("dropout", s.dropout());
    m.put("layer_norm_eps", 1e-5);
    m.put("init_std", 0.02);
    m.put("decoder_start_token_id", start);
    m.put("attn_implementation", "sdpa");
    m.put("seed", s.seed());
    return m;
  }

  /** The recipe.json key holding our model's own configuration (config.json is Hugging Face's). */
  public static final String MODEL_CONFIG = "model_config";

  /**
   * Our configuration of the model in {@code dir}: {@code recipe.json}'s {@link #MODEL_CONFIG},
   * or, in folders written before the export to Hugging Face families, {@code config.json}.
   */
  @SuppressWarnings("unchecked")
  static Map<String, Object> modelConfig(Path dir) throws IOException {
    Path r = dir.resolve(OutputFolder.RECIPE);
    if (Files.isRegularFile(r)) {
      Map<String, Object> recipe = new Gson().fromJson(Files.readString(r), Map.class);
      if (recipe != null && recipe.get(MODEL_CONFIG) instanceof Map<?, ?> m) {
        return (Map<String, Object>) m;
      }
    }
    return HfConfig.read(dir.resolve("config.json"));
  }

  /**
   * The Hugging Face family our encoder-decoder is exactly equivalent to, by its options. Marian
   * and Pegasus embed as we do (token embeddings times sqrt(C) plus a sinusoid table, no
   * embedding LayerNorm); Marian is post-LN without final norms, Pegasus pre-LN with a final
   * LayerNorm after each stack, as ours. Their sinusoid tables put the sines in the first half of
   * the channels and the cosines in the second, ours interleaves them: both read {@code
   * embed_positions.weight} from the file (checked with transformers 5.18), so the export stores
   * our table there. BART (learned positions) adds an embedding LayerNorm and offsets positions by
   * 2; our learned and rotary options have no equivalent family.
   */
  enum Family {
    MARIAN("marian", "MarianMTModel", null),
    PEGASUS("pegasus", "PegasusForConditionalGeneration", null),
    LEARNED(
        null,
        null,
        "learned positions: Hugging Face's BART family adds an embedding LayerNorm that this"
            + " model lacks"),
    ROTARY(null, null, "rotary positions: no Hugging Face encoder-decoder family has them");

    static final String T4J_TYPE = "t4j-transformer";
    private final String hfType;
    private final String architecture;
    private final String why;

    Family(String hfType, String architecture, String why) {
      this.hfType = hfType;
      this.architecture = architecture;
      this.why = why;
    }

    static Family of(EncoderDecoderConfig c) {
      return switch (c.positions()) {
        case SINUSOIDAL -> c.norm() == io.github.transformers4j.models.layers.NormPlacement.PRE ? PEGASUS : MARIAN;
        case LEARNED -> LEARNED;
        case ROTARY -> ROTARY;
      };
    }

    /** The Hugging Face {@code model_type}, or null when none is equivalent. */
    String hfType() {
      return hfType;
    }

    String why() {
      return why;
    }
  }

  /**
   * Writes the Hugging Face files of {@code lm} into {@code dir} (see {@link HfFolder}). For a
   * {@link Family} with an equivalent: {@code config.json} of that family, the weights under its
   * names ({@code model.*}; the head and the stacks' {@code embed_tokens} tied to {@code
   * model.shared}), our sinusoid table as both {@code embed_positions.weight}, a zero {@code
   * final_logits_bias}, and {@code generation_config.json} (greedy, start token {@code [BOS]}, stop
   * at {@code [EOS]}, as {@code t4j generate}). Otherwise model_type {@code t4j-transformer} with
   * our own configuration and names, and a {@code README.md} saying it is not loadable.
   */
  public static void export(
      Path dir,
      EncoderDecoderConfig cfg,
      Map<String, Object> ours,
      TextTokenizer tok,
      EncoderDecoderLm lm)
      throws IOException {
    Family family = Family.of(cfg);
    SpecialTokens sp = tok.specials();
    if (tok instanceof CharTokenizer chars) {
      HfFolder.writeCharTokenizer(dir, chars, cfg.maxPositions());
    }
    if (family.hfType() == null) {
      Map<String, Object> m = new LinkedHashMap<>(ours);
      m.put("model_type", Family.T4J_TYPE);
      m.putAll(HfFolder.tokenIds(tok));
      HfFolder.writeWeights(dir, lm.parameterSet(), name -> name, Map.of());
      HfFolder.writeJson(dir.resolve("config.json"), m);
      HfFolder.writeNotLoadable(dir, Family.T4J_TYPE, family.why());
      Files.deleteIfExists(dir.resolve("generation_config.json"));
      return;
    }
    HfFolder.clearNotLoadable(dir);
    float[] table =
        io.github.transformers4j.models.layers.SinusoidalPositionalEncoding.table(
            cfg.maxPositions(), cfg.dModel());
    Map<String, TensorData> extra = new LinkedHashMap<>();
    extra.put(
        "model.encoder.embed_positions.weight",
        TensorData.of(table, cfg.maxPositions(), cfg.dModel()));
    extra.put(
        "model.decoder.embed_positions.weight",
        TensorData.of(table.clone(), cfg.maxPositions(), cfg.dModel()));
    extra.put("final_logits_bias", TensorData.of(new float[cfg.vocabSize()], 1, cfg.vocabSize()));
    HfFolder.writeWeights(dir, lm.parameterSet(), name -> "model." + name, extra);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("architectures", List.of(family.architecture));
    m.put("model_type", family.hfType());
    m.put("vocab_size", cfg.vocabSize());
    if (family == Family.MARIAN) {
      m.put("decoder_vocab_size", cfg.vocabSize());
      m.put("share_encoder_decoder_embeddings", true);
    }
    m.put("d_model", cfg.dModel());
    m.put("encoder_layers", cfg.encoderLayers());
    m.put("decoder_layers", cfg.decoderLayers());
    m.put("encoder_attention_heads", cfg.heads());
    m.put("decoder_attention_heads", cfg.heads());
    m.put("encoder_ffn_dim", cfg.ffnDim());
    m.put("decoder_ffn_dim", cfg.ffnDim());
    m.put("activation_function", ours.get("activation_function"));
    m.put("max_position_embeddings", cfg.maxPositions());
    m.put("scale_embedding", cfg.scaleEmbedding());
    m.put("dropout", cfg.dropout());
    m.put("attention_dropout", cfg.attentionDropout());
    m.put("activation_dropout", 0.0);
    m.put("init_std", cfg.initStd());
    m.put("is_encoder_decoder", true);
    m.put("tie_word_embeddings", true);
    m.put("use_cache", true);
    m.putAll(HfFolder.tokenIds(tok));
    m.put("decoder_start_token_id", sp.bos());
    m.put("forced_eos_token_id", null);
    HfFolder.writeJson(dir.resolve("config.json"), m);
    Map<String, Object> gen = new LinkedHashMap<>();
    gen.put("decoder_start_token_id", sp.bos());
    gen.putAll(HfFolder.tokenIds(tok));
    gen.put("forced_eos_token_id", null);
    gen.put("do_sample", false);
    gen.put("num_beams", 1);
    gen.put("max_length", cfg.maxPositions());
    HfFolder.writeJson(dir.resolve("generation_config.json"), gen);
  }

  private static void writeJson(Path file, Object o) throws IOException {
    Gson gson = new GsonBuilder().setPrettyPrinting().create();
    AtomicFiles.write(file, gson.toJson(o).getBytes(StandardCharsets.UTF_8));
  }

  /** Whether {@code dir} holds a model written by {@link #train}. */
  public static boolean isSeq2Seq(Path dir) throws IOException {
    Path r = dir.resolve("recipe.json");
    if (!Files.exists(r)) {
      return false;
    }
    JsonObject o = new Gson().fromJson(Files.readString(r), JsonObject.class);
    return o != null && o.has("task") && TASK.equals(o.get("task").getAsString());
  }

  /** Loads a model written by {@link #train} from its output folder. */
  public static Loaded load(Ops ops, Path dir) throws IOException {
    return load(ops, dir, WeightPrecision.F32);
  }

  /** As {@link #load(Ops, Path)}, the matmul weights then held in {@code precision}. */
  public static Loaded load(Ops ops, Path dir, WeightPrecision precision) throws IOException {
    if (!isSeq2Seq(dir)) {
      throw new IOException(dir + ": no recipe.json of a seq2seq model (t4j train seq2seq)");
    }
    JsonObject recipe =
        new Gson().fromJson(Files.readString(dir.resolve("recipe.json")), JsonObject.class);
    Map<String, Object> map = modelConfig(dir);
    DecodableSeq2Seq lm;
    int vocab;
    int maxPositions;
    if (RecurrentSeq2Seq.ARCHITECTURE.equals(map.get("model_type"))) {
      RecurrentSeq2SeqConfig cfg = RecurrentSeq2SeqConfig.fromMap(map);
      lm = new RecurrentSeq2SeqLm(new RecurrentSeq2Seq(ops, cfg));
      vocab = cfg.vocabSize();
      maxPositions = cfg.maxLength();
    } else {
      EncoderDecoderConfig cfg = EncoderDecoderConfig.fromMap(map);
      lm = new EncoderDecoderLm(new EncoderDecoderModel(ops, cfg));
      vocab = cfg.vocabSize();
      maxPositions = cfg.maxPositions();
    }
    TextTokenizer tok =
        TokenizerFiles.load(dir.resolve(recipe.get("tokenizer").getAsString()), true);
    if (tok.vocabSize() != vocab) {
      throw new IOException(
          dir
              + ": the tokenizer has "
              + tok.vocabSize()
              + " ids but config.json says vocab_size "
              + vocab);
    }
    Checkpoint.loadModel(dir.resolve("checkpoint"), lm.parameterSet());
    lm.module().quantize(precision);
    return new Loaded(lm, tok, maxPositions - 1);
  }

  /**
   * The outputs for {@code sources}, decoded by {@code numBeams} beams (1: greedy), {@code rows}
   * sources per decoding batch (padded and masked).
   */
  public static List<String> translate(Loaded m, List<String> sources, int numBeams, int rows) {
    return translate(m, sources, numBeams, rows, m.maxNew());
  }

  /**
   * As {@link #translate(Loaded, List, int, int)}, each output at most {@code maxNew} tokens (at
   * most {@link Loaded#maxNew}).
   */
  public static List<String> translate(
      Loaded m, List<String> sources, int numBeams, int rows, int maxNew) {
    int limit = Math.min(maxNew, m.maxNew());
    SpecialTokens sp = m.tokenizer().specials();
    m.model().module().train(false, 0);
    List<String> out = new ArrayList<>(sources.size());
    for (int from = 0; from < sources.size(); from += rows) {
      List<String> chunk = sources.subList(from, Math.min(sources.size(), from + rows));
      int b = chunk.size();
      int[][] enc = new int[b][];
      int s = 1;
      for (int i = 0; i < b; i++) {
        enc[i] = m.tokenizer().encode(chunk.get(i));
        s = Math.max(s, enc[i].length);
      }
      if (s > m.maxNew() + 1) {
        throw new IllegalArgumentException(
            "seq2seq: a source of " + s + " tokens exceeds the model's " + (m.maxNew() + 1));
      }
      int[] src = new int[b * s];
      int[] mask = new int[b * s];
      Arrays.fill(src, sp.pad());
      for (int i = 0; i < b; i++) {
        System.arraycopy(enc[i], 0, src, i * s, enc[i].length);
        Arrays.fill(mask, i * s, i * s + enc[i].length, 1);
      }
      int[][] start = new int[b][];
      for (int i = 0; i < b; i++) {
        start[i] = new int[] {sp.bos()};
      }
      GenerationConfig g =
          (numBeams <= 1
                  ? GenerationConfig.greedy(limit)
                  : GenerationConfig.beams(limit, numBeams))
              .withStopTokens(sp.eos());
      int[][] res = new Generator(() -> m.model().session(src, b, mask)).generate(start, g);
      for (int[] row : res) {
        int end = row.length;
        for (int j = 1; j < row.length; j++) {
          if (row[j] == sp.eos()) {
            end = j;
            break;
          }
        }
        out.add(m.tokenizer().decode(Arrays.copyOfRange(row, 1, end)));
      }
    }
    return out;
  }

  /**
   * The greedy output for {@code source}, calling {@code onText} with each new piece of text as the
   * decoder produces it (the text of all tokens so far is decoded again at each token, so
   * tokenizers whose pieces merge, such as WordPiece's {@code ##}, stream correctly).
   */
  public static String translateStreaming(
      Loaded m, String source, java.util.function.Consumer<String> onText) {
    return translateStreaming(m, source, GenerationConfig.greedy(m.maxNew()), onText);
  }

  /**
   * As {@link #translateStreaming(Loaded, String, java.util.function.Consumer)}, greedy or
   * sampling as {@code how} says (its length and stop tokens are the model's: at most {@link
   * Loaded#maxNew} and at most its own length, ending at the end token); not beam search, which
   * cannot stream.
   */
  public static String translateStreaming(
      Loaded m, String source, GenerationConfig how, java.util.function.Consumer<String> onText) {
    if (how.numBeams() > 1) {
      throw new IllegalArgumentException(
          "seq2seq: beam search cannot stream; use translate(..., numBeams, ...)");
    }
    SpecialTokens sp = m.tokenizer().specials();
    m.model().module().train(false, 0);
    int[] src = m.tokenizer().encode(source);
    if (src.length > m.maxNew() + 1) {
      throw new IllegalArgumentException(
          "seq2seq: a source of " + src.length + " tokens exceeds the model's " + (m.maxNew() + 1));
    }
    List<Integer> ids = new ArrayList<>();
    StringBuilder shown = new StringBuilder();
    GenerationListener listener =
        new GenerationListener() {
          @Override
          public void onToken(int row, int token) {
            if (token == sp.eos()) {
              return;
            }
            ids.add(token);
            String text = m.tokenizer().decode(ids.stream().mapToInt(Integer::intValue).toArray());
            if (text.startsWith(shown.toString()) && text.length() > shown.length()) {
              onText.accept(text.substring(shown.length()));
              shown.setLength(0);
              shown.append(text);
            }
          }
        };
    GenerationConfig g =
        new GenerationConfig(
                Math.min(how.maxNewTokens(), m.maxNew()),
                0,
                how.doSample(),
                how.temperature(),
                how.topK(),
                how.topP(),
                how.repetitionPenalty(),
                new int[0],
                1,
                1f,
                how.padTokenId(),
                how.seed(),
                how.vocabularyLimit())
            .withStopTokens(sp.eos());
    new Generator(() -> m.model().session(src, 1, null))
        .generate(new int[][] {{sp.bos()}}, g, listener);
    String text = m.tokenizer().decode(ids.stream().mapToInt(Integer::intValue).toArray());
    if (!text.equals(shown.toString())) {
      // A decoder that rewrote earlier text: show the final text's unseen tail, if any.
      if (text.startsWith(shown.toString())) {
        onText.accept(text.substring(shown.length()));
      }
    }
    return text;
  }

  /** The share of {@code pairs} whose decoded source equals the target exactly. */
  public static double exactMatch(Loaded m, List<Datasets.Pair> pairs, int numBeams) {
    if (pairs.isEmpty()) {
      return Double.NaN;
    }
    List<String> src = new ArrayList<>();
    for (Datasets.Pair p : pairs) {
      src.add(p.source());
    }
    List<String> got = translate(m, src, numBeams, 32);
    int ok = 0;
    for (int i = 0; i < pairs.size(); i++) {
      ok += got.get(i).equals(pairs.get(i).target()) ? 1 : 0;
    }
    return (double) ok / pairs.size();
  }
}
