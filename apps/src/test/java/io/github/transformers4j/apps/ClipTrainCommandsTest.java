package io.github.transformers4j.apps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code t4j clip synth}, {@code t4j clip train} (a few steps of a tiny model over the built-in
 * CLIP vocabulary) and {@code t4j clip eval} end to end, and their one-line errors.
 */
class ClipTrainCommandsTest {
  @TempDir Path dir;

  static final String[] CPU = {"--backend", "cpu", "--threads", "1"};

  @Test
  void synthTrainEmbedAndEvalAFewSteps() throws Exception {
    Path data = dir.resolve("shapes");
    Cli.Run synth =
        Cli.runInstalled("clip", "synth", "--output", data.toString(), "--n", "40", "--seed", "4");
    assertEquals(0, synth.code(), synth::toString);
    assertTrue(synth.out().contains("40 training and 90 test images"), synth::toString);
    assertTrue(synth.out().contains("held out: green triangle, white circle"), synth::toString);
    Path out = dir.resolve("model");
    Cli.Run train =
        Cli.runInstalled(
            TrainingCommandsTest.concat(
                CPU, "clip", "train", "--data", data.toString(), "--output", out.toString(),
                "--image-size", "16", "--patch", "8", "--width", "16", "--layers", "1", "--heads",
                "2", "--projection", "8", "--batch", "8", "--steps", "3", "--eval-every", "2"));
    assertEquals(0, train.code(), train::toString);
    assertTrue(train.out().startsWith("done at step 3: val loss "), train::toString);
    assertTrue(train.out().contains("zero-shot held-out"), train::toString);
    for (String f :
        new String[] {
          "config.json", "model.safetensors", "preprocessor_config.json", "tokenizer.json",
          "tokenizer_config.json", "metrics.jsonl", "loss.png", "recipe.json"
        }) {
      assertTrue(Files.isRegularFile(out.resolve(f)), f);
    }
    Cli.Run embed =
        Cli.runInstalled(
            TrainingCommandsTest.concat(
                CPU, "clip", "embed", "--model", out.toString(), "--image",
                data.resolve("images/test/000000.png").toString(), "--text", "a red circle"));
    assertEquals(0, embed.code(), embed::toString);
    assertEquals(2, embed.out().lines().count(), embed::toString);
    Cli.Run eval =
        Cli.runInstalled(
            TrainingCommandsTest.concat(
                CPU, "clip", "eval", "--model", out.toString(), "--data", data.toString(), "--json"));
    assertEquals(0, eval.code(), eval::toString);
    JsonObject o = JsonParser.parseString(eval.out()).getAsJsonObject();
    assertEquals(10, o.get("zero_shot_held_out_images").getAsInt()); // 2 combinations x 5
    assertEquals(80, o.get("zero_shot_seen_images").getAsInt());
    assertEquals(90, o.get("test_pairs").getAsInt());
    double r5 = o.get("image_to_text_recall@5").getAsDouble();
    assertTrue(r5 >= o.get("image_to_text_recall@1").getAsDouble() && r5 <= 1, eval::toString);
    // Resuming the finished run trains nothing more and keeps its step.
    Cli.Run again =
        Cli.runInstalled(
            TrainingCommandsTest.concat(
                CPU, "clip", "train", "--data", data.toString(), "--output", out.toString(),
                "--image-size", "16", "--patch", "8", "--width", "16", "--layers", "1", "--heads",
                "2", "--projection", "8", "--batch", "8", "--steps", "3", "--eval-every", "2",
                "--resume"));
    assertEquals(0, again.code(), again::toString);
    assertTrue(again.out().startsWith("done at step 3"), again::toString);
  }

  @Test
  void badInputsGiveOneLine() throws Exception {
    Cli.Run r = Cli.runInstalled("clip", "synth", "--output", dir.resolve("x").toString(), "--holdout", "purple cube");
    assertEquals(1, r.code(), r::toString);
    assertEquals(
        "t4j: --holdout: 'purple cube' is not a color-shape combination: expected '<color> <shape>'"
            + " with a color of red, green, blue, yellow, white, black and a shape of circle,"
            + " square, triangle",
        r.errorLines().get(0));
    String[][] shares = {
      {"--palette-backgrounds", "1.5", "--palette-backgrounds must be a share between 0 and 1, got 1.5"},
      {"--unnamed-colors", "1", "--unnamed-colors must be a share from 0 to below 1, got 1.0"}
    };
    for (String[] c : shares) {
      r = Cli.runInstalled("clip", "synth", "--output", dir.resolve("x").toString(), c[0], c[1]);
      assertEquals(2, r.code(), r::toString);
      assertTrue(r.errorLines().get(0).contains(c[2]), r::toString);
    }
    r =
        Cli.runInstalled(
            "clip", "train", "--data", dir.resolve("none").toString(), "--output",
            dir.resolve("m").toString());
    assertEquals(1, r.code(), r::toString);
    assertTrue(r.errorLines().get(0).contains("--data " + dir.resolve("none") + " does not exist"), r::toString);
    Path bad = Files.createDirectories(dir.resolve("bad"));
    Files.writeString(bad.resolve("train.csv"), "filepath\tcaption\nmissing.png\ta red circle\nmissing2.png\ta blue square\n");
    r =
        Cli.runInstalled(
            TrainingCommandsTest.concat(
                CPU, "clip", "train", "--data", bad.toString(), "--output", dir.resolve("m").toString(),
                "--image-size", "16", "--patch", "8", "--width", "16", "--layers", "1", "--heads", "2",
                "--batch", "2", "--steps", "1"));
    assertEquals(1, r.code(), r::toString);
    assertTrue(r.errorLines().get(0).matches("t4j: train.csv:[23]: image .*missing2?\\.png.*"), r::toString);
    assertTrue(!Files.exists(dir.resolve("m")), "a failed run leaves no folder");
    r = Cli.runInstalled("clip", "train", "--data", bad.toString(), "--output", dir.resolve("m").toString(), "--image-size", "60");
    assertEquals(2, r.code(), r::toString);
    assertTrue(r.err().contains("--image-size 60 must be a positive multiple of --patch 8"), r::toString);
  }
}
