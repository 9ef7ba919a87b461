package io.github.transformers4j.apps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code t4j train clm}, {@code generate}, {@code eval} and {@code quickstart}, a few steps each.
 */
class TrainingCommandsTest {
  static final String[] TINY = {
    "--block",
    "16",
    "--batch",
    "2",
    "--layers",
    "1",
    "--heads",
    "2",
    "--width",
    "16",
    "--steps",
    "3",
    "--warmup",
    "1",
    "--eval-every",
    "2",
    "--eval-batches",
    "1"
  };

  /**
   * {@code train seq2seq} on {@code data} into {@code out} with the smallest model the tests use
   * (width 16, 2 heads, FFN 32, one layer), then {@code more}.
   */
  static String[] tinySeq2seq(String data, String out, String... more) {
    return concat(
        new String[] {
          "train", "seq2seq", "--data", data, "--output", out, "--width", "16", "--heads", "2",
          "--ffn", "32", "--layers", "1"
        },
        more);
  }

  static String[] concat(String[] a, String... b) {
    String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  @Test
  void trainGenerateEvalAndResume(@TempDir Path dir) throws Exception {
    Path text =
        Files.writeString(
            dir.resolve("corpus.txt"), "to be or not to be, that is the question. ".repeat(20));
    Path out = dir.resolve("model");
    String[] train =
        concat(
            new String[] {
              "--backend",
              "cpu",
              "--threads",
              "1",
              "train",
              "clm",
              "--data",
              text.toString(),
              "--output",
              out.toString()
            },
            TINY);
    Cli.Run run = Cli.runInstalled(train);
    assertEquals(0, run.code(), run::toString);
    assertTrue(run.out().contains("done at step 3"), run::toString);
    for (String f :
        new String[] {
          "config.json",
          "tokenizer.json",
          "metrics.jsonl",
          "loss.png",
          "checkpoint/model.safetensors",
          "checkpoint/optimizer.safetensors",
          "checkpoint/trainer_state.json"
        }) {
      assertTrue(Files.exists(out.resolve(f)), f + " missing: " + run);
    }
    Cli.Run gen =
        Cli.runInstalled(
            "--backend",
            "cpu",
            "--threads",
            "1",
            "generate",
            "--model",
            out.toString(),
            "--prompt",
            "to ",
            "--max-new",
            "5");
    assertEquals(0, gen.code(), gen::toString);
    assertTrue(gen.out().startsWith("to ") && gen.out().strip().length() >= 4, gen::toString);
    // Greedy decoding ignores the seed: two seeds, one text.
    String[] greedy = new String[2];
    for (int i = 0; i < 2; i++) {
      Cli.Run g =
          Cli.runInstalled("--backend", "cpu", "--threads", "1", "generate", "--model",
              out.toString(), "--prompt", "to ", "--max-new", "8", "--greedy", "--seed",
              Integer.toString(i + 1));
      assertEquals(0, g.code(), g::toString);
      greedy[i] = g.out();
    }
    assertEquals(greedy[0], greedy[1]);
    Cli.Run eval =
        Cli.runInstalled(
            "--backend",
            "cpu",
            "--threads",
            "1",
            "eval",
            "--model",
            out.toString(),
            "--data",
            text.toString(),
            "--batches",
            "1");
    assertEquals(0, eval.code(), eval::toString);
    assertTrue(eval.out().contains("perplexity"), eval::toString);
    // Resuming a finished run trains nothing more and keeps the step.
    Cli.Run again = Cli.runInstalled(concat(train, "--resume"));
    assertEquals(0, again.code(), again::toString);
    assertTrue(again.out().contains("at step 3"), again::toString);
  }

  @Test
  void seq2seqTrainsThenGeneratesGreedyAndBeamAndEvaluates(@TempDir Path dir) throws Exception {
    StringBuilder tsv = new StringBuilder();
    for (String w : new String[] {"abc", "bca", "cab", "aab", "bba", "cca", "abb", "cab"}) {
      tsv.append(w).append('\t').append(new StringBuilder(w).reverse()).append('\n');
    }
    Path pairs = Files.writeString(dir.resolve("pairs.tsv"), tsv.toString());
    Path out = dir.resolve("s2s");
    Cli.Run run =
        Cli.runInstalled(
            concat(
                new String[] {"--backend", "cpu", "--threads", "1"},
                tinySeq2seq(pairs.toString(), out.toString(), "--batch",
            "4",
            "--steps",
            "3",
            "--warmup",
            "1",
            "--eval-every",
            "2",
            "--val-fraction",
            "0.25")));
    assertEquals(0, run.code(), run::toString);
    assertTrue(run.out().contains("done at step 3"), run::toString);
    assertTrue(run.out().contains("held-out exact match (greedy)"), run::toString);
    for (String f : new String[] {"config.json", "recipe.json", "tokenizer.json", "loss.png"}) {
      assertTrue(Files.exists(out.resolve(f)), f + " missing: " + run);
    }
    for (String beams : new String[] {"1", "3"}) {
      Cli.Run gen =
          Cli.runInstalled(
              "--backend",
              "cpu",
              "--threads",
              "1",
              "generate",
              "--model",
              out.toString(),
              "--prompt",
              "abc",
              "--beams",
              beams);
      assertEquals(0, gen.code(), gen::toString);
    }
    Cli.Run eval =
        Cli.runInstalled(
            "--backend",
            "cpu",
            "--threads",
            "1",
            "eval",
            "--model",
            out.toString(),
            "--data",
            pairs.toString(),
            "--beams",
            "2");
    assertEquals(0, eval.code(), eval::toString);
    assertTrue(eval.out().contains("exact match greedy"), eval::toString);
    assertTrue(eval.out().contains("over 8 pairs"), eval::toString);
  }

  @Test
  void seq2seqTrainsWithAVocabTxtTokenizerAndStreamsGreedyOutput(@TempDir Path dir)
      throws Exception {
    String[] words = {"one", "two", "three"};
    StringBuilder tsv = new StringBuilder();
    for (int i = 0; i < 9; i++) {
      tsv.append(words[i % 3]).append('\t').append(i % 3 + 1).append('\n');
    }
    Path pairs = Files.writeString(dir.resolve("pairs.tsv"), tsv.toString());
    Path vocab =
        Files.writeString(
            dir.resolve("vocab.txt"),
            String.join(
                    "\n", "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "one", "two", "three", "1",
                    "2", "3")
                + "\n");
    Path out = dir.resolve("s2s");
    Cli.Run run =
        Cli.runInstalled(
            "--backend",
            "cpu",
            "--threads",
            "1",
            "train",
            "seq2seq",
            "--data",
            pairs.toString(),
            "--output",
            out.toString(),
            "--tokenizer",
            vocab.toString(),
            "--width",
            "16",
            "--heads",
            "2",
            "--ffn",
            "32",
            "--layers",
            "1",
            "--batch",
            "4",
            "--steps",
            "2",
            "--warmup",
            "1",
            "--val-fraction",
            "0");
    assertEquals(0, run.code(), run::toString);
    assertTrue(Files.exists(out.resolve("vocab.txt")), run::toString);
    Cli.Run gen =
        Cli.runInstalled(
            "--backend",
            "cpu",
            "--threads",
            "1",
            "generate",
            "--model",
            out.toString(),
            "--prompt",
            "two");
    assertEquals(0, gen.code(), gen::toString);
    assertTrue(gen.out().endsWith("\n"), gen::toString);
  }

  @Test
  void seq2seqWithAMissingTokenizerFileFailsInOneLine(@TempDir Path dir) throws Exception {
    Path pairs = Files.writeString(dir.resolve("p.tsv"), "ab\tba\n");
    Cli.Run run =
        Cli.runInstalled(
            "train",
            "seq2seq",
            "--data",
            pairs.toString(),
            "--output",
            dir.resolve("o").toString(),
            "--tokenizer",
            dir.resolve("nope.json").toString(),
            "--steps",
            "1");
    assertEquals(1, run.code(), run::toString);
    assertTrue(run.err().contains("no such tokenizer file"), run::toString);
  }

  static final String[] TINY_BERT = {
    "--backend", "cpu", "--threads", "1", "--width", "16", "--layers", "1", "--heads", "2",
    "--ffn", "32", "--batch", "4", "--steps", "3", "--warmup", "1", "--eval-every", "2",
    "--eval-batches", "1", "--max-length", "16", "--val-fraction", "0.25"
  };

  static String[] bert(String task, Path data, Path out, String... more) {
    String[] head = {"train", task, "--data", data.toString(), "--output", out.toString()};
    String[] globals = java.util.Arrays.copyOfRange(TINY_BERT, 0, 4);
    String[] opts = java.util.Arrays.copyOfRange(TINY_BERT, 4, TINY_BERT.length);
    return concat(concat(globals, head), concat(opts, more));
  }

  @Test
  void mlmTrainsAndSavesACheckpoint(@TempDir Path dir) throws Exception {
    Path text = Files.writeString(dir.resolve("t.txt"), "a cat sat on a mat. ".repeat(30));
    Path out = dir.resolve("mlm");
    Cli.Run run = Cli.runInstalled(bert("mlm", text, out));
    assertEquals(0, run.code(), run::toString);
    assertTrue(run.out().contains("done at step 3"), run::toString);
    assertTrue(run.out().contains("masked-token accuracy"), run::toString);
    for (String f : new String[] {"config.json", "recipe.json", "tokenizer.json", "loss.png"}) {
      assertTrue(Files.exists(out.resolve(f)), f + " missing: " + run);
    }
    Cli.Run eval =
        Cli.runInstalled(
            "--backend",
            "cpu",
            "--threads",
            "1",
            "eval",
            "--model",
            out.toString(),
            "--data",
            text.toString(),
            "--batches",
            "1");
    assertEquals(0, eval.code(), eval::toString);
    assertTrue(eval.out().contains("masked-token accuracy"), eval::toString);
    // The folder is a Hugging Face BERT folder too: t4j embed reads its root weights and its
    // WordLevel tokenizer.json. One unit-length vector per text.
    Cli.Run embed =
        Cli.runInstalled(
            "--backend", "cpu", "--threads", "1", "embed", "--model", out.toString(), "a cat");
    assertEquals(0, embed.code(), embed::toString);
    double norm = 0;
    for (String x : embed.out().strip().replaceAll("[\\[\\]]", "").split(",")) {
      norm += Double.parseDouble(x) * Double.parseDouble(x);
    }
    assertEquals(1.0, norm, 1e-5, embed::toString);
    Cli.Run again = Cli.runInstalled(concat(bert("mlm", text, out), "--resume"));
    assertEquals(0, again.code(), again::toString);
    assertTrue(again.out().contains("at step 3"), again::toString);
  }

  @Test
  void classifyTrainsOnTsvWithAVocabTxtTokenizer(@TempDir Path dir) throws Exception {
    StringBuilder tsv = new StringBuilder();
    for (int i = 0; i < 12; i++) {
      tsv.append(i % 2 == 0 ? "good day\tpos\n" : "bad day\tneg\n");
    }
    Path pairs = Files.writeString(dir.resolve("p.tsv"), tsv.toString());
    Path vocab =
        Files.writeString(
            dir.resolve("vocab.txt"),
            String.join("\n", "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "good", "bad", "day")
                + "\n");
    Path out = dir.resolve("cls");
    Cli.Run run = Cli.runInstalled(bert("classify", pairs, out, "--tokenizer", vocab.toString()));
    assertEquals(0, run.code(), run::toString);
    assertTrue(run.out().contains("classification accuracy"), run::toString);
    assertTrue(Files.exists(out.resolve("vocab.txt")), run::toString);
    assertTrue(Files.readString(out.resolve("config.json")).contains("id2label"), run::toString);
    Cli.Run eval =
        Cli.runInstalled(
            "--backend",
            "cpu",
            "--threads",
            "1",
            "eval",
            "--model",
            out.toString(),
            "--data",
            pairs.toString());
    assertEquals(0, eval.code(), eval::toString);
    assertTrue(eval.out().contains("classification accuracy"), eval::toString);
    assertTrue(eval.out().contains("over 12 examples"), eval::toString);
    // The folder is a Hugging Face BERT classifier too: the pipeline command reads it.
    Cli.Run classify =
        Cli.runInstalled(
            "--backend", "cpu", "--threads", "1", "classify", "--model", out.toString(),
            "--json", "good day", "bad day");
    assertEquals(0, classify.code(), classify::toString);
    List<String> lines = classify.out().strip().lines().toList();
    assertEquals(2, lines.size(), classify::toString);
    for (String line : lines) {
      assertTrue(line.contains("\"label\"") && line.contains("\"score\""), classify::toString);
    }
  }

  @Test
  void classifyWithOneLabelFailsInOneLine(@TempDir Path dir) throws Exception {
    Path pairs = Files.writeString(dir.resolve("p.tsv"), "good\tpos\nfine\tpos\n");
    Cli.Run run = Cli.runInstalled(bert("classify", pairs, dir.resolve("o")));
    assertEquals(1, run.code(), run::toString);
    assertTrue(run.err().contains("need at least 2"), run::toString);
  }

  @Test
  void quickstartTrainsSavesAndGenerates(@TempDir Path dir) {
    Cli.Run run =
        Cli.runInstalled(
            "--backend",
            "cpu",
            "--threads",
            "1",
            "quickstart",
            "--steps",
            "2",
            "--output",
            dir.resolve("qs").toString());
    assertEquals(0, run.code(), run::toString);
    assertTrue(run.out().contains("--- generated text ---"), run::toString);
    assertTrue(Files.exists(dir.resolve("qs/checkpoint/model.safetensors")), run::toString);
  }
}
