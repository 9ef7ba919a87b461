package io.github.transformers4j.spark.ml;

import io.github.transformers4j.api.testing.SharedData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Model folders for the tests, assembled once per JVM under {@code target/}: the tiny Hugging Face
 * models of {@code testdata/models/hf-tiny} with the WordPiece tokenizer of its {@code pipelines/}
 * (1,000 ids, the models' vocabulary), and the CLIP folder as it is.
 */
final class Folders {
  private Folders() {}

  private static final Path ROOT = Path.of("target", "spark-test-models").toAbsolutePath();

  /** RoBERTa (bert family) for sentence embeddings. */
  static Path roberta() {
    return wordPiece("roberta");
  }

  /** RoBERTa with a three-label classification head (negative, neutral, positive). */
  static Path robertaSeqCls() {
    return wordPiece("roberta-seqcls");
  }

  /** OPT, a decoder for generation. */
  static Path opt() {
    return wordPiece("opt");
  }

  /** The tiny CLIP with its tokenizer, image processor and three pictures. */
  static Path clip() {
    return SharedData.require("models/hf-tiny/clip");
  }

  private static synchronized Path wordPiece(String model) {
    Path dir = ROOT.resolve(model);
    if (Files.isRegularFile(dir.resolve("tokenizer_config.json"))) {
      return dir;
    }
    try {
      Files.createDirectories(dir);
      Path tiny = SharedData.require("models/hf-tiny");
      copy(tiny.resolve(model).resolve("config.json"), dir.resolve("config.json"));
      copy(tiny.resolve(model).resolve("model.safetensors"), dir.resolve("model.safetensors"));
      copy(tiny.resolve("pipelines/wordpiece-tokenizer.json"), dir.resolve("tokenizer.json"));
      // Last: its presence marks a complete folder.
      copy(
          tiny.resolve("pipelines/wordpiece-tokenizer_config.json"),
          dir.resolve("tokenizer_config.json"));
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void copy(Path from, Path to) throws IOException {
    Files.copy(from, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }
}
