package io.github.transformers4j.tokenizers.pretokenizers;

import io.github.transformers4j.tokenizers.NormalizedString;
import java.util.List;

/** What a split does with the delimiters it finds, as Hugging Face's {@code behavior}. */
public enum Behavior {
  /** Delimiters are dropped. */
  REMOVED("Removed"),
  /** Each delimiter is a piece of its own. */
  ISOLATED("Isolated"),
  /** A delimiter joins the piece before it. */
  MERGED_WITH_PREVIOUS("MergedWithPrevious"),
  /** A delimiter joins the piece after it. */
  MERGED_WITH_NEXT("MergedWithNext"),
  /** Consecutive delimiters form one piece. */
  CONTIGUOUS("Contiguous");

  private final String json;

  Behavior(String json) {
    this.json = json;
  }

  /** The name in {@code tokenizer.json}. */
  public String json() {
    return json;
  }

  /** The behavior named {@code name} in {@code tokenizer.json}. */
  public static Behavior fromJson(String name) {
    for (Behavior b : values()) {
      if (b.json.equals(name)) {
        return b;
      }
    }
    throw new IllegalArgumentException(
        "unknown split behavior '" + name + "' (expected Removed, Isolated, MergedWithPrevious,"
            + " MergedWithNext or Contiguous)");
  }

  /**
   * Emits the pieces of {@code s} given its segments: {@code bounds[2k], bounds[2k+1]} is segment
   * k and {@code delim[k]} says whether it is a delimiter; the segments cover {@code s} in order.
   */
  void emit(NormalizedString s, int[] bounds, boolean[] delim, int count, List<NormalizedString> out) {
    int pendingStart = -1; // start of a piece waiting for more (merged-with-next, contiguous)
    int prevStart = -1;
    int prevEnd = -1;
    for (int k = 0; k < count; k++) {
      int a = bounds[2 * k];
      int b = bounds[2 * k + 1];
      if (a == b) {
        continue;
      }
      switch (this) {
        case REMOVED:
          if (!delim[k]) {
            out.add(s.slice(a, b));
          }
          break;
        case ISOLATED:
          out.add(s.slice(a, b));
          break;
        case MERGED_WITH_PREVIOUS:
          if (delim[k] && prevStart >= 0) {
            prevEnd = b;
          } else {
            if (prevStart >= 0) {
              out.add(s.slice(prevStart, prevEnd));
            }
            prevStart = a;
            prevEnd = b;
          }
          break;
        case MERGED_WITH_NEXT:
          if (delim[k]) {
            if (pendingStart >= 0) {
              out.add(s.slice(pendingStart, a));
            }
            pendingStart = a;
          } else if (pendingStart >= 0) {
            out.add(s.slice(pendingStart, b));
            pendingStart = -1;
          } else {
            out.add(s.slice(a, b));
          }
          break;
        default:
          if (delim[k]) {
            if (pendingStart < 0) {
              pendingStart = a;
            }
            prevEnd = b;
          } else {
            if (pendingStart >= 0) {
              out.add(s.slice(pendingStart, prevEnd));
              pendingStart = -1;
            }
            out.add(s.slice(a, b));
          }
      }
    }
    if (this == MERGED_WITH_PREVIOUS && prevStart >= 0) {
      out.add(s.slice(prevStart, prevEnd));
    } else if (this == MERGED_WITH_NEXT && pendingStart >= 0) {
      out.add(s.slice(pendingStart, s.length()));
    } else if (this == CONTIGUOUS && pendingStart >= 0) {
      out.add(s.slice(pendingStart, prevEnd));
    }
  }
}
