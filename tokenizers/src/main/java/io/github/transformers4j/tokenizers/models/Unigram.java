package io.github.transformers4j.tokenizers.models;

import io.github.transformers4j.tokenizers.ByteLevelAlphabet;
import io.github.transformers4j.tokenizers.NormalizedString;
import io.github.transformers4j.tokenizers.TokenBuffer;
import io.github.transformers4j.tokenizers.TokenModel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Unigram language model of SentencePiece: the segmentation of highest total log-probability
 * (Viterbi), computed as SentencePiece's {@code Model::Encode} does — float sums, a strictly better
 * score replaces an earlier path, an unknown char costs the lowest score minus 10 — so ties break
 * the same way. Consecutive unknown chars become one unknown token; with byte fallback they become
 * their UTF-8 bytes as {@code <0xXX>} pieces instead.
 */
public final class Unigram implements TokenModel {
  private static final float UNK_PENALTY = 10.0f;

  private final List<String> pieces;
  private final float[] scores;
  private final Map<String, Integer> toId;
  private final int unkId;
  private final boolean byteFallback;
  private final int[] byteIds;
  private final CharTrie trie;
  private final float unkScore;

  /**
   * A Unigram model.
   *
   * @param pieces the pieces in id order
   * @param scores their log-probabilities
   * @param unkId the id of the unknown piece
   * @param byteFallback whether unknown chars become byte pieces
   */
  public Unigram(List<String> pieces, float[] scores, int unkId, boolean byteFallback) {
    this(pieces, scores, unkId, byteFallback, null);
  }

  /**
   * A Unigram model whose pieces {@code i} with {@code unmatched[i]} are never matched in text
   * (SentencePiece's control and unused pieces such as {@code <s>}).
   */
  public Unigram(
      List<String> pieces, float[] scores, int unkId, boolean byteFallback, boolean[] unmatched) {
    if (pieces.size() != scores.length) {
      throw new IllegalArgumentException(
          "Unigram: " + pieces.size() + " pieces but " + scores.length + " scores");
    }
    if (unkId < 0 || unkId >= pieces.size()) {
      throw new IllegalArgumentException(
          "Unigram: unknown id " + unkId + " outside the " + pieces.size() + " pieces");
    }
    this.pieces = List.copyOf(pieces);
    this.scores = scores.clone();
    this.unkId = unkId;
    this.byteFallback = byteFallback;
    this.toId = new HashMap<>();
    Map<String, Integer> forTrie = new LinkedHashMap<>();
    float min = Float.MAX_VALUE;
    for (int i = 0; i < pieces.size(); i++) {
      toId.putIfAbsent(pieces.get(i), i);
      if (i != unkId && !pieces.get(i).isEmpty() && (unmatched == null || !unmatched[i])) {
        forTrie.putIfAbsent(pieces.get(i), i);
      }
      min = Math.min(min, scores[i]);
    }
    this.unkScore = min - UNK_PENALTY;
    this.trie = new CharTrie(forTrie, null);
    this.byteIds = new int[256];
    for (int b = 0; b < 256; b++) {
      byteIds[b] = toId.getOrDefault(String.format("<0x%02X>", b), -1);
    }
  }

  @Override
  public void tokenize(NormalizedString piece, TokenBuffer out) {
    String s = piece.text();
    int n = s.length();
    float[] best = new float[n + 1];
    int[] from = new int[n + 1];
    int[] ids = new int[n + 1];
    java.util.Arrays.fill(from, -1);
    from[0] = 0;
    int start = 0;
    while (start < n) {
      int charLen = Character.charCount(s.codePointAt(start));
      if (from[start] >= 0 || start == 0) {
        float here = best[start];
        boolean single = false;
        int node = trie.root();
        for (int i = start; i < n; i++) {
          node = trie.child(node, s.charAt(i));
          if (node < 0) {
            break;
          }
          int id = trie.id(node);
          if (id >= 0) {
            int end = i + 1;
            if (end < n && Character.isLowSurrogate(s.charAt(end)) && Character.isHighSurrogate(s.charAt(i))) {
              continue;
            }
            float cand = scores[id] + here;
            if (from[end] < 0 || cand > best[end]) {
              best[end] = cand;
              from[end] = start;
              ids[end] = id;
            }
            if (end - start == charLen) {
              single = true;
            }
          }
        }
        if (!single) {
          int end = start + charLen;
          float cand = unkScore + here;
          if (from[end] < 0 || cand > best[end]) {
            best[end] = cand;
            from[end] = start;
            ids[end] = unkId;
          }
        }
      }
      start += charLen;
    }
    // Backtrack, then emit left to right, fusing unknowns.
    int count = 0;
    int[] path = new int[n + 1];
    for (int end = n; end > 0; end = from[end]) {
      path[count++] = end;
    }
    int prevUnkStart = -1;
    for (int k = count - 1; k >= 0; k--) {
      int end = path[k];
      int begin = from[end];
      int id = ids[end];
      if (id == unkId) {
        if (byteFallback && emitBytes(s, begin, end, piece, out)) {
          prevUnkStart = -1;
          continue;
        }
        if (prevUnkStart >= 0) {
          out.truncate(out.size() - 1);
          begin = prevUnkStart;
        }
        prevUnkStart = begin;
        out.add(unkId, pieces.get(unkId), piece, begin, end);
      } else {
        prevUnkStart = -1;
        out.add(id, pieces.get(id), piece, begin, end);
      }
    }
  }

  private boolean emitBytes(String s, int begin, int end, NormalizedString piece, TokenBuffer out) {
    byte[] buf = new byte[4];
    int cp = s.codePointAt(begin);
    int nb = ByteLevelAlphabet.utf8(cp, buf, 0);
    for (int b = 0; b < nb; b++) {
      if (byteIds[buf[b] & 0xff] < 0) {
        return false;
      }
    }
    for (int b = 0; b < nb; b++) {
      int id = byteIds[buf[b] & 0xff];
      out.add(id, pieces.get(id), piece, begin, end);
    }
    return true;
  }

  @Override
  public int tokenToId(String token) {
    Integer id = toId.get(token);
    return id == null ? -1 : id;
  }

  @Override
  public String idToToken(int id) {
    return id >= 0 && id < pieces.size() ? pieces.get(id) : null;
  }

  @Override
  public int vocabSize() {
    return pieces.size();
  }

  /** The pieces in id order. */
  public List<String> pieces() {
    return pieces;
  }

  /** The score of piece {@code id}. */
  public float score(int id) {
    return scores[id];
  }

  /** The id of the unknown piece. */
  public int unkId() {
    return unkId;
  }

  /** Whether unknown chars fall back to byte pieces. */
  public boolean byteFallback() {
    return byteFallback;
  }

  @Override
  public Map<String, Object> toJson() {
    List<Object> vocab = new ArrayList<>(pieces.size());
    for (int i = 0; i < pieces.size(); i++) {
      vocab.add(List.of(pieces.get(i), (double) scores[i]));
    }
    return Json.type("Unigram", "unk_id", unkId, "vocab", vocab, "byte_fallback", byteFallback);
  }
}
