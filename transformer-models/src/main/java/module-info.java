/**
 * The transformer itself: layers (embeddings, positional encodings, attention, feed-forward,
 * normalization), the encoder, decoder and encoder-decoder families, generation and weight
 * formats. Layers compute through {@code io.github.transformers4j.api.Ops}, never through a
 * concrete backend.
 */
module io.github.transformers4j.models {
  requires transitive io.github.transformers4j.api;
  requires com.google.gson;

  exports io.github.transformers4j.models.nn;
  exports io.github.transformers4j.models.layers;
  exports io.github.transformers4j.models.config;
  exports io.github.transformers4j.models.generation;
  exports io.github.transformers4j.models.gpt;
  exports io.github.transformers4j.models.bert;
  exports io.github.transformers4j.models.opt;
  exports io.github.transformers4j.models.seq2seq;
  exports io.github.transformers4j.models.t5;
  exports io.github.transformers4j.models.weights;
  exports io.github.transformers4j.models.pretrained;
  exports io.github.transformers4j.models.tasks;
  exports io.github.transformers4j.models.rnn;
  exports io.github.transformers4j.models.chat;
  exports io.github.transformers4j.models.embedding;

  uses io.github.transformers4j.models.embedding.TextEmbeddingProvider;

  provides io.github.transformers4j.models.embedding.TextEmbeddingProvider with
      io.github.transformers4j.models.bert.SentenceEmbeddingProvider;
  provides io.github.transformers4j.api.spi.AttentionProvider with
      io.github.transformers4j.models.layers.SdpaAttention,
      io.github.transformers4j.models.layers.EagerAttention;
  provides io.github.transformers4j.api.spi.LayerProvider with
      io.github.transformers4j.models.layers.LayerNormProvider,
      io.github.transformers4j.models.layers.RmsNormProvider;
  provides io.github.transformers4j.api.spi.ArchitectureProvider with
      io.github.transformers4j.models.gpt.Gpt2Provider,
      io.github.transformers4j.models.bert.BertProvider,
      io.github.transformers4j.models.bert.RobertaProvider,
      io.github.transformers4j.models.bert.ElectraProvider,
      io.github.transformers4j.models.opt.OptProvider,
      io.github.transformers4j.models.seq2seq.TransformerProvider,
      io.github.transformers4j.models.seq2seq.BartProvider,
      io.github.transformers4j.models.seq2seq.PegasusProvider,
      io.github.transformers4j.models.seq2seq.MarianProvider,
      io.github.transformers4j.models.t5.T5Provider,
      io.github.transformers4j.models.t5.MT5Provider,
      io.github.transformers4j.models.seq2seq.T4jTransformerProvider,
      io.github.transformers4j.models.rnn.RecurrentLmProvider,
      io.github.transformers4j.models.rnn.RecurrentSeq2SeqProvider;
}
