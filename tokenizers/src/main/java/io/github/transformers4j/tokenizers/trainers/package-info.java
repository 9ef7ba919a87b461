/**
 * Trainers: BPE (byte-level or on Lucene pre-tokenizers, Korean through Nori), WordPiece and
 * Unigram (SentencePiece's EM, Metaspace words), over text files or a stream of lines;
 * deterministic, with progress reports.
 */
package io.github.transformers4j.tokenizers.trainers;
