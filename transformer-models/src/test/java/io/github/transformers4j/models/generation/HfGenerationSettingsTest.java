package io.github.transformers4j.models.generation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The helpers the generate command, the server and the LangChain4j models share. */
class HfGenerationSettingsTest {
  private static GenerationConfig folder(Map<String, ?> fields) {
    return HfGenerationSettings.apply(HfGenerationSettings.defaults(), fields, "generation_config.json");
  }

  @Test
  void greedyAndSamplingSwitchDecodingAndKeepTheRest() {
    GenerationConfig beams = folder(Map.of("num_beams", 4L, "eos_token_id", 7L, "repetition_penalty", 1.3));
    GenerationConfig greedy = HfGenerationSettings.greedy(beams);
    assertFalse(greedy.doSample());
    assertEquals(1, greedy.numBeams());
    assertArrayEquals(new int[] {7}, greedy.stopTokens());
    assertEquals(1.3f, greedy.repetitionPenalty(), 1e-6f);
    GenerationConfig sampling = HfGenerationSettings.sampling(beams);
    assertTrue(sampling.doSample());
    assertEquals(1, sampling.numBeams());
    assertArrayEquals(new int[] {7}, sampling.stopTokens());
  }

  @Test
  void forVocabularyLimitsToTheTokenizerAndChecksStopIds() {
    GenerationConfig g = folder(Map.of("eos_token_id", 7L));
    assertEquals(90, HfGenerationSettings.forVocabulary(g, 100, 90, "m").vocabularyLimit());
    assertSame(g, HfGenerationSettings.forVocabulary(g, 100, 100, "m"));
    assertSame(g, HfGenerationSettings.forVocabulary(g, 100, -1, "m"));
    var e =
        assertThrows(IllegalArgumentException.class, () -> HfGenerationSettings.forVocabulary(g, 7, 7, "models/x"));
    assertEquals("models/x: eos_token_id 7 is outside the vocabulary of 7", e.getMessage());
  }
}
