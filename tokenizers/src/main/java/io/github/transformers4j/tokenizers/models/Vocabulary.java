package io.github.transformers4j.tokenizers.models;

import io.github.transformers4j.tokenizers.TokenModel;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** A token-to-id map with its inverse; ids need not be contiguous. */
final class Vocabulary {
  final Map<String, Integer> toId;
  final String[] toToken;

  Vocabulary(Map<String, Integer> vocab) {
    this.toId = new HashMap<>(vocab);
    int max = -1;
    for (Map.Entry<String, Integer> e : vocab.entrySet()) {
      if (e.getValue() < 0 || e.getValue() >= TokenModel.MAX_ID) {
        throw new IllegalArgumentException(
            "token " + quote(e.getKey()) + " has id " + e.getValue() + ", outside [0, "
                + TokenModel.MAX_ID + ")");
      }
      max = Math.max(max, e.getValue());
    }
    toToken = new String[max + 1];
    for (Map.Entry<String, Integer> e : vocab.entrySet()) {
      String other = toToken[e.getValue()];
      if (other != null) {
        throw new IllegalArgumentException(
            "tokens " + quote(other) + " and " + quote(e.getKey()) + " have the same id "
                + e.getValue());
      }
      toToken[e.getValue()] = e.getKey();
    }
  }

  private static String quote(String s) {
    return "'" + (s.length() <= 100 ? s : s.substring(0, 99) + "\u2026") + "'";
  }

  int id(String token) {
    Integer id = toId.get(token);
    return id == null ? -1 : id;
  }

  String token(int id) {
    return id >= 0 && id < toToken.length ? toToken[id] : null;
  }

  /** The vocabulary in id order, for saving. */
  Map<String, Integer> ordered() {
    Map<String, Integer> m = new LinkedHashMap<>();
    for (int i = 0; i < toToken.length; i++) {
      if (toToken[i] != null) {
        m.put(toToken[i], i);
      }
    }
    return m;
  }

  int size() {
    return toToken.length;
  }

  @Override
  public String toString() {
    return Arrays.toString(toToken);
  }
}
