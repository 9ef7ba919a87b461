package io.github.transformers4j.clip.training;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class RetrievalTest {
  private static float[] unit(double angle) {
    return new float[] {(float) Math.cos(angle), (float) Math.sin(angle)};
  }

  @Test
  void countsHitsByCaptionTextAgainstAHandComputedCase() {
    // Images at angles 0, 1, 2, 3 (radians /4); texts: rows 0 and 1 share "a", so 1 may retrieve 0.
    float[][] img = {unit(0), unit(0.25), unit(0.5), unit(1.5)};
    float[][] txt = {unit(0.02), unit(0.02), unit(1.4), unit(0.55)};
    List<String> cap = List.of("a", "a", "b", "c");
    Retrieval.Recall r = Retrieval.recall(img, txt, cap);
    // image->text over distinct texts a (0.02), b (1.4), c (0.55), by angular distance:
    // img0 -> a nearest: hit; img1 (0.25) -> a 0.23 vs c 0.30: hit; img2 (0.5, own b 0.9 away):
    // c 0.05 and a 0.48 nearer, rank 2; img3 (1.5, own c 0.95 away): b 0.1 nearer, rank 1.
    assertEquals(2 / 4.0, r.imageToText1(), 1e-12);
    assertEquals(1.0, r.imageToText5(), 1e-12);
    // text->image: rows 0, 1 ("a", 0.02) -> img0 nearest, an "a" image: hits; row 2 ("b", 1.4):
    // its image img2 is 0.9 away, img3 ("c") 0.1: rank 1; row 3 ("c", 0.55): img3 is 0.95 away,
    // img2, img1, img0 nearer: rank 3.
    assertEquals(2 / 4.0, r.textToImage1(), 1e-12);
    assertEquals(1.0, r.textToImage5(), 1e-12);
  }
}
