/**
 * Tokenizer files: Hugging Face {@code tokenizer.json} (load and save), GPT-2's {@code
 * encoder.json} + {@code vocab.bpe}, BERT's {@code vocab.txt}, SentencePiece {@code .model} (a
 * small protobuf reader, no protobuf library), CLIP's {@code bpe_simple_vocab_16e6.txt.gz}; file
 * type detection and atomic saving.
 */
package io.github.transformers4j.tokenizers.formats;
