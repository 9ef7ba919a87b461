package io.github.transformers4j.it.parity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.registry.Backends;
import io.github.transformers4j.api.spi.BackendOptions;
import io.github.transformers4j.api.testing.SharedData;
import io.github.transformers4j.clip.ClipEmbedder;
import io.github.transformers4j.clip.ClipModel;
import io.github.transformers4j.clip.ClipTextInputs;
import io.github.transformers4j.clip.ClipTokenizers;
import io.github.transformers4j.clip.ZeroShot;
import io.github.transformers4j.clip.image.ClipImageProcessor;
import io.github.transformers4j.tokenizers.formats.BuiltInTokenizers;
import io.github.transformers4j.tokenizers.formats.ModelFolderTokenizer;
import io.github.transformers4j.training.data.Pixels;
import io.github.transformers4j.training.data.TextTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 11's parity, end to end: from the fixture's PNG files and texts, through this library's
 * CLIP tokenizer (the folder's {@code tokenizer.json}, and the built-in vocabulary) and its Pillow
 * preprocessing, to Hugging Face's {@code input_ids} (equal), {@code pixel_values} (1e-5), {@code
 * text_embeds} and {@code image_embeds} (1e-4) and {@code logits_per_image} (1e-3).
 */
class ClipEndToEndParityTest {
  static final double PIXEL_TOLERANCE = 1e-5;
  static final double EMBED_TOLERANCE = 1e-4;
  static final double LOGIT_TOLERANCE = 1e-3;

  static List<Float> flat(JsonElement e, List<Float> out) {
    if (e.isJsonArray()) {
      for (JsonElement x : e.getAsJsonArray()) {
        flat(x, out);
      }
    } else {
      out.add(e.getAsFloat());
    }
    return out;
  }

  static float[] floats(JsonElement e) {
    List<Float> l = flat(e, new ArrayList<>());
    float[] r = new float[l.size()];
    for (int i = 0; i < r.length; i++) {
      r[i] = l.get(i);
    }
    return r;
  }

  static double maxDiff(float[] a, float[] b) {
    assertEquals(a.length, b.length, "sizes");
    double d = 0;
    for (int i = 0; i < a.length; i++) {
      d = Math.max(d, Math.abs(a[i] - b[i]));
    }
    return d;
  }

  @Test
  void fromPngFilesAndTextsToHuggingFaceOutputs() throws Exception {
    Path dir = SharedData.require("models/hf-tiny/clip/expected_outputs.json").getParent();
    JsonObject c =
        JsonParser.parseString(Files.readString(dir.resolve("expected_outputs.json")))
            .getAsJsonObject().getAsJsonArray("cases").get(0).getAsJsonObject();
    List<String> texts = new ArrayList<>();
    for (JsonElement t : c.getAsJsonArray("texts")) {
      texts.add(t.getAsString());
    }
    List<Path> images = new ArrayList<>();
    for (JsonElement i : c.getAsJsonArray("images")) {
      images.add(dir.resolve(i.getAsString()));
    }
    try (ComputeBackend backend = Backends.installed().create("cpu", BackendOptions.none())) {
      Ops ops = new Ops(backend);
      ClipModel clip = ClipModel.load(ops, dir);
      int maxPositions = clip.config().text().maxPositionEmbeddings();

      // Tokenizer: the folder's tokenizer.json and the built-in vocabulary give HF's ids and mask.
      int[] wantIds = toInts(c.get("input_ids"));
      int[] wantMask = toInts(c.get("attention_mask"));
      TextTokenizer folderTok = ClipTokenizers.adapt(ModelFolderTokenizer.load(dir));
      TextTokenizer builtIn = ClipTokenizers.adapt(BuiltInTokenizers.clip());
      ClipTextInputs in = null;
      for (TextTokenizer tok : List.of(folderTok, builtIn)) {
        in = ClipTextInputs.encode(tok, texts, maxPositions);
        assertArrayEquals(wantIds, in.ids().data(), "input_ids");
        assertArrayEquals(wantMask, in.mask().data(), "attention_mask");
      }

      // Preprocessing: the folder's preprocessor_config.json on the PNG files.
      ClipImageProcessor processor = ClipImageProcessor.load(dir);
      Pixels px = processor.batch(images);
      double dp = maxDiff(floats(c.get("pixel_values")), px.data());

      Tensor ids = ops.ids(in.ids().data(), in.ids().rows(), in.ids().cols());
      Tensor mask = ops.ids(in.mask().data(), in.mask().rows(), in.mask().cols());
      Tensor text = clip.encodeText(ops, ids, mask);
      Tensor image = clip.encodeImage(ops, ops.tensor(px.data(), px.batch(), px.channels(), px.height(), px.width()));
      double dt = maxDiff(floats(c.get("text_embeds")), ClipModel.normalize(ops, text).toFloatArray());
      double di = maxDiff(floats(c.get("image_embeds")), ClipModel.normalize(ops, image).toFloatArray());
      double dl = maxDiff(floats(c.get("logits_per_image")), clip.logitsPerImage(image, text).toFloatArray());

      // The same through the library's embedder, and zero-shot over the texts as labels.
      ClipEmbedder embedder = new ClipEmbedder(ops, clip, builtIn, processor);
      double de =
          Math.max(
              maxDiff(floats(c.get("text_embeds")), flatten(embedder.embedTexts(texts))),
              maxDiff(floats(c.get("image_embeds")), flatten(embedder.embedImages(images))));
      ZeroShot zs = embedder.zeroShot(texts, List.of("{}"));
      float[] logits = floats(c.get("logits_per_image"));
      double dz = 0;
      float[][] features = embedder.imageFeatures(images);
      for (int i = 0; i < images.size(); i++) {
        float[] s = zs.scores(features[i]);
        double sum = 0;
        for (int t = 0; t < texts.size(); t++) {
          sum += Math.exp(logits[i * texts.size() + t]);
        }
        for (int t = 0; t < texts.size(); t++) {
          dz = Math.max(dz, Math.abs(s[t] - Math.exp(logits[i * texts.size() + t]) / sum));
        }
      }
      System.out.printf(
          "[ClipEndToEndParityTest] max |diff| vs HF: pixel_values %.3g (tol %.0e), text_embeds %.3g,"
              + " image_embeds %.3g (tol %.0e), logits_per_image %.3g (tol %.0e); embedder %.3g;"
              + " zero-shot scores %.3g%n",
          dp, PIXEL_TOLERANCE, dt, di, EMBED_TOLERANCE, dl, LOGIT_TOLERANCE, de, dz);
      assertTrue(dp <= PIXEL_TOLERANCE, "pixel_values differ by " + dp);
      assertTrue(dt <= EMBED_TOLERANCE, "text_embeds differ by " + dt);
      assertTrue(di <= EMBED_TOLERANCE, "image_embeds differ by " + di);
      assertTrue(dl <= LOGIT_TOLERANCE, "logits_per_image differ by " + dl);
      assertTrue(de <= EMBED_TOLERANCE, "ClipEmbedder differs by " + de);
      assertTrue(dz <= LOGIT_TOLERANCE, "zero-shot scores differ from softmax(HF logits) by " + dz);
    }
  }

  @Test
  void longTextsAreCutToSeventySevenPositionsKeepingTheEnd() {
    TextTokenizer tok = ClipTokenizers.adapt(BuiltInTokenizers.clip());
    String longText = "a red circle on a blue square ".repeat(20);
    ClipTextInputs in =
        ClipTextInputs.encode(tok, List.of(longText, "two dogs"), BuiltInTokenizers.CLIP_MAX_POSITIONS);
    assertEquals(77, in.ids().cols());
    assertEquals(49406, in.ids().at(0, 0));
    assertEquals(49407, in.ids().at(0, 76), "the final end-of-text id is kept");
    assertEquals(49407, in.ids().at(1, 76), "padding with the end-of-text id");
  }

  static float[] flatten(float[][] rows) {
    int n = 0;
    for (float[] r : rows) {
      n += r.length;
    }
    float[] out = new float[n];
    int o = 0;
    for (float[] r : rows) {
      System.arraycopy(r, 0, out, o, r.length);
      o += r.length;
    }
    return out;
  }

  static int[] toInts(JsonElement e) {
    float[] f = floats(e);
    int[] r = new int[f.length];
    for (int i = 0; i < r.length; i++) {
      r[i] = (int) f[i];
    }
    return r;
  }
}
