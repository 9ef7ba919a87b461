package io.github.transformers4j.models.generation;

import io.github.transformers4j.models.config.HfConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Hugging Face's generation settings ({@code generation_config.json}, and the generation fields
 * that older {@code config.json} files carry) as a {@link GenerationConfig}, with Hugging Face's
 * defaults for what a file leaves out. A setting that would change the output and that the
 * generator does not implement (bad-word lists, suppressed tokens, diverse beam groups, typical
 * sampling...) is an error naming it, never silently ignored.
 */
public final class HfGenerationSettings {
  /** The file of a model folder. */
  public static final String FILE = "generation_config.json";

  // Fields read from config.json when the folder has no generation_config.json (as HF's
  // GenerationConfig.from_model_config does for older checkpoints).
  private static final Set<String> LEGACY =
      Set.of(
          "max_length", "min_length", "do_sample", "early_stopping", "num_beams", "temperature",
          "top_k", "top_p", "repetition_penalty", "length_penalty", "no_repeat_ngram_size",
          "forced_bos_token_id", "forced_eos_token_id", "bos_token_id", "eos_token_id",
          "pad_token_id", "decoder_start_token_id", "bad_words_ids", "num_beam_groups",
          "diversity_penalty", "num_return_sequences", "typical_p", "suppress_tokens",
          "begin_suppress_tokens", "encoder_no_repeat_ngram_size");

  // Output-changing settings the generator does not implement, with their neutral values.
  private static final Map<String, Object> UNSUPPORTED = new LinkedHashMap<>();

  static {
    UNSUPPORTED.put("num_beam_groups", 1L);
    UNSUPPORTED.put("diversity_penalty", 0.0);
    UNSUPPORTED.put("num_return_sequences", 1L);
    UNSUPPORTED.put("typical_p", 1.0);
    UNSUPPORTED.put("epsilon_cutoff", 0.0);
    UNSUPPORTED.put("eta_cutoff", 0.0);
    UNSUPPORTED.put("encoder_no_repeat_ngram_size", 0L);
    UNSUPPORTED.put("encoder_repetition_penalty", 1.0);
    UNSUPPORTED.put("exponential_decay_length_penalty", null);
    UNSUPPORTED.put("bad_words_ids", null);
    UNSUPPORTED.put("force_words_ids", null);
    UNSUPPORTED.put("suppress_tokens", null);
    UNSUPPORTED.put("begin_suppress_tokens", null);
    UNSUPPORTED.put("sequence_bias", null);
    UNSUPPORTED.put("guidance_scale", null);
    UNSUPPORTED.put("penalty_alpha", null);
    UNSUPPORTED.put("constraints", null);
    UNSUPPORTED.put("min_p", null);
    UNSUPPORTED.put("top_h", null);
    UNSUPPORTED.put("watermarking_config", null);
    UNSUPPORTED.put("stop_strings", null);
    UNSUPPORTED.put("max_time", null);
  }

  private HfGenerationSettings() {}

  /**
   * The generation fields of the folder: {@code config.json}'s legacy generation fields, then
   * {@code generation_config.json}'s over them (either file may be absent).
   *
   * @throws IOException naming a file that exists but cannot be read
   * @throws IllegalArgumentException naming a file that is not a JSON object
   */
  public static Map<String, Object> read(Path modelDir) throws IOException {
    Map<String, Object> fields = new LinkedHashMap<>();
    Path config = modelDir.resolve("config.json");
    Path generation = modelDir.resolve(FILE);
    if (Files.isRegularFile(config) && !Files.isRegularFile(generation)) {
      for (Map.Entry<String, Object> e : HfConfig.read(config).entrySet()) {
        if (LEGACY.contains(e.getKey())) {
          fields.put(e.getKey(), e.getValue());
        }
      }
    }
    if (Files.isRegularFile(generation)) {
      fields.putAll(HfConfig.read(generation));
    }
    return fields;
  }

  /**
   * Hugging Face's defaults ({@code GenerationConfig()}): greedy, 20 tokens in all ({@code
   * max_length} 20), top-k 50 and top-p 1 when sampling, no penalties, early stopping off.
   */
  public static GenerationConfig defaults() {
    return GenerationConfig.greedy(0)
        .withMaxLength(20)
        .withTopK(50)
        .withEarlyStopping(GenerationConfig.EarlyStopping.FALSE);
  }

  /**
   * {@code base} with every generation field of {@code fields} applied ({@code max_new_tokens},
   * {@code max_length}, {@code min_length}, {@code min_new_tokens}, {@code do_sample}, {@code
   * temperature}, {@code top_k}, {@code top_p}, {@code repetition_penalty}, {@code num_beams},
   * {@code length_penalty}, {@code early_stopping}, {@code no_repeat_ngram_size}, {@code
   * forced_bos_token_id}, {@code forced_eos_token_id}, {@code eos_token_id} (one id or a list:
   * the stop tokens), {@code pad_token_id}); other fields are ignored unless they would change
   * the output.
   *
   * @param source names the file in error messages
   * @throws IllegalArgumentException naming the field with a malformed value, or a setting the
   *     generator does not implement
   */
  public static GenerationConfig apply(GenerationConfig base, Map<String, ?> fields, String source) {
    for (Map.Entry<String, Object> u : UNSUPPORTED.entrySet()) {
      Object v = fields.get(u.getKey());
      if (v != null && !neutral(v, u.getValue())) {
        throw new IllegalArgumentException(
            source + ": generation setting '" + u.getKey() + "' = " + v
                + " is not supported by this generator (remove it or set it to "
                + (u.getValue() == null ? "null" : u.getValue()) + ")");
      }
    }
    GenerationConfig g = base;
    boolean maxNewGiven = fields.get("max_new_tokens") != null;
    if (maxNewGiven) {
      g = g.withMaxNewTokens(integer(fields, "max_new_tokens", source)).withMaxLength(0);
    } else if (fields.get("max_length") != null) {
      // max_length bounds the whole row; the budget of new tokens is then unlimited but by it.
      g = g.withMaxLength(integer(fields, "max_length", source)).withMaxNewTokens(Integer.MAX_VALUE);
    }
    int minLength = fields.get("min_length") != null ? integer(fields, "min_length", source) : g.minLength();
    int minNew =
        fields.get("min_new_tokens") != null ? integer(fields, "min_new_tokens", source) : g.minNewTokens();
    g = g.withMinLength(minLength, minNew);
    if (fields.get("do_sample") != null) {
      boolean sample = bool(fields, "do_sample", source);
      g = withSampling(g, sample);
    }
    if (fields.get("temperature") != null) {
      g = g.withTemperature((float) number(fields, "temperature", source));
    }
    if (fields.get("top_k") != null) {
      g = g.withTopK(integer(fields, "top_k", source));
    }
    if (fields.get("top_p") != null) {
      g = g.withTopP((float) number(fields, "top_p", source));
    }
    if (fields.get("repetition_penalty") != null) {
      g = g.withRepetitionPenalty((float) number(fields, "repetition_penalty", source));
    }
    if (fields.get("num_beams") != null) {
      g = withBeams(g, integer(fields, "num_beams", source));
    }
    if (fields.get("length_penalty") != null) {
      g = g.withLengthPenalty((float) number(fields, "length_penalty", source));
    }
    Object early = fields.get("early_stopping");
    if (early instanceof Boolean b) {
      g = g.withEarlyStopping(b ? GenerationConfig.EarlyStopping.TRUE : GenerationConfig.EarlyStopping.FALSE);
    } else if ("never".equals(early)) {
      g = g.withEarlyStopping(GenerationConfig.EarlyStopping.NEVER);
    } else if (early != null) {
      throw new IllegalArgumentException(
          source + ": 'early_stopping' must be true, false or \"never\", got " + early);
    }
    if (fields.get("no_repeat_ngram_size") != null) {
      g = g.withNoRepeatNgramSize(integer(fields, "no_repeat_ngram_size", source));
    }
    int bos = fields.get("forced_bos_token_id") != null ? integer(fields, "forced_bos_token_id", source) : g.forcedBosTokenId();
    int eos = fields.get("forced_eos_token_id") != null ? forcedEos(fields.get("forced_eos_token_id"), source) : g.forcedEosTokenId();
    g = g.withForcedTokens(bos, eos);
    Object stop = fields.get("eos_token_id");
    if (stop != null) {
      g = g.withStopTokens(ids(stop, "eos_token_id", source));
    }
    if (fields.get("pad_token_id") != null) {
      g = g.withPadTokenId(integer(fields, "pad_token_id", source));
    } else if (stop != null && g.stopTokens().length > 0) {
      // As Hugging Face: without a pad token, finished rows are filled with the EOS.
      g = g.withPadTokenId(g.stopTokens()[0]);
    }
    return g;
  }

  /** {@code g} switched to sampling or to deterministic decoding. */
  public static GenerationConfig withSampling(GenerationConfig g, boolean sample) {
    return new GenerationConfig(
        g.maxNewTokens(), g.maxLength(), sample, g.temperature(), g.topK(), g.topP(),
        g.repetitionPenalty(), g.stopTokens(), sample ? 1 : g.numBeams(), g.lengthPenalty(),
        g.padTokenId(), g.seed(), g.vocabularyLimit(), g.minLength(), g.minNewTokens(),
        g.noRepeatNgramSize(), g.forcedBosTokenId(), g.forcedEosTokenId(), g.earlyStopping());
  }

  /** {@code g} with {@code n} beams (deterministic: beams do not sample here). */
  public static GenerationConfig withBeams(GenerationConfig g, int n) {
    if (n > 1 && g.doSample()) {
      throw new IllegalArgumentException(
          "num_beams " + n + " with do_sample: beam sampling is not supported");
    }
    return new GenerationConfig(
        g.maxNewTokens(), g.maxLength(), g.doSample(), g.temperature(), g.topK(), g.topP(),
        g.repetitionPenalty(), g.stopTokens(), n, g.lengthPenalty(), g.padTokenId(), g.seed(),
        g.vocabularyLimit(), g.minLength(), g.minNewTokens(), g.noRepeatNgramSize(),
        g.forcedBosTokenId(), g.forcedEosTokenId(), g.earlyStopping());
  }

  /**
   * {@code g} switched to greedy decoding ({@code t4j generate --greedy}, temperature 0 in the
   * server and the LangChain4j models): no sampling, one beam.
   */
  public static GenerationConfig greedy(GenerationConfig g) {
    return withBeams(withSampling(g, false), 1);
  }

  /** {@code g} switched to sampling, with one beam (beams do not sample here). */
  public static GenerationConfig sampling(GenerationConfig g) {
    return withSampling(withBeams(g, 1), true);
  }

  /**
   * {@code g} fitted to a model whose embedding has {@code vocab} rows and whose tokenizer knows
   * {@code tokenizerVocab} ids: rows the tokenizer cannot decode (a padded vocabulary) are never
   * picked, and every stop id must be a row of the model.
   *
   * @param tokenizerVocab the tokenizer's vocabulary size, or a negative number without one
   * @throws IllegalArgumentException naming {@code source} (the model folder) when a stop id is
   *     outside the vocabulary
   */
  public static GenerationConfig forVocabulary(
      GenerationConfig g, int vocab, int tokenizerVocab, String source) {
    for (int stop : g.stopTokens()) {
      if (stop < 0 || stop >= vocab) {
        throw new IllegalArgumentException(
            source + ": eos_token_id " + stop + " is outside the vocabulary of " + vocab);
      }
    }
    return tokenizerVocab >= 0 && tokenizerVocab < vocab ? g.withVocabularyLimit(tokenizerVocab) : g;
  }

  private static int forcedEos(Object v, String source) {
    if (v instanceof List<?> list) {
      if (list.size() != 1) {
        throw new IllegalArgumentException(
            source + ": 'forced_eos_token_id' lists " + list.size()
                + " ids; only one forced end token is supported");
      }
      v = list.get(0);
    }
    return asInt(v, "forced_eos_token_id", source);
  }

  private static int[] ids(Object v, String field, String source) {
    if (v instanceof List<?> list) {
      List<Integer> out = new ArrayList<>();
      for (Object o : list) {
        out.add(asInt(o, field, source));
      }
      return out.stream().mapToInt(Integer::intValue).toArray();
    }
    return new int[] {asInt(v, field, source)};
  }

  private static boolean neutral(Object v, Object neutral) {
    if (neutral == null) {
      return v instanceof List<?> l ? l.isEmpty() : v instanceof Map<?, ?> m && m.isEmpty();
    }
    return v instanceof Number n && neutral instanceof Number m && n.doubleValue() == m.doubleValue();
  }

  private static int integer(Map<String, ?> f, String field, String source) {
    return asInt(f.get(field), field, source);
  }

  private static int asInt(Object v, String field, String source) {
    if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
        && Math.abs(n.doubleValue()) <= Integer.MAX_VALUE) {
      return n.intValue();
    }
    throw new IllegalArgumentException(source + ": '" + field + "' must be an integer, got " + v);
  }

  private static double number(Map<String, ?> f, String field, String source) {
    Object v = f.get(field);
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    throw new IllegalArgumentException(source + ": '" + field + "' must be a number, got " + v);
  }

  private static boolean bool(Map<String, ?> f, String field, String source) {
    Object v = f.get(field);
    if (v instanceof Boolean b) {
      return b;
    }
    throw new IllegalArgumentException(source + ": '" + field + "' must be true or false, got " + v);
  }
}
