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

  /** Issue 12, must-have 6: a text beyond the positions is an error, unless asked to truncate. */
  @Test
  void aTextBeyondThePositionsIsRefusedUnlessTruncating() throws Exception {
    io.github.transformers4j.training.data.TextTokenizer words =
        new io.github.transformers4j.training.data.TextTokenizer() {
          @Override
          public int[] encode(String text) {
            String[] w = text.split(" ");
            int[] ids = new int[w.length];
            for (int i = 0; i < w.length; i++) {
              ids[i] = 2 + Math.floorMod(w[i].hashCode(), 100);
            }
            return ids;
          }

          @Override
          public String decode(int[] ids) {
            return "";
          }

          @Override
          public int vocabSize() {
            return 49408;
          }

          @Override
          public io.github.transformers4j.training.data.SpecialTokens specials() {
            return new io.github.transformers4j.training.data.SpecialTokens(
                49407, 49406, 49407, -1, -1);
          }
        };
    try (ComputeBackend b = ClipFixture.cpu(1)) {
      Ops ops = new Ops(b);
      ClipModel clip = ClipModel.load(ops, ClipFixture.dir());
      ClipEmbedder e = new ClipEmbedder(ops, clip, words, null, 2);
      String fits = "w ".repeat(75).strip(); // 75 + start + end = 77
      String tooLong = "w ".repeat(76).strip();
      e.embedTexts(List.of(fits));
      IllegalArgumentException x =
          assertThrows(
              IllegalArgumentException.class, () -> e.embedTexts(List.of("a", "b", "c", tooLong)));
      assertTrue(
          x.getMessage().startsWith("text 3 has 78 tokens with its start and end markers but the"
              + " model takes at most 77"),
          x.getMessage());
      float[][] cut = e.truncating().embedTexts(List.of(tooLong));
      org.junit.jupiter.api.Assertions.assertArrayEquals(e.embedTexts(List.of(fits))[0], cut[0]);
    }
  }
}
