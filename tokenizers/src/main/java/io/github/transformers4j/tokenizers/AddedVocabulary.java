package io.github.transformers4j.tokenizers;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds added tokens in text, leftmost-longest as Hugging Face tokenizers does, with a char trie
 * so text without added tokens costs one map lookup per char.
 */
final class AddedVocabulary {
  private final Node raw = new Node();
  private final Node normalized = new Node();
  private final boolean hasRaw;
  private final boolean hasNormalized;
  private final Map<Integer, AddedToken> byId = new HashMap<>();
  private final Map<String, AddedToken> byContent = new HashMap<>();

  private static final class Node {
    Map<Character, Node> next;
    AddedToken token;

    Node child(char c) {
      return next == null ? null : next.get(c);
    }
  }

  AddedVocabulary(List<AddedToken> tokens) {
    boolean r = false;
    boolean n = false;
    for (AddedToken t : tokens) {
      byId.putIfAbsent(t.id(), t);
      byContent.putIfAbsent(t.content(), t);
      Node node = t.normalized() && !t.special() ? normalized : raw;
      if (node == raw) {
        r = true;
      } else {
        n = true;
      }
      for (char c : t.content().toCharArray()) {
        if (node.next == null) {
          node.next = new HashMap<>();
        }
        node = node.next.computeIfAbsent(c, k -> new Node());
      }
      if (node.token == null) {
        node.token = t;
      }
    }
    hasRaw = r;
    hasNormalized = n;
  }

  AddedToken byId(int id) {
    return byId.get(id);
  }

  AddedToken byContent(String content) {
    return byContent.get(content);
  }

  boolean hasRaw() {
    return hasRaw;
  }

  boolean hasNormalized() {
    return hasNormalized;
  }

  /**
   * Splits {@code s} into text parts and matches: appends to {@code parts} either a text slice (as
   * {@link NormalizedString}) or a match (as {@link Match}).
   */
  void split(NormalizedString s, boolean normalizedTokens, List<Object> parts) {
    Node root = normalizedTokens ? normalized : raw;
    String text = s.text();
    int n = text.length();
    int textStart = 0;
    int i = 0;
    while (i < n) {
      Node node = root.child(text.charAt(i));
      if (node == null) {
        i++;
        continue;
      }
      AddedToken best = null;
      int bestEnd = -1;
      int j = i + 1;
      while (true) {
        if (node.token != null && wordOk(node.token, text, i, j)) {
          best = node.token;
          bestEnd = j;
        }
        if (j >= n) {
          break;
        }
        node = node.child(text.charAt(j));
        if (node == null) {
          break;
        }
        j++;
      }
      if (best == null) {
        i++;
        continue;
      }
      int start = i;
      int end = bestEnd;
      if (best.lstrip()) {
        while (start > textStart && Unicode.isWhiteSpace(text.charAt(start - 1))) {
          start--;
        }
      }
      if (best.rstrip()) {
        while (end < n && Unicode.isWhiteSpace(text.charAt(end))) {
          end++;
        }
      }
      if (start > textStart) {
        parts.add(s.slice(textStart, start));
      }
      long range = s.originalRange(start, end);
      // The token's text is what it matched, stripped whitespace included, as Hugging Face's.
      parts.add(
          new Match(
              best, text.substring(start, end), NormalizedString.start(range),
              NormalizedString.end(range)));
      textStart = end;
      i = end;
    }
    if (textStart < n) {
      parts.add(textStart == 0 ? s : s.slice(textStart, n));
    }
  }

  private static boolean wordOk(AddedToken t, String text, int start, int end) {
    if (!t.singleWord()) {
      return true;
    }
    boolean leftOk = start == 0 || !Character.isLetterOrDigit(text.charAt(start - 1));
    boolean rightOk = end == text.length() || !Character.isLetterOrDigit(text.charAt(end));
    return leftOk && rightOk;
  }

  /** An added token found at the original range {@code [start, end)}, matching {@code text}. */
  record Match(AddedToken token, String text, int start, int end) {}

  List<AddedToken> all() {
    return new ArrayList<>(byId.values());
  }
}
