/**
 * The decoder-only family, GPT-2 (Radford et al. 2019): pre-LN blocks of causal self-attention and
 * a GELU feed-forward network, learned absolute positions, a final LayerNorm and an LM head tied to
 * the token embedding. Parameter names are Hugging Face's, so GPT-2 checkpoints load name for name.
 */
package io.github.transformers4j.models.gpt;
