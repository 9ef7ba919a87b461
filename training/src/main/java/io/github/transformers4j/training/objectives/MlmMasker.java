package io.github.transformers4j.training.objectives;

import io.github.transformers4j.training.data.IntGrid;
import io.github.transformers4j.training.data.Rng;
import io.github.transformers4j.training.data.SpecialTokens;

/**
 * BERT's masking: each eligible token (not padding, not a special) is selected with probability
 * {@code rate}; a selected token becomes {@code [MASK]} with probability 0.8, a random non-special
 * token with 0.1, and stays with 0.1. Labels hold the original id at selected positions and -100
 * elsewhere. When no token of a batch is selected, one eligible token is, so the loss is defined.
 */
public final class MlmMasker {
  private final double rate;
  private final SpecialTokens specials;
  private final int vocabSize;

  /** The inputs and labels after masking. */
  public record Masked(IntGrid inputs, int[] labels, int selected) {}

  /**
   * A masker selecting {@code rate} of the tokens.
   *
   * @throws IllegalArgumentException when there is no {@code [MASK]} id or the rate is not in (0,
   *     1)
   */
  public MlmMasker(double rate, SpecialTokens specials, int vocabSize) {
    if (!(rate > 0 && rate < 1)) {
      throw new IllegalArgumentException("mlm: masking rate must be in (0, 1), got " + rate);
    }
    if (specials.mask() < 0 || specials.mask() >= vocabSize) {
      throw new IllegalArgumentException(
          "mlm: the tokenizer needs a [MASK] token inside the vocabulary of "
              + vocabSize
              + ", got id "
              + specials.mask());
    }
    this.rate = rate;
    this.specials = specials;
    this.vocabSize = vocabSize;
  }

  /**
   * Masks {@code inputs} ({@code mask} 1 for real tokens, or null) with randomness from {@code
   * rng}.
   */
  public Masked apply(IntGrid inputs, IntGrid mask, Rng rng) {
    int[] ids = inputs.data().clone();
    int[] labels = new int[ids.length];
    java.util.Arrays.fill(labels, Losses.IGNORE);
    int selected = 0;
    int eligible = 0;
    for (int i = 0; i < ids.length; i++) {
      if (!eligible(ids[i], mask, i)) {
        continue;
      }
      eligible++;
      if (rng.nextDouble() < rate) {
        replace(ids, labels, i, rng);
        selected++;
      }
    }
    if (selected == 0 && eligible > 0) {
      int k = rng.nextInt(eligible);
      for (int i = 0; i < ids.length; i++) {
        if (eligible(ids[i], mask, i) && k-- == 0) {
          replace(ids, labels, i, rng);
          selected = 1;
          break;
        }
      }
    }
    return new Masked(new IntGrid(inputs.rows(), inputs.cols(), ids), labels, selected);
  }

  private boolean eligible(int id, IntGrid mask, int i) {
    return (mask == null || mask.data()[i] != 0) && !specials.isSpecial(id);
  }

  private void replace(int[] ids, int[] labels, int i, Rng rng) {
    labels[i] = ids[i];
    double r = rng.nextDouble();
    if (r < 0.8) {
      ids[i] = specials.mask();
    } else if (r < 0.9) {
      int id;
      do {
        id = rng.nextInt(vocabSize);
      } while (specials.isSpecial(id));
      ids[i] = id;
    }
  }
}
