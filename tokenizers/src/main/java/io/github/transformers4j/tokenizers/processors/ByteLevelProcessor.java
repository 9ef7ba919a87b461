package io.github.transformers4j.tokenizers.processors;

import io.github.transformers4j.tokenizers.Encoding;
import io.github.transformers4j.tokenizers.PostProcessor;
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
      while (lead < t.length() && t.charAt(lead) == '\u0120') {
        lead++;
      }
      int trail = 0;
      while (trail < t.length() - lead && t.charAt(t.length() - 1 - trail) == '\u0120') {
        trail++;
      }
      if (lead > 0 && st[i] + lead <= en[i]) {
        st[i] += lead;
      }
      if (trail > 0 && en[i] - trail >= st[i]) {
        en[i] -= trail;
      }
    }
    List<Encoding> over = new ArrayList<>();
    for (Encoding o : e.overflowing()) {
      over.add(trim(o, addPrefixSpace));
    }
    return e.withOffsets(st, en).withOverflowing(over);
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
