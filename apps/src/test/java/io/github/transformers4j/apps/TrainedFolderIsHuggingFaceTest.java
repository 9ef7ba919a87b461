package io.github.transformers4j.apps;

import static io.github.transformers4j.apps.TrainingCommandsTest.concat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The root files of a {@code t4j train clm} folder are a Hugging Face GPT-2 folder on their own:
 * copied without {@code recipe.json} and {@code checkpoint/}, {@code t4j generate} reads them as
 * Hugging Face's (GPT-2 weights by their names, the WordLevel {@code tokenizer.json} through the
 * tokenizers module) and generates, greedily, exactly what the recipe's path gives.
 */
class TrainedFolderIsHuggingFaceTest {
  private static final String[] G = {"--backend", "cpu", "--threads", "1"};

  @TempDir Path dir;

  @Test
  void theRootFilesAloneGenerateTheSameGreedyText() throws IOException {
    Path text =
        Files.writeString(
            dir.resolve("t.txt"), "to be or not to be, that is the question.\n".repeat(20));
    Path out = dir.resolve("gpt");
    Cli.Run run =
        Cli.runInstalled(
            concat(
                concat(G, "train", "clm", "--data", text.toString(), "--output", out.toString()),
                TrainingCommandsTest.TINY));
    assertEquals(0, run.code(), run::toString);
    Path hf = Files.createDirectory(dir.resolve("hf"));
    for (String f :
        List.of(
            "config.json",
            "model.safetensors",
            "generation_config.json",
            "tokenizer.json",
            "tokenizer_config.json",
            "special_tokens_map.json")) {
      Files.copy(out.resolve(f), hf.resolve(f));
    }
    String[] ask = {"--prompt", "to be", "--greedy", "--max-new", "6"};
    Cli.Run ours = Cli.runInstalled(concat(concat(G, "generate", "--model", out.toString()), ask));
    Cli.Run theirs = Cli.runInstalled(concat(concat(G, "generate", "--model", hf.toString()), ask));
    assertEquals(0, ours.code(), ours::toString);
    assertEquals(0, theirs.code(), theirs::toString);
    assertTrue(ours.out().startsWith("to be") && ours.out().length() > "to be".length(), ours::toString);
    assertEquals(ours.out(), theirs.out());
  }
}
