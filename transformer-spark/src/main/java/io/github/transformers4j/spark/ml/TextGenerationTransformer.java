package io.github.transformers4j.spark.ml;

import io.github.transformers4j.api.registry.Tokenizers;
import io.github.transformers4j.api.spi.TextTokenizer;
import io.github.transformers4j.models.generation.GenerationConfig;
import io.github.transformers4j.models.generation.GenerationListener;
import io.github.transformers4j.models.generation.HfGenerationSettings;
import io.github.transformers4j.models.nn.PretrainedModel;
import io.github.transformers4j.models.pretrained.Pretrained;
import io.github.transformers4j.models.tasks.CausalLm;
import io.github.transformers4j.models.tasks.Seq2SeqLm;
import io.github.transformers4j.models.tasks.TextGeneration;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.param.FloatParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * Generated text for each prompt of a string column: the new text only (a decoder's prompt is not
 * repeated; an encoder-decoder's output is all new), as {@code t4j generate} prints it after the
 * prompt. Any generative folder (GPT-2, OPT, T5, BART, ...), its own tokenizer, its {@code
 * generation_config.json} over Hugging Face's defaults.
 *
 * <p>With {@code temperature} 0 (the default) decoding is greedy ({@code t4j generate --greedy})
 * and the rows of a batch are generated together (left-padded, masked). With a temperature above 0
 * it samples ({@code --temperature}, {@code --top-k}, {@code --top-p}, {@code --seed}) and each row
 * is generated alone, so that a row's text depends on its prompt and the seed, not on which rows
 * Spark put in its partition.
 */
public final class TextGenerationTransformer extends T4jTransformer<TextGenerationTransformer> {
  private static final long serialVersionUID = 1L;

  private final IntParam maxNewTokens;
  private final FloatParam temperature;
  private final IntParam topK;
  private final FloatParam topP;
  private final LongParam seed;

  public TextGenerationTransformer() {
    this(Identifiable.randomUID("t4jTextGeneration"));
  }

  public TextGenerationTransformer(String uid) {
    super(uid);
    maxNewTokens =
        new IntParam(
            this, "maxNewTokens", "the most tokens generated per row (>= 1; fewer if the model"
                + " has no room)", ParamValidators.gtEq(1));
    temperature =
        new FloatParam(this, "temperature", "0: greedy; above 0: sampling at this temperature",
            ParamValidators.gtEq(0));
    topK = new IntParam(this, "topK", "sampling: among the k most likely tokens; 0 for all",
        ParamValidators.gtEq(0));
    topP = new FloatParam(this, "topP", "sampling: nucleus mass in (0, 1]; 1 is off",
        ParamValidators.inRange(0, 1, false, true));
    seed = new LongParam(this, "seed", "sampling seed, the same for every row");
    setDefault(maxNewTokens, 32);
    setDefault(temperature, 0f);
    setDefault(topK, 40);
    setDefault(topP, 1f);
    setDefault(seed, 0L);
    setDefault(outputCol(), "generated");
  }

  public IntParam maxNewTokens() {
    return maxNewTokens;
  }

  public FloatParam temperature() {
    return temperature;
  }

  public IntParam topK() {
    return topK;
  }

  public FloatParam topP() {
    return topP;
  }

  public LongParam seed() {
    return seed;
  }

  public TextGenerationTransformer setMaxNewTokens(int value) {
    set(maxNewTokens, value);
    return this;
  }

  public TextGenerationTransformer setTemperature(float value) {
    set(temperature, value);
    return this;
  }

  public TextGenerationTransformer setTopK(int value) {
    set(topK, value);
    return this;
  }

  public TextGenerationTransformer setTopP(float value) {
    set(topP, value);
    return this;
  }

  public TextGenerationTransformer setSeed(long value) {
    set(seed, value);
    return this;
  }

  public static MLReader<TextGenerationTransformer> read() {
    return new DefaultParamsReader<>();
  }

  public static TextGenerationTransformer load(String path) {
    return read().load(path);
  }

  @Override
  protected String what() {
    return "prompts for text generation";
  }


  @Override
  protected DataType outputType() {
    return DataTypes.StringType;
  }

  /** A folder's generative model, tokenizer and decoding settings, loaded once per executor. */
  record Loaded(PretrainedModel model, TextTokenizer tokenizer, GenerationConfig folderSettings) {}

  /** Loads {@code folder} for generation. */
  static Loaded loadFolder(io.github.transformers4j.api.Ops ops, Path folder) throws IOException {
    PretrainedModel m = Pretrained.load(ops, folder);
    if (!TextGeneration.canGenerate(m)) {
      throw new IllegalArgumentException(
          "modelPath " + folder + " holds a " + m.architecture() + " model ("
              + m.getClass().getSimpleName() + "), which does not generate text");
    }
    m.train(false, 0);
    TextTokenizer tok;
    try {
      tok = Tokenizers.installed().forName("auto").load(folder);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "modelPath " + folder + " has no tokenizer this library reads: " + e.getMessage(), e);
    }
    GenerationConfig g =
        HfGenerationSettings.apply(
            HfGenerationSettings.defaults(),
            HfGenerationSettings.read(folder),
            folder.resolve(HfGenerationSettings.FILE).toString());
    int vocab = m instanceof CausalLm lm ? lm.vocabSize() : ((Seq2SeqLm) m).vocabSize();
    g = HfGenerationSettings.forVocabulary(g, vocab, tok.vocabularySize(), folder.toString());
    return new Loaded(m, tok, g);
  }

  /**
   * The new text of each prompt: what the transformer computes for one batch, as a library call.
   * Greedy rows with room for {@code maxNew} tokens are generated together; a sampled row, or one
   * whose prompt leaves the model less room, alone (with that room), so no row's text depends on
   * the other rows of its batch.
   */
  static List<String> generate(
      Loaded l, List<String> prompts, int maxNew, float temperature, int topK, float topP,
      long seed) {
    boolean encoderDecoder = l.model() instanceof Seq2SeqLm;
    GenerationConfig base =
        temperature == 0
            ? HfGenerationSettings.greedy(l.folderSettings())
            : HfGenerationSettings.sampling(l.folderSettings())
                .withTemperature(temperature)
                .withTopK(topK)
                .withTopP(topP)
                .withSeed(seed);
    int n = prompts.size();
    int[][] ids = new int[n][];
    int[][] all = new int[n][];
    List<Integer> together = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids[i] = l.tokenizer().encodeIds(prompts.get(i));
      if (ids[i].length == 0) {
        throw new IllegalArgumentException(
            "a prompt has no tokens: '" + prompts.get(i) + "'");
      }
      int room = TextGeneration.room(l.model(), ids[i].length);
      if (temperature == 0 && room >= maxNew) {
        together.add(i);
      } else {
        GenerationConfig g = base.withMaxNewTokens(Math.min(maxNew, room)).withMaxLength(0);
        all[i] = TextGeneration.generate(l.model(), ids[i], g);
      }
    }
    if (!together.isEmpty()) {
      int[][] batch = together.stream().map(i -> ids[i]).toArray(int[][]::new);
      GenerationConfig g = base.withMaxNewTokens(maxNew).withMaxLength(0);
      int[][] out = TextGeneration.generate(l.model(), batch, g, GenerationListener.NONE);
      for (int j = 0; j < out.length; j++) {
        all[together.get(j)] = out[j];
      }
    }
    List<String> texts = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int from = encoderDecoder ? 1 : ids[i].length;
      texts.add(l.tokenizer().decodeIds(Arrays.copyOfRange(all[i], from, all[i].length), true));
    }
    return texts;
  }

  @Override
  protected BatchFunction batchFunction() {
    int maxNew = (Integer) $(maxNewTokens);
    float t = (Float) $(temperature);
    int k = (Integer) $(topK);
    float p = (Float) $(topP);
    long s = (Long) $(seed);
    return (settings, inputs) -> {
      Loaded l = ModelCache.get(settings.key("generation"), TextGenerationTransformer::loadFolder);
      return generate(l, inputs.stream().map(String.class::cast).toList(), maxNew, t, k, p, s);
    };
  }
}
