/** The built-in objective providers (clm, mlm, seq2seq, classify, tokens). */
package io.github.transformers4j.training.objectives.builtin;
