package io.github.transformers4j.models.tasks;

import io.github.transformers4j.api.spi.TextTokenizer;
import io.github.transformers4j.models.generation.GenerationConfig;
import io.github.transformers4j.models.generation.GenerationListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Hugging Face's {@code summarization} and {@code translation} pipelines over any {@link
 * Seq2SeqLm}: each text (after the task's prefix, such as T5's {@code "summarize: "}) is encoded,
 * generated from with the given settings (the folder's {@code generation_config.json} and the
 * task's parameters, see {@link TaskSettings}), and decoded without special tokens.
 */
public final class TextToText {
  private final Seq2SeqLm model;
  private final TextTokenizer tokenizer;
  private final String prefix;

  /** A pipeline adding {@code prefix} (may be empty) before each text. */
  public TextToText(Seq2SeqLm model, TextTokenizer tokenizer, String prefix) {
    this.model = Objects.requireNonNull(model, "model");
    this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
    this.prefix = prefix == null ? "" : prefix;
  }

  /** The output text of each input, generated together in one batch. */
  public List<String> generate(List<String> texts, GenerationConfig g) {
    int[][] sources = texts.stream().map(t -> tokenizer.encodeIds(prefix + t)).toArray(int[][]::new);
    int[][] outs = TextGeneration.generate(model, sources, g, GenerationListener.NONE);
    List<String> result = new ArrayList<>();
    for (int[] o : outs) {
      result.add(tokenizer.decodeIds(o, true).strip());
    }
    return result;
  }
}
