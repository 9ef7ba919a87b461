package io.github.transformers4j.clip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.models.pretrained.Pretrained;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * CLIP against Hugging Face transformers 5.18 on the tiny random {@code CLIPModel} of {@code
 * testdata/models/hf-tiny/clip} (std-0.1 weights), from the fixture's own {@code input_ids} and
 * {@code pixel_values}: normalized {@code text_embeds} and {@code image_embeds} within 1e-4, {@code
 * logits_per_image} within 1e-3.
 */
class ClipParityTest {
  private static final double EMBED_TOLERANCE = 1e-4;
  private static final double LOGIT_TOLERANCE = 1e-3;
  private static ComputeBackend backend;
  private static Ops ops;

  @BeforeAll
  static void open() {
    backend = ClipFixture.cpu(1);
    ops = new Ops(backend);
  }

  @AfterAll
  static void close() {
    backend.close();
  }

  @Test
  void embeddingsAndLogitsMatchHuggingFace() throws Exception {
    Path dir = ClipFixture.dir();
    ClipModel clip = assertInstanceOf(ClipModel.class, Pretrained.load(ops, dir));
    assertEquals(16, clip.config().projectionDim(), "the top-level projection_dim, not the towers'");
    JsonObject c = ClipFixture.expected(dir).getAsJsonArray("cases").get(0).getAsJsonObject();

    int[] idDims = ClipFixture.dims(c.get("input_ids"));
    Tensor ids = ops.ids(ClipFixture.ints(c.get("input_ids")), idDims);
    Tensor mask = ops.ids(ClipFixture.ints(c.get("attention_mask")), idDims);
    Tensor pixels =
        ops.tensor(ClipFixture.floats(c.get("pixel_values")), ClipFixture.dims(c.get("pixel_values")));

    Tensor text = clip.encodeText(ops, ids, mask);
    Tensor image = clip.encodeImage(ops, pixels);
    double dt =
        ClipFixture.maxAbsDiff(
            ClipFixture.floats(c.get("text_embeds")), ClipModel.normalize(ops, text).toFloatArray());
    double di =
        ClipFixture.maxAbsDiff(
            ClipFixture.floats(c.get("image_embeds")),
            ClipModel.normalize(ops, image).toFloatArray());
    double dl =
        ClipFixture.maxAbsDiff(
            ClipFixture.floats(c.get("logits_per_image")),
            clip.logitsPerImage(image, text).toFloatArray());
    // Without the mask the pooled states are the same: padding follows the end-of-text token,
    // which the causal mask already hides from it.
    double unmasked =
        ClipFixture.maxAbsDiff(text.toFloatArray(), clip.encodeText(ops, ids).toFloatArray());
    System.out.printf(
        "[ClipParityTest] max |diff|: text_embeds %.3g, image_embeds %.3g (tolerance %.0e),"
            + " logits_per_image %.3g (tolerance %.0e); masked vs unmasked text %.3g%n",
        dt, di, EMBED_TOLERANCE, dl, LOGIT_TOLERANCE, unmasked);
    assertTrue(dt <= EMBED_TOLERANCE, "text_embeds differ by " + dt);
    assertTrue(di <= EMBED_TOLERANCE, "image_embeds differ by " + di);
    assertTrue(dl <= LOGIT_TOLERANCE, "logits_per_image differ by " + dl);
    assertTrue(unmasked <= 1e-6, "padding after the end-of-text id changed the pooled text: " + unmasked);
  }
}
