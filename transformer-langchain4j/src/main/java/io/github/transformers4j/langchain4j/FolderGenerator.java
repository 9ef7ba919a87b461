package io.github.transformers4j.langchain4j;

import dev.langchain4j.model.output.FinishReason;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.spi.TextTokenizer;
import io.github.transformers4j.models.generation.GenerationConfig;
import io.github.transformers4j.models.generation.GenerationListener;
import io.github.transformers4j.models.generation.HfGenerationSettings;
import io.github.transformers4j.models.generation.StopTextStreamer;
import io.github.transformers4j.models.nn.PretrainedModel;
import io.github.transformers4j.models.nn.WeightPrecision;
import io.github.transformers4j.models.pretrained.Pretrained;
import io.github.transformers4j.models.tasks.CausalLm;
import io.github.transformers4j.models.tasks.Seq2SeqLm;
import io.github.transformers4j.models.tasks.TextGeneration;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Text generation from a Hugging Face folder of any generative family (decoder or
 * encoder-decoder), streamed as text the way {@code t4j generate} prints it, through {@link
 * StopTextStreamer} (whole characters only; what may begin a stop sequence waits), as the server
 * streams it.
 *
 * <p>Decoding starts from the folder's own generation settings ({@code generation_config.json},
 * else the generation fields of {@code config.json}, over Hugging Face's defaults, which are
 * greedy), so stop ids and the rest apply as in {@code t4j generate}; the request may switch to
 * greedy (temperature 0) or sampling and bound the new tokens. One generation runs at a time per
 * model: the model and its caches are not shared between threads.
 */
final class FolderGenerator {
  /** New tokens when neither the request, the builder nor the folder bounds them. */
  static final int DEFAULT_MAX_NEW_TOKENS = 200;

  final Path dir;
  final PretrainedModel model;
  final TextTokenizer tokenizer;
  private final Map<String, Object> fields;
  private final boolean encoderDecoder;
  private final int vocab;

  private FolderGenerator(
      Path dir, PretrainedModel model, TextTokenizer tokenizer, Map<String, Object> fields) {
    this.dir = dir;
    this.model = model;
    this.tokenizer = tokenizer;
    this.fields = fields;
    this.encoderDecoder = model instanceof Seq2SeqLm;
    this.vocab = model instanceof CausalLm lm ? lm.vocabSize() : ((Seq2SeqLm) model).vocabSize();
  }

  /**
   * Loads the folder's model and tokenizer.
   *
   * @throws IllegalArgumentException naming the folder when it holds no generative model or no
   *     tokenizer, or when its generation settings are malformed
   * @throws IOException naming the file that cannot be read
   */
  static FolderGenerator load(Ops ops, Path dir, WeightPrecision precision) throws IOException {
    Folders.requireDirectory(dir, "a decoder or encoder-decoder folder");
    PretrainedModel m = Pretrained.load(ops, dir, PretrainedModel.class, precision);
    if (!TextGeneration.canGenerate(m)) {
      throw new IllegalArgumentException(
          dir + " holds a " + m.architecture() + " model (" + m.getClass().getSimpleName()
              + "), which does not generate text: a language or chat model needs a decoder or"
              + " an encoder-decoder folder");
    }
    TextTokenizer tok = Folders.tokenizer(dir);
    Map<String, Object> fields = HfGenerationSettings.read(dir);
    // Malformed or unsupported settings fail here, at build time, not at the first request.
    HfGenerationSettings.apply(
        HfGenerationSettings.defaults(), fields, dir.resolve(HfGenerationSettings.FILE).toString());
    m.train(false, 0);
    return new FolderGenerator(dir, m, tok, fields);
  }

  /**
   * What a request asks for beyond the folder's settings; null fields leave them.
   *
   * @param maxNewTokens the most new tokens (capped by the model's positions)
   * @param temperature 0 for greedy decoding; a positive value samples
   * @param topP nucleus sampling (implies sampling)
   * @param topK top-k sampling (implies sampling)
   * @param seed the sampling seed (0 when null)
   * @param stop texts that end the output where they first appear (not included)
   */
  record Options(
      Integer maxNewTokens,
      Double temperature,
      Double topP,
      Integer topK,
      Long seed,
      List<String> stop) {
    Options {
      stop = stop == null ? List.of() : List.copyOf(stop);
      for (String s : stop) {
        if (s.isEmpty()) {
          throw new IllegalArgumentException("a stop sequence is empty");
        }
      }
      if (maxNewTokens != null && maxNewTokens < 0) {
        throw new IllegalArgumentException("maxOutputTokens must be >= 0, got " + maxNewTokens);
      }
      if (temperature != null && !(temperature >= 0 && Double.isFinite(temperature))) {
        throw new IllegalArgumentException(
            "temperature must be >= 0 (0: greedy) and finite, got " + temperature);
      }
      if (topP != null && !(topP > 0 && topP <= 1)) {
        throw new IllegalArgumentException("topP must be in (0, 1], got " + topP);
      }
      if (topK != null && topK < 0) {
        throw new IllegalArgumentException("topK must be >= 0 (0: all tokens), got " + topK);
      }
    }

    /** Fields of {@code this}, else of {@code defaults}. */
    Options orElse(Options defaults) {
      return new Options(
          maxNewTokens != null ? maxNewTokens : defaults.maxNewTokens,
          temperature != null ? temperature : defaults.temperature,
          topP != null ? topP : defaults.topP,
          topK != null ? topK : defaults.topK,
          seed != null ? seed : defaults.seed,
          stop.isEmpty() ? defaults.stop : stop);
    }

    static final Options NONE = new Options(null, null, null, null, null, List.of());
  }

  /** A finished generation: the text handed out, the token counts and why it ended. */
  record Result(String text, int promptTokens, int newTokens, FinishReason finishReason) {}

  /** The ids the model sees for {@code prompt}, checked against its vocabulary and positions. */
  int[] encode(String prompt) {
    int[] ids = tokenizer.encodeIds(prompt);
    if (ids.length == 0) {
      throw new IllegalArgumentException("the prompt is empty: it encodes to no token");
    }
    for (int id : ids) {
      if (id < 0 || id >= vocab) {
        throw new IllegalArgumentException(
            "the prompt has token id " + id + ", outside the model's vocabulary of " + vocab
                + " (" + dir + ": the tokenizer does not match the model)");
      }
    }
    return ids;
  }

  /**
   * The decoding of a prompt of {@code promptLength} tokens under {@code o}: the folder's
   * settings, then greedy for temperature 0, sampling when a temperature, top-p or top-k is given,
   * and the new-token budget of the request, else of the folder, else {@value
   * #DEFAULT_MAX_NEW_TOKENS}, always within the model's positions.
   */
  GenerationConfig decoding(int promptLength, Options o) {
    String source = dir.resolve(HfGenerationSettings.FILE).toString();
    GenerationConfig g = HfGenerationSettings.apply(HfGenerationSettings.defaults(), fields, source);
    if (o.temperature() != null && o.temperature() == 0) {
      g = HfGenerationSettings.greedy(g);
    } else if (o.temperature() != null || o.topP() != null || o.topK() != null) {
      g = HfGenerationSettings.sampling(g);
      if (o.temperature() != null) {
        g = g.withTemperature(o.temperature().floatValue());
      }
      if (o.topP() != null) {
        g = g.withTopP(o.topP().floatValue());
      }
      if (o.topK() != null) {
        g = g.withTopK(o.topK());
      }
    }
    g = g.withSeed(o.seed() == null ? 0L : o.seed());
    int room = TextGeneration.room(model, promptLength);
    if (o.maxNewTokens() != null) {
      g = g.withMaxNewTokens(Math.min(o.maxNewTokens(), room)).withMaxLength(0);
    } else if (fields.get("max_new_tokens") != null || fields.get("max_length") != null) {
      g = g.withMaxNewTokens(Math.min(g.maxNewTokens(), room));
    } else {
      g = g.withMaxNewTokens(Math.min(DEFAULT_MAX_NEW_TOKENS, room)).withMaxLength(0);
    }
    return HfGenerationSettings.forVocabulary(g, vocab, tokenizer.vocabularySize(), dir.toString());
  }

  /**
   * Generates from {@code prompt}, handing each new piece of text to {@code onText} as it is
   * decoded; stops early, without further calls, once {@code cancelled} says so.
   *
   * @return the whole text handed out, or null when cancelled
   */
  synchronized Result generate(
      String prompt, Options o, Consumer<String> onText, BooleanSupplier cancelled) {
    int[] ids = encode(prompt);
    GenerationConfig g = decoding(ids.length, o);
    StopTextStreamer streamer = new StopTextStreamer(tokenizer, o.stop(), onText);
    GenerationListener listener =
        new GenerationListener() {
          @Override
          public void onToken(int row, int token) {
            add(streamer, token, cancelled);
          }
        };
    boolean beams = g.numBeams() > 1;
    try {
      int[] all =
          TextGeneration.generate(
              model, new int[][] {ids}, g, beams ? GenerationListener.NONE : listener)[0];
      if (beams) {
        // Beam search knows its tokens only at the end.
        for (int i = encoderDecoder ? 1 : ids.length; i < all.length; i++) {
          add(streamer, all[i], cancelled);
        }
      }
    } catch (Stop stop) {
      if (stop.cancelled) {
        return null;
      }
    }
    FinishReason why =
        streamer.finish() || (streamer.tokenCount() > 0 && g.isStop(streamer.lastToken()))
            ? FinishReason.STOP
            : FinishReason.LENGTH;
    return new Result(streamer.text(), ids.length, streamer.tokenCount(), why);
  }

  private static void add(StopTextStreamer streamer, int token, BooleanSupplier cancelled) {
    if (cancelled.getAsBoolean()) {
      throw new Stop(true);
    }
    if (streamer.add(token)) {
      throw new Stop(false);
    }
  }

  /** Ends the generation from inside the listener: a stop sequence, or the caller cancelled. */
  private static final class Stop extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final boolean cancelled;

    Stop(boolean cancelled) {
      super(null, null, false, false);
      this.cancelled = cancelled;
    }
  }
}
