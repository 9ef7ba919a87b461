/**
 * Training objectives (causal LM, masked LM, sequence-to-sequence, sequence and token
 * classification) and the model shapes they train ({@link
 * io.github.transformers4j.training.objectives.TokenModel}, ...).
 */
package io.github.transformers4j.training.objectives;
