package io.github.transformers4j.apps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --arch} of {@code t4j train clm} and {@code t4j train seq2seq}: a recurrent model trains,
 * generates, evaluates and resumes through the same commands as the transformer, and options that
 * do not apply are refused in one line.
 */
class RecurrentCommandsTest {
  private static final String[] CPU = {"--backend", "cpu", "--threads", "1"};

  @Test
  void anLstmCharModelTrainsGeneratesEvaluatesAndResumes(@TempDir Path dir) throws Exception {
    Path text =
        Files.writeString(dir.resolve("corpus.txt"), "to be or not to be, that is the question. ".repeat(20));
    Path out = dir.resolve("lstm");
    String[] train =
        TrainingCommandsTest.concat(
            CPU, "train", "clm", "--arch", "lstm", "--hidden", "12", "--data", text.toString(),
            "--output", out.toString(), "--block", "16", "--batch", "2", "--layers", "1", "--width",
            "8", "--steps", "3", "--warmup", "1", "--eval-every", "2", "--eval-batches", "1");
    Cli.Run run = Cli.runInstalled(train);
    assertEquals(0, run.code(), run::toString);
    assertTrue(run.out().contains("done at step 3"), run::toString);
    assertTrue(Files.readString(out.resolve("config.json")).contains("\"cell_type\": \"lstm\""));
    String[] greedy = new String[2];
    for (int i = 0; i < 2; i++) {
      Cli.Run g =
          Cli.runInstalled(
              TrainingCommandsTest.concat(
                  CPU, "generate", "--model", out.toString(), "--prompt", "to ", "--max-new", "40",
                  "--seed", "7"));
      assertEquals(0, g.code(), g::toString);
      greedy[i] = g.out();
    }
    assertEquals(greedy[0], greedy[1], "sampling with one seed gives one text");
    Cli.Run eval =
        Cli.runInstalled(
            TrainingCommandsTest.concat(
                CPU, "eval", "--model", out.toString(), "--data", text.toString(), "--batches", "1"));
    assertEquals(0, eval.code(), eval::toString);
    assertTrue(eval.out().contains("blocks of 16"), eval::toString);
    Cli.Run again = Cli.runInstalled(TrainingCommandsTest.concat(train, "--resume"));
    assertEquals(0, again.code(), again::toString);
    assertTrue(again.out().contains("at step 3"), again::toString);
  }

  @Test
  void aGruEncoderDecoderTrainsAndDecodesGreedyAndBeam(@TempDir Path dir) throws Exception {
    StringBuilder tsv = new StringBuilder();
    for (String w : new String[] {"abc", "bca", "cab", "aab", "bba", "cca", "abb", "cab"}) {
      tsv.append(w).append('\t').append(new StringBuilder(w).reverse()).append('\n');
    }
    Path pairs = Files.writeString(dir.resolve("pairs.tsv"), tsv.toString());
    Path out = dir.resolve("gru");
    Cli.Run run =
        Cli.runInstalled(
            TrainingCommandsTest.concat(
                CPU, "train", "seq2seq", "--arch", "gru", "--hidden", "12", "--data",
                pairs.toString(), "--output", out.toString(), "--width", "8", "--layers", "1",
                "--batch", "4", "--steps", "3", "--warmup", "1", "--eval-every", "2",
                "--val-fraction", "0.25"));
    assertEquals(0, run.code(), run::toString);
    assertTrue(run.out().contains("held-out exact match (greedy)"), run::toString);
    String config = Files.readString(out.resolve("config.json"));
    assertTrue(config.contains("\"model_type\": \"t4j-recurrent-seq2seq\""), config);
    assertTrue(config.contains("\"hidden_size\": 12"), config);
    for (String beams : new String[] {"3"}) {
      Cli.Run gen =
          Cli.runInstalled(
              TrainingCommandsTest.concat(
                  CPU, "generate", "--model", out.toString(), "--prompt", "abc", "--beams", beams));
      assertEquals(0, gen.code(), gen::toString);
    }
    Cli.Run eval =
        Cli.runInstalled(
            TrainingCommandsTest.concat(
                CPU, "eval", "--model", out.toString(), "--data", pairs.toString(), "--beams", "2"));
    assertEquals(0, eval.code(), eval::toString);
    assertTrue(eval.out().contains("over 8 pairs"), eval::toString);
  }

  @Test
  void optionsThatDoNotApplyAreRefusedInOneLine(@TempDir Path dir) throws Exception {
    Path text = Files.writeString(dir.resolve("t.txt"), "abc ".repeat(50));
    String[][] cases = {
      {"train", "clm", "--arch", "transformr", "--data", text.toString(), "--output", dir.resolve("a").toString()},
      {"train", "clm", "--hidden", "8", "--data", text.toString(), "--output", dir.resolve("b").toString()},
      {"train", "clm", "--arch", "gru", "--heads", "2", "--data", text.toString(), "--output", dir.resolve("c").toString()},
    };
    String[] expected = {
      "--arch: unknown model 'transformr' (known: transformer, rnn, rnn_relu, lstm, gru)",
      "--hidden applies to a recurrent --arch",
      "--heads does not apply to a recurrent model (--arch gru)",
    };
    for (int i = 0; i < cases.length; i++) {
      Cli.Run r = Cli.runInstalled(TrainingCommandsTest.concat(CPU, cases[i]));
      assertTrue(r.code() != 0, r::toString);
      assertTrue(r.err().contains(expected[i]), r::toString);
      assertFalse(r.err().contains("Exception"), r::toString);
      assertFalse(Files.exists(dir.resolve(new String[] {"a", "b", "c"}[i])), "nothing written");
    }
  }
}
