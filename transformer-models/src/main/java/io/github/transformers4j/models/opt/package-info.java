/**
 * OPT (Zhang et al. 2022), Meta's decoder-only family: learned positions offset by 2, token
 * embeddings that may be narrower than the hidden width ({@code project_in} / {@code project_out}),
 * pre-LN blocks (post-LN in the 350m model) with ReLU feed-forwards, and an output tied to the
 * token embeddings. Parameter names are Hugging Face's {@code OPTForCausalLM} names.
 */
package io.github.transformers4j.models.opt;
