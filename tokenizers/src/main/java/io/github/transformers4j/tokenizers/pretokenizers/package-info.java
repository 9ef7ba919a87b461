/**
 * Pre-tokenizers: GPT-2's byte-level split (a hand-written scanner for its regex), BERT's
 * whitespace-and-punctuation split, regex splits, metaspace, digits, and Lucene analyzers
 * (standard, whitespace, Korean through Nori, CJK bigrams); offsets survive all of them.
 */
package io.github.transformers4j.tokenizers.pretokenizers;
