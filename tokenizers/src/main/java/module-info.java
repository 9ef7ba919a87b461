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

  exports io.github.transformers4j.tokenizers;
  exports io.github.transformers4j.tokenizers.normalizers;
  exports io.github.transformers4j.tokenizers.pretokenizers;
  exports io.github.transformers4j.tokenizers.models;
  exports io.github.transformers4j.tokenizers.processors;
  exports io.github.transformers4j.tokenizers.decoders;
  exports io.github.transformers4j.tokenizers.formats;
  exports io.github.transformers4j.tokenizers.trainers;
  exports io.github.transformers4j.tokenizers.spi;

  provides io.github.transformers4j.api.spi.TokenizerProvider with
      io.github.transformers4j.tokenizers.spi.FileTokenizerProvider.Auto,
      io.github.transformers4j.tokenizers.spi.FileTokenizerProvider.HfJson,
      io.github.transformers4j.tokenizers.spi.FileTokenizerProvider.Gpt2,
      io.github.transformers4j.tokenizers.spi.FileTokenizerProvider.Bert,
      io.github.transformers4j.tokenizers.spi.FileTokenizerProvider.SentencePiece,
      io.github.transformers4j.tokenizers.spi.FileTokenizerProvider.Clip;
}
