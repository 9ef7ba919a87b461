/** Decoders: byte-level, WordPiece, metaspace, BPE suffix, byte fallback, and simple rewrites. */
package io.github.transformers4j.tokenizers.decoders;
