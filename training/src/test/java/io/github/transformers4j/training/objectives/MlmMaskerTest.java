package io.github.transformers4j.training.objectives;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.training.data.IntGrid;
import io.github.transformers4j.training.data.Rng;
import io.github.transformers4j.training.data.SpecialTokens;
import org.junit.jupiter.api.Test;

class MlmMaskerTest {
  static final SpecialTokens SPECIALS = new SpecialTokens(0, 1, 2, 3, 4);
  static final int V = 50;

  /** 200 rows of 100: [BOS] 80 random tokens [EOS] then padding. */
  static IntGrid[] batch(long seed) {
    Rng r = new Rng(seed);
    int b = 200;
    int t = 100;
    int[] ids = new int[b * t];
    int[] mask = new int[b * t];
    for (int i = 0; i < b; i++) {
      ids[i * t] = 1;
      mask[i * t] = 1;
      for (int j = 1; j <= 80; j++) {
        ids[i * t + j] = 5 + r.nextInt(V - 5);
        mask[i * t + j] = 1;
      }
      ids[i * t + 81] = 2;
      mask[i * t + 81] = 1;
    }
    return new IntGrid[] {new IntGrid(b, t, ids), new IntGrid(b, t, mask)};
  }

  @Test
  void selects15PercentWith80_10_10AndNeverSpecialsOrPadding() {
    long seed = 42;
    IntGrid[] in = batch(seed);
    MlmMasker.Masked m = new MlmMasker(0.15, SPECIALS, V).apply(in[0], in[1], new Rng(seed));
    int eligible = 200 * 80;
    int sel = 0;
    int masked = 0;
    int kept = 0;
    int random = 0;
    for (int i = 0; i < m.labels().length; i++) {
      int orig = in[0].data()[i];
      int now = m.inputs().data()[i];
      if (m.labels()[i] == -100) {
        assertEquals(orig, now, "unselected position " + i + " changed");
        continue;
      }
      assertTrue(
          in[1].data()[i] == 1 && !SPECIALS.isSpecial(orig), "selected a special/pad at " + i);
      assertEquals(orig, m.labels()[i]);
      sel++;
      if (now == 3) {
        masked++;
      } else if (now == orig) {
        kept++;
      } else {
        random++;
        assertTrue(!SPECIALS.isSpecial(now), "random replacement is a special: " + now);
      }
    }
    assertEquals(sel, m.selected());
    // Binomial standard deviations: selection sqrt(16000·.15·.85) ≈ 45; tolerance 5 sd.
    double rate = (double) sel / eligible;
    assertEquals(0.15, rate, 5 * Math.sqrt(0.15 * 0.85 / eligible), "seed " + seed);
    assertEquals(0.8, (double) masked / sel, 5 * Math.sqrt(0.16 / sel), "seed " + seed);
    assertEquals(0.1, (double) kept / sel, 5 * Math.sqrt(0.09 / sel) + 0.01, "seed " + seed);
    assertEquals(0.1, (double) random / sel, 5 * Math.sqrt(0.09 / sel) + 0.01, "seed " + seed);
  }

  @Test
  void sameSeedSameMasksOtherSeedOtherMasks() {
    IntGrid[] in = batch(1);
    MlmMasker masker = new MlmMasker(0.15, SPECIALS, V);
    var a = masker.apply(in[0], in[1], new Rng(9));
    var b = masker.apply(in[0], in[1], new Rng(9));
    var c = masker.apply(in[0], in[1], new Rng(10));
    assertArrayEquals(a.labels(), b.labels());
    assertArrayEquals(a.inputs().data(), b.inputs().data());
    assertTrue(!java.util.Arrays.equals(a.labels(), c.labels()));
  }

  @Test
  void aShortSequenceAlwaysGetsOneTarget() {
    IntGrid ids = new IntGrid(1, 4, new int[] {1, 7, 2, 0});
    IntGrid mask = new IntGrid(1, 4, new int[] {1, 1, 1, 0});
    for (long s = 0; s < 50; s++) {
      var m = new MlmMasker(0.15, SPECIALS, V).apply(ids, mask, new Rng(s));
      assertEquals(1, m.selected());
      assertEquals(7, m.labels()[1]);
    }
  }
}
