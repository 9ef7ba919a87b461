/**
 * Normalizers: Unicode forms, lowercase, accent stripping, BERT's clean-text and CJK spacing,
 * replacement, stripping and SentencePiece's precompiled character maps, each keeping the
 * alignment to the original text.
 */
package io.github.transformers4j.tokenizers.normalizers;
