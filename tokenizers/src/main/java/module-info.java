/**
 * Tokenizers built on Lucene analyzers: normalizers, pre-tokenizers, byte-level BPE, WordPiece and
 * Unigram models, Hugging Face {@code tokenizer.json} compatibility and vocabulary trainers.
 */
module io.github.transformers4j.tokenizers {
  requires transitive io.github.transformers4j.api;
  requires org.apache.lucene.core;
  requires org.apache.lucene.analysis.common;
  requires org.apache.lucene.analysis.nori;
  requires com.google.gson;

  // exports io.github.transformers4j.tokenizers once the issue that fills it lands (an empty package cannot be exported).
}
