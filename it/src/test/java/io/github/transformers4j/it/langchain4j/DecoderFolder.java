package io.github.transformers4j.it.langchain4j;

import io.github.transformers4j.api.testing.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A Hugging Face GPT-2 folder with text in and out: tiny-random-gpt2 (vocabulary 1000) with the
 * real GPT-2 {@code tokenizer.json}, whose ids below 1000 are the common short words, so prompts
 * of such words fit the model.
 */
final class DecoderFolder {
  private DecoderFolder() {}

  static Path write(Path dir) throws IOException {
    Path model = SharedData.require("models/tiny-random-gpt2");
    Files.createDirectories(dir);
    Files.copy(model.resolve("config.json"), dir.resolve("config.json"));
    Files.copy(model.resolve("model.safetensors"), dir.resolve("model.safetensors"));
    Files.copy(
        SharedData.require("tokenizers/gpt2/tokenizer.json"), dir.resolve("tokenizer.json"));
    return dir;
  }
}
