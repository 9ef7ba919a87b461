package io.github.transformers4j.clip;

import io.github.transformers4j.training.data.IntGrid;
import io.github.transformers4j.training.data.SpecialTokens;
import io.github.transformers4j.training.data.TextTokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * Texts as CLIP's text tower takes them, as Hugging Face's {@code CLIPTokenizer} gives them with
 * {@code padding=True, truncation=True}: each row {@code <|startoftext|> tokens <|endoftext|>},
 * cut to {@code maxPositions} keeping the final end-of-text id (the tower pools there), and padded
 * to the longest row with the pad id (CLIP's pad is its end-of-text id).
 *
 * @param ids (B, T) token ids
 * @param mask (B, T) 1 for tokens, 0 for padding
 */
public record ClipTextInputs(IntGrid ids, IntGrid mask) {

  /**
   * Encodes {@code texts} with {@code tokenizer}, adding the start and end ids when its template
   * does not.
   *
   * @param maxPositions the longest row ({@code max_position_embeddings}, 77 for CLIP), at least 2
   * @throws IllegalArgumentException when the tokenizer has no end-of-text id, or for an empty list
   */
  public static ClipTextInputs encode(TextTokenizer tokenizer, List<String> texts, int maxPositions) {
    return encode(tokenizer, texts, maxPositions, true);
  }

  /**
   * As {@link #encode(TextTokenizer, List, int)}, but when {@code truncate} is false a text longer
   * than {@code maxPositions} (with its start and end ids) is an error naming its index, its
   * length and the limit, instead of being cut.
   */
  public static ClipTextInputs encode(
      TextTokenizer tokenizer, List<String> texts, int maxPositions, boolean truncate) {
    if (texts.isEmpty()) {
      throw new IllegalArgumentException("no texts to encode");
    }
    if (maxPositions < 2) {
      throw new IllegalArgumentException(
          "maxPositions must be at least 2 (start and end ids), got " + maxPositions);
    }
    SpecialTokens s = tokenizer.specials();
    if (s.eos() < 0) {
      throw new IllegalArgumentException(
          "the tokenizer has no end-of-text token; CLIP pools each text at it");
    }
    int pad = s.pad() >= 0 ? s.pad() : s.eos();
    List<int[]> rows = new ArrayList<>(texts.size());
    int longest = 0;
    for (String text : texts) {
      int[] raw = tokenizer.encode(text);
      int start = raw.length > 0 && s.bos() >= 0 && raw[0] == s.bos() ? 1 : 0;
      int end = raw.length > start && raw[raw.length - 1] == s.eos() ? raw.length - 1 : raw.length;
      int head = s.bos() >= 0 ? 1 : 0;
      if (!truncate && end - start > maxPositions - head - 1) {
        throw new IllegalArgumentException(
            "text "
                + rows.size()
                + " has "
                + (end - start + head + 1)
                + " tokens with its start and end markers but the model takes at most "
                + maxPositions
                + " (max_position_embeddings); shorten it, or truncate it explicitly (--truncate)");
      }
      int body = Math.min(end - start, maxPositions - head - 1);
      int[] row = new int[head + body + 1];
      if (head == 1) {
        row[0] = s.bos();
      }
      System.arraycopy(raw, start, row, head, body);
      row[row.length - 1] = s.eos();
      rows.add(row);
      longest = Math.max(longest, row.length);
    }
    int[] ids = new int[rows.size() * longest];
    int[] mask = new int[ids.length];
    for (int r = 0; r < rows.size(); r++) {
      int[] row = rows.get(r);
      for (int i = 0; i < longest; i++) {
        ids[r * longest + i] = i < row.length ? row[i] : pad;
        mask[r * longest + i] = i < row.length ? 1 : 0;
      }
    }
    return new ClipTextInputs(
        new IntGrid(rows.size(), longest, ids), new IntGrid(rows.size(), longest, mask));
  }
}
