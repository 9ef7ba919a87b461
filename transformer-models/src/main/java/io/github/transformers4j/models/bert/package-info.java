/**
 * The encoder-only family, BERT (Devlin et al. 2019): token, position and segment embeddings,
 * post-LN blocks of bidirectional self-attention and a GELU feed-forward network; heads for masked
 * language modelling, sequence classification and token classification; CLS and mean pooling.
 * Parameter names are Hugging Face's, so BERT checkpoints load name for name.
 */
package io.github.transformers4j.models.bert;
