package io.github.transformers4j.apps;

import static io.github.transformers4j.apps.TrainingCommandsTest.concat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Characters a char-level model never saw: read as [UNK], with a note, by every model kind; a
 * vocabulary saved before [UNK] existed still loads and names the character it cannot read.
 */
class UnknownCharactersTest {
  private static final String[] G = {"--backend", "cpu", "--threads", "1"};

  @TempDir Path dir;

  private Path clm() throws IOException {
    Path text =
        Files.writeString(
            dir.resolve("t.txt"), "to be or not to be, that is the question. ".repeat(20));
    Path out = dir.resolve("gpt");
    Cli.Run run =
        Cli.runInstalled(
            concat(
                concat(G, "train", "clm", "--data", text.toString(), "--output", out.toString()),
                TrainingCommandsTest.TINY));
    assertEquals(0, run.code(), run::toString);
    return out;
  }

  @Test
  void aCharGptGeneratesAndEvaluatesOnUnseenText() throws IOException {
    Path gpt = clm();
    Cli.Run gen =
        Cli.runInstalled(
            concat(
                G,
                "generate",
                "--model",
                gpt.toString(),
                "--prompt",
                "¿Qué tal?",
                "--max-new",
                "4"));
    assertEquals(0, gen.code(), gen::toString);
    assertTrue(gen.out().startsWith("¿Qué tal?"), gen::toString);
    assertTrue(
        gen.err().contains("read as [UNK]") && gen.err().contains("'¿' (U+BF)"), gen::toString);
    Path other =
        Files.writeString(dir.resolve("other.txt"), "¿Qué tal? Muy bien, gracias. ".repeat(10));
    Cli.Run eval =
        Cli.runInstalled(
            concat(
                G,
                "eval",
                "--model",
                gpt.toString(),
                "--data",
                other.toString(),
                "--batches",
                "1"));
    assertEquals(0, eval.code(), eval::toString);
    assertTrue(eval.out().contains("perplexity"), eval::toString);
    assertTrue(eval.err().contains("read as [UNK]"), eval::toString);
    // Beam search works for a decoder too (the families issue makes it general).
    Cli.Run beams =
        Cli.runInstalled(
            concat(
                G,
                "generate",
                "--model",
                gpt.toString(),
                "--prompt",
                "to ",
                "--max-new",
                "4",
                "--beams",
                "2"));
    assertEquals(0, beams.code(), beams::toString);
    assertTrue(beams.out().startsWith("to ") && beams.out().strip().length() > 3, beams::toString);
  }

  @Test
  void seq2seqSaysWhichCharactersItReadsAsUnknown() throws IOException {
    Path pairs = Files.writeString(dir.resolve("p.tsv"), "ab\tba\nba\tab\naab\tbaa\n");
    Path out = dir.resolve("s2s");
    Cli.Run run =
        Cli.runInstalled(
            concat(
                G,
                TrainingCommandsTest.tinySeq2seq(pairs.toString(), out.toString(), "--batch",
                "2",
                "--steps",
                "1",
                "--val-fraction",
                "0")));
    assertEquals(0, run.code(), run::toString);
    Cli.Run gen =
        Cli.runInstalled(concat(G, "generate", "--model", out.toString(), "--prompt", "FOUR ab"));
    assertEquals(0, gen.code(), gen::toString);
    assertTrue(
        gen.err().contains("5 characters of the prompt not in the model's vocabulary"),
        gen::toString);
    // Sampling options apply to seq2seq too.
    Cli.Run sampled =
        Cli.runInstalled(
            concat(
                G,
                "generate",
                "--model",
                out.toString(),
                "--prompt",
                "ab",
                "--top-p",
                "0.9",
                "--seed",
                "3"));
    assertEquals(0, sampled.code(), sampled::toString);
    // --max-new limits a seq2seq output too (one token: one character here).
    for (String beams : new String[] {"1", "2"}) {
      Cli.Run one =
          Cli.runInstalled(
              concat(
                  G,
                  "generate",
                  "--model",
                  out.toString(),
                  "--prompt",
                  "ab",
                  "--max-new",
                  "1",
                  "--beams",
                  beams));
      assertEquals(0, one.code(), one::toString);
      assertTrue(one.out().strip().length() <= 1, one::toString);
    }
  }

  @Test
  void anOldVocabularyWithoutUnknownLoadsAndNamesTheCharacter() throws IOException {
    Path gpt = clm();
    // The vocabulary format before [UNK]: no specials. Same number of ids as the trained model
    // (U+0001 takes [UNK]'s place, first in code point order), so the checkpoint still fits.
    java.util.List<String> chars =
        new java.util.ArrayList<>(
            io.github.transformers4j.training.data.CharTokenizer.load(gpt.resolve("tokenizer.json"))
                .characters());
    chars.add(0, "\u0001");
    com.google.gson.JsonObject old = new com.google.gson.JsonObject();
    old.addProperty("type", "char");
    old.add("specials", new com.google.gson.JsonArray());
    old.add("chars", new com.google.gson.Gson().toJsonTree(chars));
    Files.writeString(gpt.resolve("tokenizer.json"), new com.google.gson.Gson().toJson(old));
    assertFalse(Files.readString(gpt.resolve("tokenizer.json")).contains("[UNK]"));
    Cli.Run ok =
        Cli.runInstalled(
            concat(
                G, "generate", "--model", gpt.toString(), "--prompt", "to be", "--max-new", "3"));
    assertEquals(0, ok.code(), ok::toString);
    Cli.Run bad =
        Cli.runInstalled(concat(G, "generate", "--model", gpt.toString(), "--prompt", "¿Qué?"));
    assertEquals(1, bad.code(), bad::toString);
    assertEquals("", bad.out(), "nothing printed before the error");
    assertTrue(
        bad.err().contains("'¿' (U+BF)") && bad.err().contains("no unknown token"), bad::toString);
  }
}
