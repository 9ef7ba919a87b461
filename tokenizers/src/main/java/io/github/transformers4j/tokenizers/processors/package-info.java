/**
 * Post-processors: templates such as {@code [CLS] $A [SEP] $B:1 [SEP]:1}, BERT's and RoBERTa's
 * fixed templates, and byte-level offset trimming.
 */
package io.github.transformers4j.tokenizers.processors;
