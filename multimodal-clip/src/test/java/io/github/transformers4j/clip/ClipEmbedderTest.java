package io.github.transformers4j.clip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.clip.image.ClipImageProcessor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link ClipEmbedder}'s guards, on the fixture model; its numbers are checked end to end against
 * Hugging Face in {@code it} ({@code ClipEndToEndParityTest}) and through {@code t4j clip embed}.
 */
class ClipEmbedderTest {
  @Test
  void refusesAProcessorThatDoesNotMakeTheModelsImageSize() throws Exception {
    try (ComputeBackend b = ClipFixture.cpu(1)) {
      Ops ops = new Ops(b);
      ClipModel clip = ClipModel.load(ops, ClipFixture.dir());
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class,
              () -> new ClipEmbedder(ops, clip, null, ClipImageProcessor.clip(224)));
      assertTrue(e.getMessage().contains("does not make 32x32 pictures"), e.getMessage());
      assertThrows(IllegalArgumentException.class,
          () -> new ClipEmbedder(ops, clip, null, ClipImageProcessor.clip(32), 0));
      ClipEmbedder imagesOnly = new ClipEmbedder(ops, clip, null, ClipImageProcessor.clip(32));
      IllegalStateException t =
          assertThrows(IllegalStateException.class, () -> imagesOnly.embedTexts(List.of("a")));
      assertTrue(t.getMessage().contains("no tokenizer"), t.getMessage());
      float[][] n = ClipEmbedder.normalized(new float[][] {{3, 4}});
      assertEquals(0.6f, n[0][0], 1e-7f);
      assertEquals(0.8f, n[0][1], 1e-7f);
    }
  }
}
