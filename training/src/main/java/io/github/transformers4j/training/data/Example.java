package io.github.transformers4j.training.data;

/**
 * One tokenized training example: input ids and, depending on the task, target ids (seq2seq), one
 * label (sequence classification, a length-1 target) or one label per input token (token
 * classification, -100 where none applies).
 *
 * @param input input ids
 * @param target target ids or labels; may be empty for language modelling
 */
public record Example(int[] input, int[] target) {}
