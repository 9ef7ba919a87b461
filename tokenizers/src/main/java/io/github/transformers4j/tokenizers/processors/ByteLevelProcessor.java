package io.github.transformers4j.tokenizers.processors;

import io.github.transformers4j.tokenizers.Encoding;
import io.github.transformers4j.tokenizers.PostProcessor;
import io.github.transformers4j.tokenizers.Unicode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The byte-level post-processor: adds no tokens; with {@code trimOffsets} the offsets of a token
 * leave out the spaces ({@code Ġ}) it starts or ends with.
 *
 * @param addPrefixSpace kept for {@code tokenizer.json}
 * @param trimOffsets whether offsets leave out leading and trailing spaces
 * @param useRegex kept for {@code tokenizer.json}
 */
public record ByteLevelProcessor(boolean addPrefixSpace, boolean trimOffsets, boolean useRegex)
    implements PostProcessor {

  @Override
  public int addedTokens(boolean pair) {
    return 0;
  }

  @Override
  public Encoding process(Encoding first, Encoding second, boolean addSpecialTokens) {
    Encoding a = trimOffsets ? trim(first, addPrefixSpace) : first;
    if (second == null) {
      return a;
    }
    Encoding b = trimOffsets ? trim(second, addPrefixSpace) : second;
    return Encoding.concat(List.of(a, b.withTypeId(1)));
  }

  /** {@code e} with offsets that leave out each token's leading and trailing {@code Ġ}. */
  static Encoding trim(Encoding e, boolean addPrefixSpace) {
    int n = e.size();
    int[] st = e.starts();
    int[] en = e.ends();
    for (int i = 0; i < n; i++) {
      String t = e.token(i);
      int lead = 0;
      // Ġ, or whitespace that an added token with lstrip/rstrip took in.
      while (lead < t.length() && isSpace(t.charAt(lead))) {
        lead++;
      }
      int trail = 0;
      // Counted over the whole token, as Hugging Face: "Ġ" has one leading and one trailing.
      while (trail < t.length() && isSpace(t.charAt(t.length() - 1 - trail))) {
        trail++;
      }
      // As Hugging Face's process_offsets: the space that add_prefix_space put before the first
      // token is not in the text, so nothing is trimmed for it.
      boolean first = i == 0 || st[i] == 0;
      if (first && addPrefixSpace && lead == 1) {
        lead = 0;
      }
      if (lead > 0) {
        st[i] = Math.min(st[i] + lead, en[i]);
      }
      if (trail > 0 && en[i] >= trail) {
        en[i] = Math.max(en[i] - trail, st[i]);
      }
    }
    List<Encoding> over = new ArrayList<>();
    for (Encoding o : e.overflowing()) {
      over.add(trim(o, addPrefixSpace));
    }
    return e.withOffsets(st, en).withOverflowing(over);
  }

  private static boolean isSpace(char c) {
    return c == '\u0120' || Unicode.isWhiteSpace(c);
  }

  @Override
  public Map<String, Object> toJson() {
    return Json.type(
        "ByteLevel",
        "add_prefix_space", addPrefixSpace,
        "trim_offsets", trimOffsets,
        "use_regex", useRegex);
  }
}
