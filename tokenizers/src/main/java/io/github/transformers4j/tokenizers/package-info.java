/**
 * Text to token ids and back, exactly as the reference tokenizers of each model family do it.
 *
 * <p>Filled by the tokenizers issue: the normalizer, pre-tokenizer, model, post-processor and
 * decoder pipeline; Lucene-based pre-tokenization (Korean through Nori); byte-level BPE, WordPiece
 * and Unigram; {@code tokenizer.json} loading and saving; trainers.
 */
package io.github.transformers4j.tokenizers;
