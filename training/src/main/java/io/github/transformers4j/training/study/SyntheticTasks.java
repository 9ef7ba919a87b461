package io.github.transformers4j.training.study;

import io.github.transformers4j.training.data.Rng;
import java.util.Arrays;

/**
 * The two long-range dependency tasks of the study, as batches of (ids, targets) where the targets
 * are -100 except at the positions scored.
 *
 * <ul>
 *   <li><b>Copy with delay d</b>: {@value #COPY_LENGTH} random symbols, blanks, a GO marker at
 *       position d − 1, blanks; the targets at positions d .. d + {@value #COPY_LENGTH} − 1 are
 *       the symbols, each seen exactly d tokens earlier.
 *   <li><b>Associative recall at distance d</b>: three distractor key-value pairs, the queried pair
 *       (key at position 6), d − 2 filler tokens, the queried key again at position 6 + d; the
 *       target there is the queried key's value.
 * </ul>
 *
 * Both have {@value #SYMBOLS} possible answers, so chance accuracy is 1/{@value #SYMBOLS}.
 */
final class SyntheticTasks {
  static final int SYMBOLS = 8;
  static final int COPY_LENGTH = 4;
  /** The smallest d both tasks can be built with (the GO marker must follow the symbols). */
  static final int MIN_DISTANCE = COPY_LENGTH + 1;
  private static final int IGNORE = -100;

  private SyntheticTasks() {}

  /** The tasks. */
  enum Task {
    COPY("copy with delay d"),
    RECALL("associative recall at distance d");

    final String label;

    Task(String label) {
      this.label = label;
    }

    /** Vocabulary: copy: 8 symbols, blank, GO; recall: 8 keys, 8 values, 4 fillers. */
    int vocab() {
      return this == COPY ? SYMBOLS + 2 : 2 * SYMBOLS + 4;
    }

    /** The sequence length at distance d. */
    int length(int d) {
      return this == COPY ? d + COPY_LENGTH : 7 + d;
    }
  }

  /** A batch: row-major ids (B, T) and targets (B, T), -100 where unscored. */
  record Batch(int rows, int length, int[] ids, int[] targets) {}

  static Batch batch(Task task, int d, int rows, Rng rng) {
    int t = task.length(d);
    int[] ids = new int[rows * t];
    int[] targets = new int[rows * t];
    Arrays.fill(targets, IGNORE);
    for (int r = 0; r < rows; r++) {
      int o = r * t;
      if (task == Task.COPY) {
        int blank = SYMBOLS;
        int go = SYMBOLS + 1;
        Arrays.fill(ids, o, o + t, blank);
        for (int i = 0; i < COPY_LENGTH; i++) {
          ids[o + i] = rng.nextInt(SYMBOLS);
          targets[o + d + i] = ids[o + i];
        }
        ids[o + d - 1] = go;
      } else {
        // keys 0..7, values 8..15, fillers 16..19
        int[] keys = distinctKeys(rng);
        int at = 0;
        for (int p = 0; p < 4; p++) { // three distractors, then the queried pair at positions 6, 7
          ids[o + at++] = keys[p];
          ids[o + at++] = SYMBOLS + rng.nextInt(SYMBOLS);
        }
        for (int i = 0; i < d - 2; i++) {
          ids[o + at++] = 2 * SYMBOLS + rng.nextInt(4);
        }
        ids[o + at] = keys[3]; // position 6 + d
        targets[o + at] = ids[o + 7];
      }
    }
    return new Batch(rows, t, ids, targets);
  }

  private static int[] distinctKeys(Rng rng) {
    int[] k = new int[SYMBOLS];
    for (int i = 0; i < SYMBOLS; i++) {
      k[i] = i;
    }
    for (int i = SYMBOLS - 1; i > 0; i--) { // Fisher-Yates with the seeded stream
      int j = rng.nextInt(i + 1);
      int s = k[i];
      k[i] = k[j];
      k[j] = s;
    }
    return Arrays.copyOf(k, 4);
  }
}
