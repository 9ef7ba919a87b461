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
    int vocabularyLimit) {

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
    stopTokens = stopTokens == null ? new int[0] : stopTokens.clone();
  }

  /** Generating only ids below {@code n} (0: all). */
  public GenerationConfig withVocabularyLimit(int n) {
    return new GenerationConfig(maxNewTokens, maxLength, doSample, temperature, topK, topP,
        repetitionPenalty, stopTokens, numBeams, lengthPenalty, padTokenId, seed, n);
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

  /** Beam search with {@code numBeams} beams and length penalty 1. */
  public static GenerationConfig beams(int maxNewTokens, int numBeams) {
    return new GenerationConfig(
        maxNewTokens, 0, false, 1f, 0, 1f, 1f, new int[0], numBeams, 1f, 0, 0L, 0);
  }

  /** With a sampling temperature. */
  public GenerationConfig withTemperature(float t) {
    return new GenerationConfig(maxNewTokens, maxLength, doSample, t, topK, topP,
        repetitionPenalty, stopTokens, numBeams, lengthPenalty, padTokenId, seed, vocabularyLimit);
  }

  /** With top-k filtering. */
  public GenerationConfig withTopK(int k) {
    return new GenerationConfig(maxNewTokens, maxLength, doSample, temperature, k, topP,
        repetitionPenalty, stopTokens, numBeams, lengthPenalty, padTokenId, seed, vocabularyLimit);
  }

  /** With nucleus (top-p) filtering. */
  public GenerationConfig withTopP(float p) {
    return new GenerationConfig(maxNewTokens, maxLength, doSample, temperature, topK, p,
        repetitionPenalty, stopTokens, numBeams, lengthPenalty, padTokenId, seed, vocabularyLimit);
  }

  /** With a repetition penalty. */
  public GenerationConfig withRepetitionPenalty(float r) {
    return new GenerationConfig(maxNewTokens, maxLength, doSample, temperature, topK, topP, r,
        stopTokens, numBeams, lengthPenalty, padTokenId, seed, vocabularyLimit);
  }

  /** With stop tokens. */
  public GenerationConfig withStopTokens(int... tokens) {
    return new GenerationConfig(maxNewTokens, maxLength, doSample, temperature, topK, topP,
        repetitionPenalty, tokens, numBeams, lengthPenalty, padTokenId, seed, vocabularyLimit);
  }

  /** With a cap on the total row length. */
  public GenerationConfig withMaxLength(int n) {
    return new GenerationConfig(maxNewTokens, n, doSample, temperature, topK, topP,
        repetitionPenalty, stopTokens, numBeams, lengthPenalty, padTokenId, seed, vocabularyLimit);
  }

  /** With a beam length penalty. */
  public GenerationConfig withLengthPenalty(float a) {
    return new GenerationConfig(maxNewTokens, maxLength, doSample, temperature, topK, topP,
        repetitionPenalty, stopTokens, numBeams, a, padTokenId, seed, vocabularyLimit);
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
        && g.padTokenId == padTokenId && g.seed == seed;
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
        + lengthPenalty + ", seed=" + seed + "]";
  }
}
