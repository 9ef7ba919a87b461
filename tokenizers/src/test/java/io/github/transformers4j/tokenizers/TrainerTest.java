package io.github.transformers4j.tokenizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.api.testing.SharedData;
import io.github.transformers4j.tokenizers.formats.HfTokenizerJson;
import io.github.transformers4j.tokenizers.trainers.BpeTrainer;
import io.github.transformers4j.tokenizers.trainers.Progress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** BPE and WordPiece training: deterministic, progress reported, Korean through Nori. */
class TrainerTest {
  @TempDir Path tmp;

  static List<String> shakespeare(int lines) throws IOException {
    Path f = SharedData.require("data/tinyshakespeare.txt");
    return Files.readAllLines(f).subList(0, lines);
  }

  @Test
  void byteLevelBpeIsDeterministicAndRoundTrips() throws IOException {
    List<String> text = shakespeare(4000);
    BpeTrainer.Config c = new BpeTrainer.Config(1000, 2, List.of("<|endoftext|>"), "byte-level", false, null);
    List<String> reports = new ArrayList<>();
    Tokenizer a = new BpeTrainer(c, (p, d, t, r) -> reports.add(p)).train(text);
    Tokenizer b = new BpeTrainer(c, Progress.none()).train(text);
    assertEquals(HfTokenizerJson.toJson(a), HfTokenizerJson.toJson(b));
    assertEquals(1000, a.vocabularySize());
    assertEquals(0, a.tokenToId("<|endoftext|>"));
    assertTrue(reports.contains("merge"));
    String line = "First Citizen: Before we proceed any further, hear me speak.";
    int[] ids = a.encode(line).ids();
    assertTrue(ids.length < line.length() / 2, "merges compress: " + ids.length);
    assertEquals(line, a.decode(ids, false));
    Path saved = tmp.resolve("bpe/tokenizer.json");
    HfTokenizerJson.save(a, saved);
    assertArrayEquals(ids, HfTokenizerJson.load(saved).encode(line).ids());
  }

  @Test
  void wordPieceFromFilesWithProgress() throws IOException {
    Path f = Files.write(tmp.resolve("corpus.txt"), shakespeare(3000));
    BpeTrainer.Config c = new BpeTrainer.Config(
        800, 2, List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"), "bert", true,
        io.github.transformers4j.tokenizers.normalizers.BertNormalizer.uncased());
    List<String> phases = new ArrayList<>();
    Tokenizer t = new BpeTrainer(c, (p, d, tot, r) -> phases.add(p + " " + d + "/" + tot)).train(List.of(f));
    assertTrue(phases.stream().anyMatch(p -> p.startsWith("count ")), phases.toString());
    assertEquals(1, t.tokenToId("[UNK]"));
    Encoding e = t.encode("Citizens, proceed!", null, false);
    assertEquals("citizens, proceed!", t.decode(e.ids(), false));
    assertTrue(e.size() >= 3);
  }

  @Test
  void koreanThroughNori() {
    List<String> text = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      text.add("한국어는 교착어이다. 서울은 대한민국의 수도이다. 학생들이 학교에 간다.");
    }
    BpeTrainer.Config c = new BpeTrainer.Config(120, 2, List.of("[UNK]"), "korean", false, null);
    Tokenizer t = new BpeTrainer(c, Progress.none()).train(text);
    Encoding e = t.encode("서울은 수도이다");
    assertEquals("서울</w>", e.token(0));
    assertEquals("서울 은 수도 이 다", t.decode(e.ids(), false));
  }
}
