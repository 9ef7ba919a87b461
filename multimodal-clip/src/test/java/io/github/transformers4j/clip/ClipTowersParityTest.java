package io.github.transformers4j.clip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.testing.SharedData;
import io.github.transformers4j.models.pretrained.Pretrained;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the main fixture does not cover, against transformers 5.18 ({@code
 * testdata/models/hf-tiny/clip-extra}, made by {@code bench/clip_references.py}): exact GELU, the
 * legacy {@code eos_token_id} 2 (pooled at the highest id), a 30-pixel image in 6-pixel patches, a
 * batch of one image, and the towers saved alone ({@code CLIPTextModelWithProjection}, {@code
 * CLIPVisionModel}), loaded through the registry by their {@code model_type}.
 */
class ClipTowersParityTest {
  private static final double TOLERANCE = 1e-4;
  private static ComputeBackend backend;
  private static Ops ops;
  private static Path dir;
  private static JsonObject expected;

  @BeforeAll
  static void open() throws Exception {
    backend = ClipFixture.cpu(1);
    ops = new Ops(backend);
    dir = SharedData.require("models/hf-tiny/clip-extra");
    expected = ClipFixture.expectedFile(dir.resolve("expected.json"));
  }

  @AfterAll
  static void close() {
    backend.close();
  }

  private static Tensor ids() {
    return ops.ids(ClipFixture.ints(expected.get("input_ids")), ClipFixture.dims(expected.get("input_ids")));
  }

  private static Tensor mask() {
    return ops.ids(
        ClipFixture.ints(expected.get("attention_mask")), ClipFixture.dims(expected.get("attention_mask")));
  }

  private static Tensor pixels() {
    return ops.tensor(
        ClipFixture.floats(expected.get("pixel_values")), ClipFixture.dims(expected.get("pixel_values")));
  }

  private static double check(String what, Tensor actual, double tolerance) {
    double d = ClipFixture.maxAbsDiff(ClipFixture.floats(expected.get(what)), actual.toFloatArray());
    System.out.printf("[ClipTowersParityTest] %s: max |diff| %.3g (tolerance %.0e)%n", what, d, tolerance);
    assertTrue(d <= tolerance, what + " differs by " + d);
    return d;
  }

  @Test
  void geluLegacyEosAndOddPatchesMatchHuggingFace() throws Exception {
    ClipModel clip = ClipModel.load(ops, dir.resolve("model"));
    assertEquals(2, clip.config().text().eosTokenId());
    Tensor text = clip.encodeText(ops, ids(), mask());
    Tensor image = clip.encodeImage(ops, pixels());
    check("text_embeds", ClipModel.normalize(ops, text), TOLERANCE);
    check("image_embeds", ClipModel.normalize(ops, image), TOLERANCE);
    check("logits_per_image", clip.logitsPerImage(image, text), 1e-3);
    // Every position, padded ones included: the padding mask is applied as Hugging Face applies it.
    check("text_hidden", clip.textModel().hidden(ids(), mask()), TOLERANCE);
  }

  @Test
  void towersSavedAloneLoadByModelType() throws Exception {
    ClipTextModelWithProjection text =
        assertInstanceOf(ClipTextModelWithProjection.class, Pretrained.load(ops, dir.resolve("text")));
    check("text_alone_embeds", text.encode(ids(), mask()), TOLERANCE);
    ClipVisionTransformer vision =
        assertInstanceOf(ClipVisionTransformer.class, Pretrained.load(ops, dir.resolve("vision")));
    check("vision_alone_pooled", vision.pooled(pixels()), TOLERANCE);
    check("vision_alone_hidden", vision.hidden(pixels()), TOLERANCE);
  }

  @Test
  void wrongInputsAreNamed() throws Exception {
    ClipModel clip = ClipModel.load(ops, dir.resolve("model"));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> clip.encodeImage(ops, ops.zeros(1, 3, 32, 32)));
    assertTrue(e.getMessage().contains("(B, 3, 30, 30)"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> clip.encodeText(ops, ops.ids(new int[13], 1, 13)));
    assertTrue(e.getMessage().contains("max_position_embeddings 12"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> clip.encodeImage(new Ops(backend), pixels()));
    assertTrue(e.getMessage().contains("another Ops"), e.getMessage());
  }
}
