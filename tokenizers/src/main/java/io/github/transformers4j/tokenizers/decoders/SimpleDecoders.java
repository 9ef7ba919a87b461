package io.github.transformers4j.tokenizers.decoders;

import io.github.transformers4j.tokenizers.Decoder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Small decoders: {@code Fuse}, {@code Strip}, {@code Replace} and {@code Sequence}. */
public final class SimpleDecoders {
  private SimpleDecoders() {}

  /** Joins all tokens into one. */
  public static Decoder fuse() {
    return new Decoder() {
      @Override
      public List<String> decodeChain(List<String> tokens) {
        return List.of(String.join("", tokens));
      }

      @Override
      public Map<String, Object> toJson() {
        return Json.type("Fuse");
      }
    };
  }

  /** Removes up to {@code start} leading and {@code stop} trailing {@code content} chars per token. */
  public static Decoder strip(char content, int start, int stop) {
    return new Decoder() {
      @Override
      public List<String> decodeChain(List<String> tokens) {
        List<String> out = new ArrayList<>();
        for (String t : tokens) {
          int a = 0;
          while (a < start && a < t.length() && t.charAt(a) == content) {
            a++;
          }
          int b = t.length();
          int k = 0;
          while (k < stop && b > a && t.charAt(b - 1) == content) {
            b--;
            k++;
          }
          out.add(t.substring(a, b));
        }
        return out;
      }

      @Override
      public Map<String, Object> toJson() {
        return Json.type("Strip", "content", String.valueOf(content), "start", start, "stop", stop);
      }
    };
  }

  /** Replaces the literal {@code from} with {@code to} in every token. */
  public static Decoder replace(String from, String to) {
    return new Decoder() {
      @Override
      public List<String> decodeChain(List<String> tokens) {
        List<String> out = new ArrayList<>();
        for (String t : tokens) {
          out.add(t.replace(from, to));
        }
        return out;
      }

      @Override
      public Map<String, Object> toJson() {
        return Json.type("Replace", "pattern", Map.of("String", from), "content", to);
      }
    };
  }

  /** Decoders applied one after the other. */
  public static Decoder sequence(List<Decoder> steps) {
    List<Decoder> copy = List.copyOf(steps);
    return new Decoder() {
      @Override
      public List<String> decodeChain(List<String> tokens) {
        List<String> t = tokens;
        for (Decoder d : copy) {
          t = d.decodeChain(t);
        }
        return t;
      }

      @Override
      public Map<String, Object> toJson() {
        List<Object> list = new ArrayList<>();
        for (Decoder d : copy) {
          list.add(d.toJson());
        }
        return Json.type("Sequence", "decoders", list);
      }
    };
  }
}
