/**
 * The data pipeline: readers (text, TSV/JSONL pairs, CoNLL), the char tokenizer, seeded splits and
 * shuffling, block sampling and padded batches with attention masks, atomic file writes.
 */
package io.github.transformers4j.training.data;
