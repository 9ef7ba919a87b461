package io.github.transformers4j.apps;

import static io.github.transformers4j.apps.TrainingCommandsTest.concat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Typical mistakes with every command, in one table: a wrong file type, a missing file, an empty
 * file, a binary file, a folder of another model family, negative numbers and zero sizes. Each must
 * fail with the expected exit code (1 a failed command, 2 a bad command line) and one message that
 * names the file or option, and never a Java class name.
 */
class MistakesTest {
  @TempDir static Path dir;

  /** Placeholders in the table, replaced by the files made in {@link #files}. */
  private static final String[] FILES = {
    "TEXT",
    "EMPTY",
    "BINARY",
    "PAIRS",
    "NOTABS",
    "DUPLINES",
    "MISSING",
    "GPT",
    "S2S",
    "MLM",
    "DOCS",
    "HF"
  };

  @BeforeAll
  static void files() throws IOException {
    Files.writeString(
        dir.resolve("text.txt"), "to be or not to be, that is the question. ".repeat(20));
    Files.writeString(dir.resolve("empty.txt"), "");
    Files.write(
        dir.resolve("binary.bin"), new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, (byte) 0xc3});
    StringBuilder tsv = new StringBuilder();
    for (String w : new String[] {"abc", "bca", "cab", "aab", "bba", "cca"}) {
      tsv.append(w).append('\t').append(new StringBuilder(w).reverse()).append('\n');
    }
    Files.writeString(dir.resolve("pairs.tsv"), tsv.toString());
    Files.writeString(dir.resolve("notabs.tsv"), "First Citizen:\nBefore we proceed any further\n");
    Files.writeString(
        dir.resolve("duplines.txt"), "First Citizen:\nSpeak.\nFirst Citizen:\nYou are all.\n");
    Files.createDirectories(dir.resolve("docs"));
    Files.writeString(dir.resolve("docs/notes.txt"), "mine");
    Files.createDirectories(dir.resolve("hf"));
    Files.writeString(dir.resolve("hf/config.json"), "{\"model_type\": \"gpt2\"}");
    Files.writeString(dir.resolve("hf/model.safetensors"), "");
    String[] g = {"--backend", "cpu", "--threads", "1"};
    train(
        concat(
            g,
            concat(
                new String[] {"train", "clm", "--data", p("TEXT"), "--output", p("GPT")},
                TrainingCommandsTest.TINY)));
    train(
        concat(
            g,
            TrainingCommandsTest.tinySeq2seq(p("PAIRS"), p("S2S"), "--batch",
            "4",
            "--steps",
            "1",
            "--val-fraction",
            "0",
            "--exact-match-limit",
            "0")));
    train(TrainingCommandsTest.bert("mlm", Path.of(p("TEXT")), Path.of(p("MLM"))));
  }

  private static void train(String... args) {
    Cli.Run run = Cli.runInstalled(args);
    assertEquals(0, run.code(), run::toString);
  }

  private static String p(String name) {
    return dir.resolve(
            switch (name) {
              case "TEXT" -> "text.txt";
              case "EMPTY" -> "empty.txt";
              case "BINARY" -> "binary.bin";
              case "PAIRS" -> "pairs.tsv";
              case "NOTABS" -> "notabs.tsv";
              case "DUPLINES" -> "duplines.txt";
              case "MISSING" -> "missing.txt";
              case "GPT" -> "gpt";
              case "S2S" -> "s2s";
              case "MLM" -> "mlm";
              case "DOCS" -> "docs";
              case "HF" -> "hf";
              default -> throw new IllegalArgumentException(name);
            })
        .toString();
  }

  /**
   * The table: exit code | command line (placeholders for the files above, OUT for a fresh output
   * path, TINY for a tiny model's options) | words the error line must hold, separated by ';'.
   */
  private static final String TABLE =
      """
      1 | train clm --data MISSING --output OUT | missing.txt; no such file
      1 | train clm --data EMPTY --output OUT | empty.txt; no text
      1 | train clm --data BINARY --output OUT | binary.bin; not UTF-8
      2 | train clm --data TEXT --output OUT --steps -5 | --steps; -5
      2 | train clm --data TEXT --output OUT --width 0 | --width
      2 | train clm --data TEXT --output OUT --dropout 1.5 | --dropout
      2 | train clm --data TEXT --output OUT --warmup -1 | --warmup
      2 | train clm --data TEXT --output OUT --lr 0 | --lr
      1 | train clm --data TEXT --output S2S --resume | s2s; encoder-decoder model
      1 | train clm --data TEXT --output GPT | gpt; --overwrite
      1 | train clm --data TEXT --output TEXT | text.txt; is a file
      1 | train seq2seq --data NOTABS --output OUT TINY | notabs.tsv; expected source<TAB>target
      1 | train seq2seq --data EMPTY --output OUT TINY | empty.txt; no pairs
      1 | train seq2seq --data BINARY --output OUT TINY | binary.bin; not UTF-8
      1 | train seq2seq --data PAIRS --output OUT --tokenizer DUPLINES TINY | duplines.txt; tokenizer
      1 | train seq2seq --data PAIRS --output OUT --tokenizer MISSING TINY | missing.txt
      2 | train seq2seq --data PAIRS --output OUT --ffn -1 | --ffn
      1 | train seq2seq --data PAIRS --output GPT --resume | char-level GPT
      1 | train mlm --data BINARY --output OUT | binary.bin; not UTF-8
      2 | train mlm --data TEXT --output OUT --max-length 0 | --max-length
      1 | train mlm --data TEXT --output GPT --resume | char-level GPT
      1 | train mlm --data TEXT --output HF --resume | Hugging Face
      1 | train classify --data NOTABS --output OUT | notabs.tsv; expected text<TAB>label
      1 | train classify --data MISSING --output OUT | missing.txt
      2 | train classify --data PAIRS --output OUT --val-fraction -0.1 | --val-fraction
      1 | eval --model GPT --data BINARY | binary.bin; not UTF-8
      1 | eval --model GPT --data EMPTY | empty.txt
      1 | eval --model MISSING --data TEXT | missing.txt; no such folder
      1 | eval --model DOCS --data TEXT | docs; not a model
      1 | eval --model TEXT --data TEXT | text.txt; is a file
      1 | eval --model HF --data TEXT | Hugging Face
      2 | eval --model GPT --data TEXT --beams 2 | --beams; char-level GPT
      2 | eval --model S2S --data PAIRS --batches 3 | --batches; encoder-decoder
      2 | eval --model GPT --data TEXT --batches -1 | --batches
      1 | eval --model S2S --data NOTABS | notabs.tsv; expected source<TAB>target
      1 | generate --model MISSING | missing.txt
      1 | generate --model MLM | mlm; needs a decoder
      2 | generate --model GPT --ids 1,2 | --ids; char-level GPT
      2 | generate --model GPT --max-new -1 | --max-new
      2 | generate --model GPT --top-p 0 | --top-p
      2 | generate --model GPT --temperature 0 | --temperature
      2 | generate --model GPT --beams 2 --top-k 5 | --beams
      1 | embed --model MISSING hello | missing.txt
      1 | embed --model GPT hello | gpt
      1 | tokenize -t MISSING hello | missing.txt
      1 | tokenize -t BINARY hello | binary.bin
      1 | tokenize -t DUPLINES hello | duplines.txt
      2 | generate --model GPT --data TEXT | --data
      1 | tokenizer train --output OUT MISSING | missing.txt
      1 | tokenizer train --output OUT EMPTY | empty.txt
      2 | tokenizer train --vocab-size 0 --output OUT TEXT | --vocab-size
      1 | tokenizer train --output DOCS TEXT | docs; is a folder
      2 | quickstart --steps 0 | --steps
      1 | quickstart --output DOCS --steps 1 | docs; notes.txt
      2 | train seq2seq --data PAIRS --output OUT --source-field src TINY | --source-field; TSV
      2 | train classify --data PAIRS --output OUT --label-field y | --label-field
      2 | bench gemm --sizes 0 | --sizes
      2 | bench train --steps -1 | --steps
      2 | bench generate --width 0 | --width
      """;

  /** One mistake: the command line, the exit code, and words the message must hold. */
  record Mistake(String line, int code, List<String> words) {
    @Override
    public String toString() {
      return line;
    }
  }

  static Stream<Mistake> mistakes() {
    return TABLE.lines()
        .map(
            row -> {
              String[] cols = row.split("\\|");
              return new Mistake(
                  cols[1].strip().replace("TINY", "--steps 1 --width 16 --heads 2 --layers 1"),
                  Integer.parseInt(cols[0].strip()),
                  Stream.of(cols[2].split(";")).map(String::strip).toList());
            });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("mistakes")
  void aMistakeGetsOneLineNamingTheThing(Mistake mistake) throws IOException {
    List<String> args = new ArrayList<>(List.of("--backend", "cpu", "--threads", "1"));
    Path out = Files.createTempDirectory(dir, "out").resolve("o");
    for (String w : mistake.line().split(" ")) {
      args.add(w.equals("OUT") ? out.toString() : List.of(FILES).contains(w) ? p(w) : w);
    }
    Cli.Run run = Cli.runInstalled(args.toArray(String[]::new));
    assertEquals(mistake.code(), run.code(), run::toString);
    List<String> lines = run.errorLines();
    assertEquals(1, lines.size(), () -> "one error line expected: " + run);
    String line = lines.get(0);
    for (String w : mistake.words()) {
      assertTrue(line.contains(w), () -> "'" + w + "' not in: " + line);
    }
    assertFalse(line.contains("Exception") || line.contains("java."), line);
    assertFalse(Files.exists(out), "a failed command wrote its output: " + out);
  }
}
