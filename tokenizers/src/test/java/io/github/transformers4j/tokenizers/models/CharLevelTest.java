package io.github.transformers4j.tokenizers.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link CharLevel}: a vocabulary of the text's code points in order, its lookups, its unknown token. */
class CharLevelTest {
  @Test
  void vocabularyInCodePointOrderAndLookups() {
    CharLevel m = CharLevel.fromText("cab\uD83D\uDE00ba");
    assertEquals(4, m.vocabSize());
    assertEquals(List.of("a", "b", "c", "\uD83D\uDE00"), List.copyOf(m.vocab().keySet()));
    assertEquals(List.of(0, 1, 2, 3), List.copyOf(m.vocab().values()));
    assertEquals(1, m.tokenToId("b"));
    assertEquals(-1, m.tokenToId("z"));
    assertEquals("\uD83D\uDE00", m.idToToken(3));
    assertNull(m.unkToken());
    CharLevel withUnk = new CharLevel(Map.of("?", 0, "x", 1), "?");
    assertEquals("?", withUnk.unkToken());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new CharLevel(Map.of("x", 0), "?"));
    assertEquals("char-level unknown token '?' is not in the vocabulary", e.getMessage());
  }
}
