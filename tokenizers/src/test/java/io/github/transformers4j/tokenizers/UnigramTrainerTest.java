package io.github.transformers4j.tokenizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.api.testing.SharedData;
import io.github.transformers4j.tokenizers.formats.HfTokenizerJson;
import io.github.transformers4j.tokenizers.models.Unigram;
import io.github.transformers4j.tokenizers.trainers.Progress;
import io.github.transformers4j.tokenizers.trainers.UnigramTrainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unigram training on 4,000 lines of Shakespeare (vocabulary 1,000), checked on the 300 lines after
 * them: size, alphabet, special tokens, round trips, determinism, the EM loss, save and reload.
 */
class UnigramTrainerTest {
  static final int VOCAB = 1000;
  static final List<String> SPECIALS = List.of("<pad>", "<s>", "</s>");

  static List<String> train;
  static List<String> heldOut;
  static UnigramTrainer trainer;
  static Tokenizer tok;
  static List<String> phases = new ArrayList<>();

  @TempDir Path tmp;

  @BeforeAll
  static void trainOnce() throws IOException {
    List<String> lines = Files.readAllLines(SharedData.require("data/tinyshakespeare.txt"));
    train = lines.subList(0, 4000);
    heldOut = lines.subList(4000, 4300);
    trainer = new UnigramTrainer(config(), (p, d, t, r) -> phases.add(p));
    tok = trainer.train(train);
  }

  static UnigramTrainer.Config config() {
    return UnigramTrainer.Config.of(VOCAB, SPECIALS);
  }

  @Test
  void vocabularyIsExactlyAsAskedWithEveryCharAndSpecialsFirst() {
    assertEquals(VOCAB, tok.vocabularySize());
    Unigram model = (Unigram) tok.model();
    assertEquals(VOCAB, model.vocabSize());
    // The unknown token is not among the specials, so it comes first, then the specials in order.
    assertEquals(List.of("<unk>", "<pad>", "<s>", "</s>"), model.pieces().subList(0, 4));
    assertEquals(0, model.unkId());
    assertEquals(2, tok.tokenToId("<s>"));
    assertEquals(List.of(0, 1, 2, 3), tok.addedTokens().stream().map(AddedToken::id).toList());
    assertTrue(tok.addedTokens().stream().allMatch(AddedToken::special));
    // Every char of the corpus, ▁ included, is a piece.
    TreeSet<Integer> chars = new TreeSet<>();
    chars.add((int) '\u2581');
    for (String line : train) {
      line.replace(' ', '\u2581').codePoints().forEach(chars::add);
    }
    for (int cp : chars) {
      String c = new String(Character.toChars(cp));
      assertTrue(
          tok.tokenToId(c) >= 4, "char '" + c + "' (U+" + Integer.toHexString(cp) + ") missing");
    }
    // Learned pieces sorted by score, best first.
    for (int i = 5; i < VOCAB; i++) {
      assertTrue(model.score(i - 1) >= model.score(i), "scores not sorted at " + i);
    }
    // Pieces are at most 16 chars and no piece is there twice.
    assertEquals(VOCAB, new TreeSet<>(model.pieces()).size());
    assertTrue(model.pieces().stream().allMatch(p -> p.codePointCount(0, p.length()) <= 16));
  }

  @Test
  void heldOutLinesRoundTripAndCompress() {
    int checked = 0;
    long chars = 0;
    long tokens = 0;
    for (String line : heldOut) {
      Encoding e = tok.encode(line);
      boolean known = true;
      for (int id : e.ids()) {
        known &= id != 0;
      }
      if (!known) {
        continue; // a char the training lines never had: it decodes as <unk>
      }
      assertEquals(line, tok.decode(e.ids(), false), "round trip");
      checked++;
      chars += line.length();
      tokens += e.size();
    }
    assertTrue(checked >= 290, "only " + checked + " of 300 held-out lines had no unknown char");
    // 2.8 chars a piece here; chars alone would be 1, words about 4.6.
    assertTrue(
        tokens * 5 < chars * 2,
        "pieces should average over 2.5 chars: " + tokens + " for " + chars);
    Encoding e = tok.encode("First Citizen: Before we proceed any further, hear me speak.");
    assertEquals("\u2581First", e.token(0));
  }

  @Test
  void twoRunsOnDifferentThreadCountsWriteIdenticalFiles() throws Exception {
    Path a = tmp.resolve("a/tokenizer.json");
    Path b = tmp.resolve("b/tokenizer.json");
    ForkJoinPool one = new ForkJoinPool(1);
    ForkJoinPool seven = new ForkJoinPool(7);
    try {
      // Parallel streams run in the pool that starts them: one thread, then seven.
      Tokenizer t1 =
          one.submit(() -> new UnigramTrainer(config(), Progress.none()).train(train)).get();
      Tokenizer t7 =
          seven.submit(() -> new UnigramTrainer(config(), Progress.none()).train(train)).get();
      HfTokenizerJson.save(t1, a);
      HfTokenizerJson.save(t7, b);
    } finally {
      one.shutdown();
      seven.shutdown();
    }
    assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
    assertEquals(HfTokenizerJson.toJson(tok), Files.readString(a));
  }

  @Test
  void emLossFallsWithinEveryRoundAndPruningShrinksTheVocabulary() {
    List<UnigramTrainer.EmStep> steps = trainer.history();
    int rounds = steps.get(steps.size() - 1).round();
    assertTrue(rounds >= 3, "rounds: " + steps);
    assertEquals(2 * rounds, steps.size(), "two EM steps a round: " + steps);
    int previousPieces = Integer.MAX_VALUE;
    for (int r = 1; r <= rounds; r++) {
      UnigramTrainer.EmStep first = steps.get(2 * (r - 1));
      UnigramTrainer.EmStep second = steps.get(2 * (r - 1) + 1);
      assertEquals(r, first.round());
      assertTrue(
          second.loss() < first.loss(),
          "round " + r + ": the M step should lower the loss: " + first + " then " + second);
      assertTrue(first.pieces() < previousPieces, "round " + r + " did not shrink: " + steps);
      previousPieces = first.pieces();
    }
    assertTrue(phases.contains("seed") && phases.contains("em"), phases.toString());
  }

  @Test
  void savedFileReloadsWithIdenticalIds() throws IOException {
    Path saved = tmp.resolve("unigram/tokenizer.json");
    HfTokenizerJson.save(tok, saved);
    String json = Files.readString(saved);
    assertTrue(json.contains("\"type\": \"Unigram\""), json.substring(0, 200));
    assertTrue(json.contains("\"type\": \"Metaspace\""));
    Tokenizer back = HfTokenizerJson.load(saved);
    assertEquals(VOCAB, back.vocabularySize());
    for (String line : heldOut) {
      assertArrayEquals(tok.encode(line).ids(), back.encode(line).ids(), line);
    }
    assertArrayEquals(
        tok.encode("<s>hello</s>").ids(), back.encode("<s>hello</s>").ids(), "specials split out");
    assertEquals(2, back.encode("<s>hello").id(0));
  }

  /**
   * One run inside the test (PIT credits what {@code @BeforeAll} runs to the class's first test
   * only, so the checks above do not all run against its mutants): 1,500 lines,
   * vocabulary 400. The same properties as above: size, specials, every char, scores in order, the
   * loss falling within each round, fewer pieces each round, round trips and compression of the
   * held-out lines, and sane progress reports.
   */
  @Test
  void aSmallerRunInsideTheTestHasEveryProperty() {
    List<String> lines = train.subList(0, 1500);
    List<Object[]> reports = new ArrayList<>();
    UnigramTrainer t =
        new UnigramTrainer(
            UnigramTrainer.Config.of(400, SPECIALS),
            (p, d, total, r) -> reports.add(new Object[] {p, d, total, r}));
    Tokenizer small = t.train(lines);
    Unigram model = (Unigram) small.model();
    assertEquals(400, model.vocabSize());
    assertEquals(List.of("<unk>", "<pad>", "<s>", "</s>"), model.pieces().subList(0, 4));
    TreeSet<Integer> chars = new TreeSet<>();
    chars.add((int) '\u2581');
    for (String line : lines) {
      line.replace(' ', '\u2581').codePoints().forEach(chars::add);
    }
    for (int cp : chars) {
      assertTrue(small.tokenToId(new String(Character.toChars(cp))) >= 4, "char U+" + cp);
    }
    for (int i = 5; i < 400; i++) {
      assertTrue(model.score(i - 1) >= model.score(i), "scores not sorted at " + i);
      assertTrue(model.score(i) < 0, "a log-probability: " + model.score(i));
    }
    assertEquals(400, new TreeSet<>(model.pieces()).size());
    // Learned pieces, not only chars: most of the vocabulary is longer than a char.
    long longer = model.pieces().stream().filter(p -> p.codePointCount(0, p.length()) > 1).count();
    assertTrue(longer > 400 - 4 - chars.size() - 5, "pieces longer than a char: " + longer);
    List<UnigramTrainer.EmStep> steps = t.history();
    int rounds = steps.get(steps.size() - 1).round();
    assertTrue(rounds >= 2, steps.toString());
    assertEquals(2 * rounds, steps.size(), steps.toString());
    for (int r = 1; r <= rounds; r++) {
      UnigramTrainer.EmStep first = steps.get(2 * (r - 1));
      UnigramTrainer.EmStep second = steps.get(2 * (r - 1) + 1);
      assertTrue(second.loss() < first.loss(), "round " + r + ": " + steps);
      assertTrue(second.pieces() <= first.pieces(), "round " + r + ": " + steps);
      if (r > 1) {
        assertTrue(first.pieces() < steps.get(2 * (r - 2)).pieces(), "round " + r + ": " + steps);
      }
    }
    long chars1 = 0;
    long tokens = 0;
    for (String line : heldOut) {
      Encoding e = small.encode(line);
      boolean known = true;
      for (int id : e.ids()) {
        known &= id != 0;
      }
      if (known) {
        assertEquals(line, small.decode(e.ids(), false));
        chars1 += line.length();
        tokens += e.size();
      }
    }
    // 2.21 chars a piece (the run is deterministic); chars alone would be 1.
    assertTrue(
        tokens * 43 < chars1 * 20,
        "pieces should average over 2.15 chars: " + tokens + " for " + chars1);
    boolean seed = false;
    int em = 0;
    for (Object[] r : reports) {
      double rate = (Double) r[3];
      assertTrue(rate > 0 && Double.isFinite(rate), "rate " + rate + " of " + r[0]);
      if (r[0].equals("seed")) {
        seed = true;
        assertTrue((Long) r[1] > chars.size(), "seed pieces " + r[1]);
      } else if (r[0].equals("em")) {
        em++;
        assertEquals(em, (Long) r[1]);
        assertTrue((Long) r[2] >= (Long) r[1], "em total " + r[2] + " below done " + r[1]);
      }
    }
    assertTrue(seed && em == steps.size(), "reports: seed " + seed + ", em " + em);
  }

  @Test
  void badSettingsFailNamingTheField() {
    assertNamed(
        "vocabSize must be at least 1, got 0", () -> UnigramTrainer.Config.of(0, List.of()));
    assertNamed("shrinkingFactor must be in (0, 1)", () -> withShrinking(1.0));
    assertNamed("shrinkingFactor must be in (0, 1)", () -> withShrinking(0));
    assertNamed("shrinkingFactor must be in (0, 1)", () -> withShrinking(-0.5));
    assertNamed("shrinkingFactor must be in (0, 1)", () -> withShrinking(Double.NaN));
    assertNamed(
        "preTokenizer 'nope' is unknown; available: metaspace, whitespace, bert, standard, korean,"
            + " cjk-bigram",
        () -> config().withPreTokenizer("nope"));
    assertNamed(
        "preTokenizer 'byte-level' is unknown", () -> config().withPreTokenizer("byte-level"));
    assertNamed(
        "maxPieceLength must be at least 1, got 0",
        () ->
            new UnigramTrainer.Config(
                100, List.of(), "<unk>", "metaspace", null, 2, 0, 10, 0.75, 2));
    assertNamed(
        "subIterations must be at least 1, got 0",
        () ->
            new UnigramTrainer.Config(
                100, List.of(), "<unk>", "metaspace", null, 2, 16, 10, 0.75, 0));
    assertNamed(
        "unkToken must be a token",
        () -> new UnigramTrainer.Config(100, List.of(), "", "metaspace", null, 2, 16, 10, 0.75, 2));
    assertNamed(
        "vocabSize 3 leaves no room for pieces",
        () -> UnigramTrainer.Config.of(3, List.of("<s>", "</s>")));
  }

  private static void assertNamed(String start, Executable bad) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, bad, start);
    assertTrue(
        e.getMessage().startsWith(start), "expected '" + start + "...', got: " + e.getMessage());
  }

  private static UnigramTrainer.Config withShrinking(double f) {
    return new UnigramTrainer.Config(100, List.of(), "<unk>", "metaspace", null, 2, 16, 1000, f, 2);
  }

  @Test
  void moreDistinctCharsThanRoomFails() {
    List<String> text = new ArrayList<>();
    for (char c = 'a'; c <= 'z'; c++) {
      text.add(c + "x" + Character.toUpperCase(c));
    }
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new UnigramTrainer(UnigramTrainer.Config.of(40, List.of()), Progress.none())
                    .train(text));
    // 26 lowercase, 26 uppercase and ▁: 53 chars; 39 ids left after <unk>.
    assertEquals(
        "vocabSize 40 is too small: the corpus has 53 distinct chars and every one must be a piece,"
            + " but 1 special tokens leave room for 39; use a vocabSize of at least 54",
        e.getMessage());
  }

  @Test
  void aSmallCorpusGivesFewerPiecesThanAsked() {
    // A corpus whose chars and repeated substrings (occurring twice or more) are fewer than asked:
    // the vocabulary stops there rather than padding with pieces seen once.
    List<String> text = List.of("low lower lowest", "new newer newest", "low new");
    Tokenizer t =
        new UnigramTrainer(UnigramTrainer.Config.of(500, List.of()), Progress.none()).train(text);
    assertTrue(t.vocabularySize() < 100, "vocabulary " + t.vocabularySize());
    assertTrue(t.tokenToId("\u2581low") > 0);
    assertEquals("lowest newer", t.decode(t.encode("lowest newer").ids(), false));
  }

  @Test
  void unknownTokenAmongTheSpecialsKeepsItsPlace() {
    UnigramTrainer.Config c = UnigramTrainer.Config.of(30, List.of("<pad>", "<unk>", "<s>"));
    Tokenizer t = new UnigramTrainer(c, Progress.none()).train(List.of("low lower lowest", "low new"));
    Unigram model = (Unigram) t.model();
    assertEquals(List.of("<pad>", "<unk>", "<s>"), model.pieces().subList(0, 3));
    assertEquals(1, model.unkId());
    assertEquals(1, t.encode("z").id(1), "z was never seen: " + List.of(t.encode("z").tokens()));
  }

  @Test
  void koreanThroughNoriMarksWordStarts() {
    List<String> text = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      text.add("한국어는 교착어이다. 서울은 대한민국의 수도이다. 학생들이 학교에 간다.");
    }
    UnigramTrainer.Config c = UnigramTrainer.Config.of(60, List.of()).withPreTokenizer("korean");
    Tokenizer t = new UnigramTrainer(c, Progress.none()).train(text);
    Encoding e = t.encode("서울은 수도이다");
    assertEquals("\u2581서울", e.token(0));
    assertEquals("서울 은 수도 이 다", t.decode(e.ids(), false));
    assertFalse(t.encode("서울은").ids().length == 0);
  }
}
