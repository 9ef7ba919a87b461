package io.github.transformers4j.models.generation;

import io.github.transformers4j.api.spi.TextTokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Generated tokens as streamed text: after each token the new tokens so far are decoded (special
 * tokens skipped) and what is new is handed on, once it is whole text and cannot be the start of a
 * stop sequence. A byte-level token may end inside a character ({@code U+FFFD} at the end), and a
 * later token may change how earlier ones decode; both wait for more tokens. A stop sequence ends
 * the text where it first appears (the text before it is handed on, the stop sequence is not).
 *
 * <p>The server's completions and the LangChain4j streaming models stream through this class, so
 * both cut and hold back text the same way. Not thread-safe: one generation, one streamer.
 */
public final class StopTextStreamer {
  private final TextTokenizer tokenizer;
  private final List<String> stops;
  private final Consumer<String> onText;
  private final List<Integer> tokens = new ArrayList<>();
  private String shown = "";
  private boolean stopped;

  /**
   * A streamer decoding with {@code tokenizer} that hands each new piece to {@code onText}.
   *
   * @throws IllegalArgumentException when a stop sequence is empty
   */
  public StopTextStreamer(TextTokenizer tokenizer, List<String> stops, Consumer<String> onText) {
    for (String s : stops) {
      if (s.isEmpty()) {
        throw new IllegalArgumentException("a stop sequence is empty");
      }
    }
    this.tokenizer = tokenizer;
    this.stops = List.copyOf(stops);
    this.onText = onText;
  }

  /**
   * Takes the next generated token and hands on what became whole text.
   *
   * @return true when a stop sequence has appeared: the text before it has been handed on and the
   *     generation should end
   */
  public boolean add(int token) {
    tokens.add(token);
    String text = decoded();
    if (!text.startsWith(shown) || text.endsWith("\uFFFD")) {
      return false; // not whole text yet
    }
    int cut = firstStop(text);
    if (cut >= 0) {
      // A longer stop sequence may still begin before this one ("€ba" while "b" is found in
      // "€b"): until the next tokens decide, hand on only what comes before it.
      int open = openBefore(text, cut);
      if (open >= 0) {
        show(text.substring(0, Math.max(open, shown.length())));
        return false;
      }
      show(text.substring(0, Math.max(cut, shown.length())));
      stopped = true;
      return true;
    }
    show(text.substring(0, text.length() - heldBack(text)));
    return false;
  }

  /**
   * The first position before {@code cut} where the rest of {@code text} is a proper beginning of
   * some stop sequence, or -1.
   */
  private int openBefore(String text, int cut) {
    int first = -1;
    for (String s : stops) {
      for (int p = Math.max(0, text.length() - s.length() + 1); p < cut; p++) {
        if (s.startsWith(text.substring(p))) {
          first = first < 0 ? p : Math.min(first, p);
          break;
        }
      }
    }
    return first;
  }

  /**
   * Hands on the rest once the generation has ended, cut at a stop sequence if one appears in it.
   * The text is then the decoding of every token, a character the last tokens left cut included
   * ({@code U+FFFD}), as a non-streamed answer is (the server's completions pin this).
   *
   * @return whether a stop sequence ended the text
   */
  public boolean finish() {
    if (stopped) {
      return true;
    }
    String text = decoded();
    int cut = firstStop(text);
    if (cut >= 0) {
      text = text.substring(0, Math.max(cut, shown.length()));
      stopped = true;
    }
    if (text.startsWith(shown)) {
      show(text);
    }
    return stopped;
  }

  /** The text handed on so far. */
  public String text() {
    return shown;
  }

  /** How many tokens were added. */
  public int tokenCount() {
    return tokens.size();
  }

  /** The last token added, or -1 before the first. */
  public int lastToken() {
    return tokens.isEmpty() ? -1 : tokens.get(tokens.size() - 1);
  }

  /** Whether a stop sequence ended the text. */
  public boolean stoppedBySequence() {
    return stopped;
  }

  private String decoded() {
    return tokenizer.decodeIds(tokens.stream().mapToInt(Integer::intValue).toArray(), true);
  }

  private void show(String upTo) {
    if (upTo.length() > shown.length()) {
      String piece = upTo.substring(shown.length());
      shown = upTo;
      onText.accept(piece);
    }
  }

  /** Where the first stop sequence begins in {@code text}, or -1; none begins in what was shown. */
  private int firstStop(String text) {
    int first = -1;
    for (String s : stops) {
      int at = text.indexOf(s, Math.max(0, shown.length() - s.length() + 1));
      if (at >= 0 && (first < 0 || at < first)) {
        first = at;
      }
    }
    return first;
  }

  /** The length of the longest end of {@code text} that begins some stop sequence. */
  private int heldBack(String text) {
    int held = 0;
    for (String s : stops) {
      for (int n = Math.min(s.length() - 1, text.length()); n > held; n--) {
        if (text.endsWith(s.substring(0, n))) {
          held = n;
          break;
        }
      }
    }
    return Math.min(held, text.length() - shown.length());
  }
}
