package io.github.transformers4j.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.api.Activation;
import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.registry.Backends;
import io.github.transformers4j.api.spi.BackendOptions;
import io.github.transformers4j.models.gpt.Gpt2Config;
import io.github.transformers4j.models.gpt.Gpt2Model;
import io.github.transformers4j.training.data.BlockSampler;
import io.github.transformers4j.training.data.CharTokenizer;
import io.github.transformers4j.training.models.GptLm;
import io.github.transformers4j.training.objectives.CausalLm;
import io.github.transformers4j.training.optim.AdamW;
import io.github.transformers4j.training.optim.LrSchedule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A char GPT folder as {@code t4j train clm} wrote it before the output-folder protocol: no {@code
 * recipe.json}, a vocabulary without {@code [UNK]}, no schedule in the checkpoint. It is still
 * recognized, loads, resumes, and names the character it cannot read.
 */
class CharLmCompatibilityTest {
  static ComputeBackend backend;

  @BeforeAll
  static void open() {
    backend = Backends.installed().create("cpu", BackendOptions.none().with("threads", "1"));
  }

  @AfterAll
  static void close() {
    backend.close();
  }

  private static final String TEXT = "to be or not to be, that is the question. ".repeat(20);

  private static CharLm.Settings settings(long steps) {
    return new CharLm.Settings(
        16, 2, 1, 2, 16, 0f, steps, 1e-3, 1e-4, 1, 0.99, 0.1, 1.0, 1, 2, 1, 0.1, 1337);
  }

  /** The vocabulary file as t4j wrote it before Hugging Face's form: {"type":"char", ...}. */
  static void writeOldVocabulary(CharTokenizer tok, Path file) throws Exception {
    com.google.gson.JsonObject o = new com.google.gson.JsonObject();
    o.addProperty("type", "char");
    o.add("specials", new com.google.gson.Gson().toJsonTree(List.of()));
    o.add("chars", new com.google.gson.Gson().toJsonTree(tok.characters()));
    Files.writeString(file, new com.google.gson.Gson().toJson(o));
  }

  /** The old recipe, step by step: fit without specials, save, train through the trainer. */
  private static void oldRun(Ops ops, Path out, CharLm.Settings s) throws Exception {
    Files.createDirectories(out);
    CharTokenizer tok = CharTokenizer.fit(TEXT, false);
    writeOldVocabulary(tok, out.resolve("tokenizer.json"));
    Gpt2Config cfg =
        new Gpt2Config(
            tok.vocabSize(),
            s.block(),
            s.width(),
            s.layers(),
            s.heads(),
            4 * s.width(),
            Activation.GELU_TANH,
            1e-5f,
            0f,
            0f,
            0f,
            0.02,
            "sdpa",
            s.seed());
    CharLm.saveConfig(out.resolve("config.json"), cfg);
    int[] ids = tok.encode(TEXT);
    int[][] parts = io.github.transformers4j.training.data.Datasets.splitStream(ids, 0.1);
    TrainerConfig tc =
        new TrainerConfig(
            s.steps(),
            1,
            1.0,
            LrSchedule.cosine(1e-3, 1e-4, 1, s.steps()),
            2,
            1,
            2,
            out,
            s.seed(),
            0);
    new Trainer(
            ops,
            new GptLm(new Gpt2Model(ops, cfg)),
            new CausalLm(false),
            new AdamW(0.9, 0.99, 1e-8, 0.1, true),
            tc,
            null)
        .run(new BlockSampler(parts[0], 2, 16, s.seed()), null, false);
  }

  @Test
  void anOldFolderIsRecognizedLoadsResumesAndNamesUnknownCharacters(@TempDir Path dir)
      throws Exception {
    Ops ops = new Ops(backend);
    Path out = dir.resolve("old");
    oldRun(ops, out, settings(3));
    assertFalse(Files.exists(out.resolve(OutputFolder.RECIPE)));
    assertEquals("clm", OutputFolder.inspect(out).kind());

    CharLm.Loaded m = CharLm.load(ops, out);
    assertFalse(m.tokenizer().hasUnknown());
    assertEquals(5, CharLm.generate(m, "to be", 5, 1, c -> {}).codePoints().count());
    var e =
        assertThrows(
            IllegalArgumentException.class, () -> CharLm.generate(m, "¿to", 5, 1, c -> {}));
    assertTrue(e.getMessage().contains("'¿' (U+BF)"), e.getMessage());

    try (OutputFolder f = OutputFolder.open(out, CharLm.TASK, OutputFolder.Mode.RESUME)) {
      Trainer.Result r = CharLm.train(ops, TEXT, settings(5), f, false, null);
      assertEquals(5, r.step());
    }
    // The old vocabulary (and its ids) stayed, now in Hugging Face's form beside the other
    // Hugging Face files that the resumed run's checkpoint wrote.
    assertFalse(CharLm.load(ops, out).tokenizer().hasUnknown());
    assertTrue(Files.readString(out.resolve("tokenizer.json")).contains("\"WordLevel\""));
    assertTrue(Files.readString(out.resolve("config.json")).contains("GPT2LMHeadModel"));
    assertTrue(Files.isRegularFile(out.resolve(HfFolder.WEIGHTS)));
  }

  @Test
  void aNewFolderReadsUnknownCharactersAsUnk(@TempDir Path dir) throws Exception {
    Ops ops = new Ops(backend);
    Path out = dir.resolve("new");
    try (OutputFolder f = OutputFolder.open(out, CharLm.TASK, OutputFolder.Mode.NEW)) {
      CharLm.train(ops, TEXT, settings(2), f, false, null);
    }
    CharLm.Loaded m = CharLm.load(ops, out);
    assertTrue(m.tokenizer().hasUnknown());
    assertEquals(0, m.tokenizer().encode("¿")[0]);
    assertEquals(4, CharLm.generate(m, "¿Qué tal?", 4, 1, c -> {}).codePoints().count());
  }
}
