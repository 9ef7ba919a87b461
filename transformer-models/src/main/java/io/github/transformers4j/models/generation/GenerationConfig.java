package io.github.transformers4j.models.generation;

import java.util.Arrays;

/**
 * How to generate, validated at construction (Hugging Face's {@code GenerationConfig} names).
 *
 * @param maxNewTokens the most tokens to add to each prompt
 * @param maxLength the most tokens a row may hold, prompt included (0: no limit but {@code
 *     maxNewTokens})
 * @param doSample sample from the distribution instead of taking the most likely token
 * @param temperature divides the logits before sampling (&gt; 0; 1 leaves them)
 * @param topK keep only the k most likely tokens when sampling (0: all)
 * @param topP keep the smallest set of most likely tokens whose probability reaches p (1: all)
 * @param repetitionPenalty CTRL's penalty (Keskar et al. 2019) on tokens already in the row: a
 *     positive logit is divided by it, a negative one multiplied (1: none)
 * @param stopTokens tokens that end a row (included in the output)
 * @param numBeams beams per prompt (1: no beam search)
 * @param lengthPenalty beam scores are {@code sum of log-probabilities / length^lengthPenalty}
 * @param padTokenId fills left padding and rows that stopped (never seen: it is masked)
 * @param seed the seed of the sampling RNG
 * @param vocabularyLimit only ids below it are generated (0: all); for a tokenizer with fewer ids
 *     than the model's embedding, whose extra rows it could not decode
 * @param minLength a row (prompt included, as Hugging Face's {@code min_length}) gets no stop token
 *     before it holds this many tokens (0: no minimum)
 * @param minNewTokens no stop token among the first this many new tokens (0: no minimum)
 * @param noRepeatNgramSize no n-gram of this size occurs twice in a row (0: off)
 * @param forcedBosTokenId the first token after a one-token prompt (an encoder-decoder's start
 *     token) is this one (-1: none)
 * @param forcedEosTokenId the last token a row has room for is this one (-1: none)
 * @param earlyStopping when beam search ends (Hugging Face's {@code early_stopping})
 */
public record GenerationConfig(
    int maxNewTokens,
    int maxLength,
    boolean doSample,
    float temperature,
    int topK,
    float topP,
    float repetitionPenalty,
    int[] stopTokens,
    int numBeams,
    float lengthPenalty,
    int padTokenId,
    long seed,
    int vocabularyLimit,
    int minLength,
    int minNewTokens,
    int noRepeatNgramSize,
    int forcedBosTokenId,
    int forcedEosTokenId,
    EarlyStopping earlyStopping) {

  /**
   * When beam search stops, as Hugging Face's {@code early_stopping}: {@code TRUE} as soon as
   * each prompt has {@code numBeams} finished hypotheses; {@code FALSE} also when the best
   * running beam, scored at its current length, cannot beat the worst finished one; {@code
   * NEVER} only when no running beam can beat it even at the maximum length (with a positive
   * length penalty), the canonical beam search.
   */
  public enum EarlyStopping {
    /** Stop as soon as there are {@code numBeams} finished hypotheses. */
    TRUE,
    /** Hugging Face's heuristic: stop when the best running beam at its length cannot win. */
    FALSE,
    /** Stop only when no running beam can win at any length. */
    NEVER
  }

  /** Validates every field, naming it. */
  public GenerationConfig {
    if (maxNewTokens < 0) {
      throw new IllegalArgumentException("max_new_tokens must be >= 0, got " + maxNewTokens);
    }
    if (maxLength < 0) {
      throw new IllegalArgumentException("max_length must be >= 0, got " + maxLength);
    }
    if (!(temperature > 0f) || Float.isInfinite(temperature)) {
      throw new IllegalArgumentException("temperature must be > 0 and finite, got " + temperature);
    }
    if (topK < 0) {
      throw new IllegalArgumentException("top_k must be >= 0, got " + topK);
    }
    if (!(topP > 0f && topP <= 1f)) {
      throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
    }
    if (!(repetitionPenalty > 0f)) {
      throw new IllegalArgumentException("repetition_penalty must be > 0, got " + repetitionPenalty);
    }
    if (numBeams < 1) {
      throw new IllegalArgumentException("num_beams must be >= 1, got " + numBeams);
    }
    if (numBeams > 1 && doSample) {
      throw new IllegalArgumentException("num_beams > 1 with do_sample is not supported");
    }
    if (vocabularyLimit < 0) {
      throw new IllegalArgumentException("vocabulary limit must be >= 0, got " + vocabularyLimit);
    }
    if (minLength < 0) {
      throw new IllegalArgumentException("min_length must be >= 0, got " + minLength);
    }
    if (minNewTokens < 0) {
      throw new IllegalArgumentException("min_new_tokens must be >= 0, got " + minNewTokens);
    }
    if (noRepeatNgramSize < 0) {
      throw new IllegalArgumentException(
          "no_repeat_ngram_size must be >= 0, got " + noRepeatNgramSize);
    }
    if (forcedBosTokenId < -1) {
      throw new IllegalArgumentException(
          "forced_bos_token_id must be a token id or -1 (none), got " + forcedBosTokenId);
    }
    if (forcedEosTokenId < -1) {
      throw new IllegalArgumentException(
          "forced_eos_token_id must be a token id or -1 (none), got " + forcedEosTokenId);
    }
    if (!Float.isFinite(lengthPenalty)) {
      throw new IllegalArgumentException("length_penalty must be finite, got " + lengthPenalty);
    }
    stopTokens = stopTokens == null ? new int[0] : stopTokens.clone();
    earlyStopping = earlyStopping == null ? EarlyStopping.TRUE : earlyStopping;
  }

  /** The first thirteen fields; no minimum length, no n-gram rule, nothing forced, early stopping. */
  public GenerationConfig(
      int maxNewTokens,
      int maxLength,
      boolean doSample,
      float temperature,
      int topK,
      float topP,
      float repetitionPenalty,
      int[] stopTokens,
      int numBeams,
      float lengthPenalty,
      int padTokenId,
      long seed,
      int vocabularyLimit) {
    this(maxNewTokens, maxLength, doSample, temperature, topK, topP, repetitionPenalty, stopTokens,
        numBeams, lengthPenalty, padTokenId, seed, vocabularyLimit, 0, 0, 0, -1, -1,
        EarlyStopping.TRUE);
  }

  private Builder edit() {
    return new Builder(this);
  }

  /** A mutable copy, for the {@code with} methods. */
  private static final class Builder {
    int maxNewTokens;
    int maxLength;
    boolean doSample;
    float temperature;
    int topK;
    float topP;
    float repetitionPenalty;
    int[] stopTokens;
    int numBeams;
    float lengthPenalty;
    int padTokenId;
    long seed;
    int vocabularyLimit;
    int minLength;
    int minNewTokens;
    int noRepeatNgramSize;
    int forcedBosTokenId;
    int forcedEosTokenId;
    EarlyStopping earlyStopping;

    Builder(GenerationConfig g) {
      maxNewTokens = g.maxNewTokens;
      maxLength = g.maxLength;
      doSample = g.doSample;
      temperature = g.temperature;
      topK = g.topK;
      topP = g.topP;
      repetitionPenalty = g.repetitionPenalty;
      stopTokens = g.stopTokens;
      numBeams = g.numBeams;
      lengthPenalty = g.lengthPenalty;
      padTokenId = g.padTokenId;
      seed = g.seed;
      vocabularyLimit = g.vocabularyLimit;
      minLength = g.minLength;
      minNewTokens = g.minNewTokens;
      noRepeatNgramSize = g.noRepeatNgramSize;
      forcedBosTokenId = g.forcedBosTokenId;
      forcedEosTokenId = g.forcedEosTokenId;
      earlyStopping = g.earlyStopping;
    }

    GenerationConfig build() {
      return new GenerationConfig(maxNewTokens, maxLength, doSample, temperature, topK, topP,
          repetitionPenalty, stopTokens, numBeams, lengthPenalty, padTokenId, seed,
          vocabularyLimit, minLength, minNewTokens, noRepeatNgramSize, forcedBosTokenId,
          forcedEosTokenId, earlyStopping);
    }
  }

  /** Generating only ids below {@code n} (0: all). */
  public GenerationConfig withVocabularyLimit(int n) {
    Builder b = edit();
    b.vocabularyLimit = n;
    return b.build();
  }

  /** Greedy decoding of up to {@code maxNewTokens} tokens. */
  public static GenerationConfig greedy(int maxNewTokens) {
    return new GenerationConfig(
        maxNewTokens, 0, false, 1f, 0, 1f, 1f, new int[0], 1, 1f, 0, 0L, 0);
  }

  /** Sampling from the full distribution with {@code seed}. */
  public static GenerationConfig sampling(int maxNewTokens, long seed) {
    return new GenerationConfig(
        maxNewTokens, 0, true, 1f, 0, 1f, 1f, new int[0], 1, 1f, 0, seed, 0);
  }

  /** Beam search with {@code numBeams} beams, length penalty 1 and early stopping. */
  public static GenerationConfig beams(int maxNewTokens, int numBeams) {
    return new GenerationConfig(
        maxNewTokens, 0, false, 1f, 0, 1f, 1f, new int[0], numBeams, 1f, 0, 0L, 0);
  }

  /** With another budget of new tokens. */
  public GenerationConfig withMaxNewTokens(int n) {
    Builder b = edit();
    b.maxNewTokens = n;
    return b.build();
  }

  /** With a sampling temperature. */
  public GenerationConfig withTemperature(float t) {
    Builder b = edit();
    b.temperature = t;
    return b.build();
  }

  /** With top-k filtering. */
  public GenerationConfig withTopK(int k) {
    Builder b = edit();
    b.topK = k;
    return b.build();
  }

  /** With nucleus (top-p) filtering. */
  public GenerationConfig withTopP(float p) {
    Builder b = edit();
    b.topP = p;
    return b.build();
  }

  /** With a repetition penalty. */
  public GenerationConfig withRepetitionPenalty(float r) {
    Builder b = edit();
    b.repetitionPenalty = r;
    return b.build();
  }

  /** With stop tokens. */
  public GenerationConfig withStopTokens(int... tokens) {
    Builder b = edit();
    b.stopTokens = tokens;
    return b.build();
  }

  /** With a cap on the total row length. */
  public GenerationConfig withMaxLength(int n) {
    Builder b = edit();
    b.maxLength = n;
    return b.build();
  }

  /** With a beam length penalty. */
  public GenerationConfig withLengthPenalty(float a) {
    Builder b = edit();
    b.lengthPenalty = a;
    return b.build();
  }

  /** With the id that fills padding and stopped rows. */
  public GenerationConfig withPadTokenId(int id) {
    Builder b = edit();
    b.padTokenId = id;
    return b.build();
  }

  /** With another sampling seed. */
  public GenerationConfig withSeed(long s) {
    Builder b = edit();
    b.seed = s;
    return b.build();
  }

  /** With a minimum row length (prompt included) and a minimum number of new tokens. */
  public GenerationConfig withMinLength(int minLength, int minNewTokens) {
    Builder b = edit();
    b.minLength = minLength;
    b.minNewTokens = minNewTokens;
    return b.build();
  }

  /** With no repeated n-gram of size {@code n} (0: off). */
  public GenerationConfig withNoRepeatNgramSize(int n) {
    Builder b = edit();
    b.noRepeatNgramSize = n;
    return b.build();
  }

  /** With forced first and last tokens (-1: none). */
  public GenerationConfig withForcedTokens(int bos, int eos) {
    Builder b = edit();
    b.forcedBosTokenId = bos;
    b.forcedEosTokenId = eos;
    return b.build();
  }

  /** With another beam-search stopping rule. */
  public GenerationConfig withEarlyStopping(EarlyStopping e) {
    Builder b = edit();
    b.earlyStopping = e;
    return b.build();
  }

  /** Whether {@code token} ends a row. */
  public boolean isStop(int token) {
    for (int s : stopTokens) {
      if (s == token) {
        return true;
      }
    }
    return false;
  }

  /** The stop tokens (a copy). */
  @Override
  public int[] stopTokens() {
    return stopTokens.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GenerationConfig g
        && g.maxNewTokens == maxNewTokens && g.maxLength == maxLength && g.doSample == doSample
        && g.temperature == temperature && g.topK == topK && g.topP == topP
        && g.repetitionPenalty == repetitionPenalty && Arrays.equals(g.stopTokens, stopTokens)
        && g.numBeams == numBeams && g.lengthPenalty == lengthPenalty
        && g.padTokenId == padTokenId && g.seed == seed && g.vocabularyLimit == vocabularyLimit
        && g.minLength == minLength && g.minNewTokens == minNewTokens
        && g.noRepeatNgramSize == noRepeatNgramSize && g.forcedBosTokenId == forcedBosTokenId
        && g.forcedEosTokenId == forcedEosTokenId && g.earlyStopping == earlyStopping;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(stopTokens) * 31 + Long.hashCode(seed) + maxNewTokens;
  }

  @Override
  public String toString() {
    return "GenerationConfig[max_new_tokens=" + maxNewTokens + ", max_length=" + maxLength
        + ", do_sample=" + doSample + ", temperature=" + temperature + ", top_k=" + topK
        + ", top_p=" + topP + ", repetition_penalty=" + repetitionPenalty + ", stop="
        + Arrays.toString(stopTokens) + ", num_beams=" + numBeams + ", length_penalty="
        + lengthPenalty + ", seed=" + seed + ", min_length=" + minLength + ", min_new_tokens="
        + minNewTokens + ", no_repeat_ngram_size=" + noRepeatNgramSize + ", forced_bos="
        + forcedBosTokenId + ", forced_eos=" + forcedEosTokenId + ", early_stopping="
        + earlyStopping + "]";
  }
}
