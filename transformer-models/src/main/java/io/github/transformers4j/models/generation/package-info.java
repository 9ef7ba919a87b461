/**
 * Text generation over a {@link io.github.transformers4j.models.generation.DecodingSession}:
 * greedy decoding, sampling (temperature, top-k, top-p, repetition penalty) with a seeded RNG,
 * beam search with length penalty, stop tokens, maximum length, a streaming callback per token,
 * and batches of prompts of different lengths (left padding).
 */
package io.github.transformers4j.models.generation;
