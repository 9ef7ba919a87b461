/**
 * Models: byte-level and classic BPE (GPT-2, RoBERTa, CLIP's {@code </w>} variant), WordPiece
 * (BERT), Unigram (SentencePiece, with Viterbi and byte fallback) and character level.
 */
package io.github.transformers4j.tokenizers.models;
