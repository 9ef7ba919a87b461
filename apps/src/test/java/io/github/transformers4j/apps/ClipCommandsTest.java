package io.github.transformers4j.apps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.transformers4j.api.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code t4j clip embed} and {@code t4j clip zero-shot} on the Hugging Face CLIP fixture: the
 * printed embeddings are HF's {@code image_embeds} / {@code text_embeds} (1e-4), the zero-shot
 * scores the softmax of HF's {@code logits_per_image}, and mistakes give one line.
 */
class ClipCommandsTest {
  static final double EMBED_TOLERANCE = 1e-4;
  // Probabilities from logits that HF's match within 1e-3: a softmax moves by at most that much.
  static final double SCORE_TOLERANCE = 1e-3;

  @TempDir Path dir;

  static Path fixture() {
    return SharedData.require("models/hf-tiny/clip/config.json").getParent();
  }

  static JsonObject expected() throws Exception {
    return JsonParser.parseString(Files.readString(fixture().resolve("expected_outputs.json")))
        .getAsJsonObject().getAsJsonArray("cases").get(0).getAsJsonObject();
  }

  static float[][] rows(JsonElement e) {
    JsonArray a = e.getAsJsonArray();
    float[][] out = new float[a.size()][];
    for (int i = 0; i < out.length; i++) {
      JsonArray r = a.get(i).getAsJsonArray();
      out[i] = new float[r.size()];
      for (int j = 0; j < r.size(); j++) {
        out[i][j] = r.get(j).getAsFloat();
      }
    }
    return out;
  }

  static float[][] printed(Cli.Run run) {
    assertEquals(0, run.code(), run.err());
    List<float[]> out = new ArrayList<>();
    for (String line : run.out().lines().toList()) {
      JsonArray a = JsonParser.parseString(line).getAsJsonArray();
      float[] v = new float[a.size()];
      for (int i = 0; i < v.length; i++) {
        v[i] = a.get(i).getAsFloat();
      }
      out.add(v);
    }
    return out.toArray(new float[0][]);
  }

  static double maxDiff(float[] a, float[] b) {
    assertEquals(a.length, b.length);
    double d = 0;
    for (int i = 0; i < a.length; i++) {
      d = Math.max(d, Math.abs(a[i] - b[i]));
    }
    return d;
  }

  @Test
  void embedTallPngPrintsTheFixturesSecondImageEmbedsRow() throws Exception {
    // The done-when check.
    float[][] got =
        printed(Cli.runInstalled("clip", "embed", "--model", fixture().toString(),
            "--image", fixture().resolve("tall.png").toString()));
    assertEquals(1, got.length);
    double d = maxDiff(rows(expected().get("image_embeds"))[1], got[0]);
    assertTrue(d <= EMBED_TOLERANCE, "tall.png embedding differs from HF's by " + d);
  }

  @Test
  void embedPrintsImagesFirstThenTextsEachInOrder() throws Exception {
    JsonObject c = expected();
    List<String> args = new ArrayList<>(List.of("--backend", "cpu", "clip", "embed", "--model",
        fixture().toString()));
    JsonArray texts = c.getAsJsonArray("texts");
    // Texts given before images on the command line still come out after them.
    for (JsonElement t : texts) {
      args.add("--text");
      args.add(t.getAsString());
    }
    for (JsonElement i : c.getAsJsonArray("images")) {
      args.add("--image");
      args.add(fixture().resolve(i.getAsString()).toString());
    }
    float[][] got = printed(Cli.runInstalled(args.toArray(new String[0])));
    float[][] images = rows(c.get("image_embeds"));
    float[][] textEmbeds = rows(c.get("text_embeds"));
    assertEquals(images.length + textEmbeds.length, got.length);
    for (int i = 0; i < images.length; i++) {
      assertTrue(maxDiff(images[i], got[i]) <= EMBED_TOLERANCE, "image " + i);
    }
    for (int t = 0; t < textEmbeds.length; t++) {
      assertTrue(maxDiff(textEmbeds[t], got[images.length + t]) <= EMBED_TOLERANCE, "text " + t);
    }
    double norm = 0;
    for (float x : got[0]) {
      norm += x * x;
    }
    assertEquals(1.0, norm, 1e-5, "L2-normalized");
  }

  @Test
  void folderWithoutTokenizerFilesUsesTheBuiltInVocabulary() throws Exception {
    for (String f : List.of("config.json", "model.safetensors", "preprocessor_config.json")) {
      Files.copy(fixture().resolve(f), dir.resolve(f));
    }
    String text = expected().getAsJsonArray("texts").get(1).getAsString();
    float[][] got = printed(Cli.runInstalled("clip", "embed", "--model", dir.toString(), "--text", text));
    assertTrue(maxDiff(rows(expected().get("text_embeds"))[1], got[0]) <= EMBED_TOLERANCE);
  }

  @Test
  void zeroShotScoresAreTheSoftmaxOfHuggingFaceLogits() throws Exception {
    JsonObject c = expected();
    List<String> labels = new ArrayList<>();
    for (JsonElement t : c.getAsJsonArray("texts")) {
      labels.add(t.getAsString());
    }
    List<String> images = new ArrayList<>();
    for (JsonElement i : c.getAsJsonArray("images")) {
      images.add(fixture().resolve(i.getAsString()).toString());
    }
    List<String> args = new ArrayList<>(List.of("clip", "zero-shot", "--model", fixture().toString(),
        "--labels", String.join(",", labels), "--template", "{}"));
    args.addAll(images);
    Cli.Run run = Cli.runInstalled(args.toArray(new String[0]));
    assertEquals(0, run.code(), run.err());
    List<String> lines = run.out().lines().toList();
    assertEquals(images.size(), lines.size());
    float[][] logits = rows(c.get("logits_per_image"));
    for (int i = 0; i < lines.size(); i++) {
      JsonObject o = JsonParser.parseString(lines.get(i)).getAsJsonObject();
      assertEquals(List.of("image", "label", "scores"), new ArrayList<>(o.keySet()));
      assertEquals(images.get(i), o.get("image").getAsString(), "the path as given");
      JsonObject scores = o.getAsJsonObject("scores");
      assertEquals(labels, new ArrayList<>(scores.keySet()), "labels in --labels order");
      double max = Double.NEGATIVE_INFINITY;
      for (float l : logits[i]) {
        max = Math.max(max, l);
      }
      double sum = 0;
      for (float l : logits[i]) {
        sum += Math.exp(l - max);
      }
      int best = 0;
      for (int l = 0; l < labels.size(); l++) {
        double want = Math.exp(logits[i][l] - max) / sum;
        double got = scores.get(labels.get(l)).getAsDouble();
        assertEquals(want, got, SCORE_TOLERANCE, "image " + i + " label " + labels.get(l));
        best = logits[i][l] > logits[i][best] ? l : best;
      }
      assertEquals(labels.get(best), o.get("label").getAsString());
    }
  }

  @Test
  void zeroShotDefaultTemplateAndPromptEnsemble() throws Exception {
    String image = fixture().resolve("red-scene.png").toString();
    Cli.Run plain = Cli.runInstalled("clip", "zero-shot", "--model", fixture().toString(),
        "--labels", "cat, dog", image);
    Cli.Run explicit = Cli.runInstalled("clip", "zero-shot", "--model", fixture().toString(),
        "--labels", "cat,dog", "--template", "a photo of a {}.", image);
    assertEquals(0, plain.code(), plain.err());
    assertEquals(explicit.out(), plain.out(), "the default template is \"a photo of a {}.\"; labels trimmed");
    Cli.Run ensemble = Cli.runInstalled("clip", "zero-shot", "--model", fixture().toString(),
        "--labels", "cat,dog", "--template", "a photo of a {}.", "--template", "a drawing of a {}", image);
    assertEquals(0, ensemble.code(), ensemble.err());
    assertNotEquals(plain.out(), ensemble.out(), "a second template changes the label embeddings");
    JsonObject s = JsonParser.parseString(ensemble.out().strip()).getAsJsonObject().getAsJsonObject("scores");
    assertEquals(1.0, s.get("cat").getAsDouble() + s.get("dog").getAsDouble(), 1e-6);
  }

  @Test
  void mistakesGiveOneClearLine() throws Exception {
    String model = fixture().toString();
    Path notClip = SharedData.require("models/hf-tiny/roberta/config.json").getParent();
    Path badImage = SharedData.require("images/clip/not-an-image.png");
    Object[][] cases = {
      {new String[] {"clip", "embed", "--model", model}, "nothing to embed"},
      {new String[] {"clip", "embed", "--model", dir.resolve("nope").toString(), "--text", "a"},
          "no such folder"},
      {new String[] {"clip", "embed", "--model", notClip.toString(), "--text", "a"},
          "is not a CLIP folder: config.json has model_type roberta"},
      {new String[] {"clip", "embed", "--model", model, "--image", badImage.toString()},
          badImage + ": not a PNG, JPEG, BMP or GIF image"},
      {new String[] {"clip", "embed", "--model", model, "--image", dir.resolve("x.png").toString()},
          "x.png: no such file (expected a PNG, JPEG, BMP or GIF image)"},
      {new String[] {"clip", "zero-shot", "--model", model, "--labels", "a,b"}, "no images"},
      {new String[] {"clip", "zero-shot", "--model", model, "--labels", "a,,b", badImage.toString()},
          "has an empty label"},
      {new String[] {"clip", "zero-shot", "--model", model, "--labels", "a,b", "--template", "x",
          badImage.toString()}, "has no {} where the label goes"},
      {new String[] {"clip", "zero-shot", "--model", model, "--labels", "a,b", badImage.toString()},
          "not a PNG, JPEG, BMP or GIF image"},
    };
    for (Object[] c : cases) {
      String[] args = (String[]) c[0];
      Cli.Run run = Cli.runInstalled(args);
      String what = String.join(" ", args);
      assertNotEquals(0, run.code(), what);
      assertTrue(run.err().contains((String) c[1]), what + " -> " + run.err());
      assertEquals(1, run.err().strip().lines().count(), what + " -> " + run.err());
      assertFalse(run.err().contains("Exception"), run.err());
    }
  }
}
