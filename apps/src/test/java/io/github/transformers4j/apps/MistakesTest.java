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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

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
    "TEXT", "EMPTY", "BINARY", "PAIRS", "NOTABS", "DUPLINES", "MISSING", "GPT", "S2S", "MLM",
    "DOCS", "HF"
  };

  @BeforeAll
  static void files() throws IOException {
    Files.writeString(dir.resolve("text.txt"), "to be or not to be, that is the question. ".repeat(20));
    Files.writeString(dir.resolve("empty.txt"), "");
    Files.write(dir.resolve("binary.bin"), new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, (byte) 0xc3});
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
    train(concat(g, concat(new String[] {"train", "clm", "--data", p("TEXT"), "--output",
        p("GPT")}, TrainingCommandsTest.TINY)));
    train(concat(g, "train", "seq2seq", "--data", p("PAIRS"), "--output", p("S2S"), "--width",
        "16", "--heads", "2", "--ffn", "32", "--layers", "1", "--batch", "4", "--steps", "1",
        "--val-fraction", "0", "--exact-match-limit", "0"));
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

  /** One mistake: the command line, the exit code, and words the message must hold. */
  record Mistake(String what, String line, int code, List<String> words) {
    @Override
    public String toString() {
      return what;
    }
  }

  private static Mistake m(String what, String line, int code, String... words) {
    return new Mistake(what, line, code, List.of(words));
  }

  static Stream<Mistake> mistakes() {
    String tiny = " --steps 1 --width 16 --heads 2 --layers 1";
    return Stream.of(
        // train clm
        m("clm: missing data", "train clm --data MISSING --output OUT", 1, "missing.txt",
            "no such file"),
        m("clm: empty data", "train clm --data EMPTY --output OUT", 1, "empty.txt", "no text"),
        m("clm: binary data", "train clm --data BINARY --output OUT", 1, "binary.bin",
            "not UTF-8"),
        m("clm: negative steps", "train clm --data TEXT --output OUT --steps -5", 2, "--steps",
            "-5"),
        m("clm: zero width", "train clm --data TEXT --output OUT --width 0", 2, "--width"),
        m("clm: dropout above 1", "train clm --data TEXT --output OUT --dropout 1.5", 2,
            "--dropout"),
        m("clm: negative warmup", "train clm --data TEXT --output OUT --warmup -1", 2,
            "--warmup"),
        m("clm: zero lr", "train clm --data TEXT --output OUT --lr 0", 2, "--lr"),
        m("clm: resume a seq2seq folder", "train clm --data TEXT --output S2S --resume", 1,
            "s2s", "encoder-decoder model"),
        m("clm: output into a model", "train clm --data TEXT --output GPT", 1, "gpt",
            "--overwrite"),
        m("clm: output is a file", "train clm --data TEXT --output TEXT", 1, "text.txt",
            "is a file"),
        // train seq2seq
        m("seq2seq: text instead of pairs", "train seq2seq --data NOTABS --output OUT" + tiny, 1,
            "notabs.tsv", "expected source<TAB>target"),
        m("seq2seq: empty pairs", "train seq2seq --data EMPTY --output OUT" + tiny, 1,
            "empty.txt", "no pairs"),
        m("seq2seq: binary pairs", "train seq2seq --data BINARY --output OUT" + tiny, 1,
            "binary.bin", "not UTF-8"),
        m("seq2seq: a text file as vocabulary",
            "train seq2seq --data PAIRS --output OUT --tokenizer DUPLINES" + tiny, 1,
            "duplines.txt", "tokenizer"),
        m("seq2seq: missing tokenizer",
            "train seq2seq --data PAIRS --output OUT --tokenizer MISSING" + tiny, 1,
            "missing.txt"),
        m("seq2seq: negative ffn", "train seq2seq --data PAIRS --output OUT --ffn -1", 2,
            "--ffn"),
        m("seq2seq: resume a GPT folder", "train seq2seq --data PAIRS --output GPT --resume", 1,
            "char-level GPT"),
        // train mlm, classify
        m("mlm: binary data", "train mlm --data BINARY --output OUT", 1, "binary.bin",
            "not UTF-8"),
        m("mlm: zero max length", "train mlm --data TEXT --output OUT --max-length 0", 2,
            "--max-length"),
        m("mlm: resume a GPT folder", "train mlm --data TEXT --output GPT --resume", 1,
            "char-level GPT"),
        m("mlm: resume a Hugging Face folder", "train mlm --data TEXT --output HF --resume", 1,
            "Hugging Face"),
        m("classify: text instead of pairs", "train classify --data NOTABS --output OUT", 1,
            "notabs.tsv", "expected text<TAB>label"),
        m("classify: missing data", "train classify --data MISSING --output OUT", 1,
            "missing.txt"),
        m("classify: negative val fraction",
            "train classify --data PAIRS --output OUT --val-fraction -0.1", 2, "--val-fraction"),
        // eval
        m("eval: binary data", "eval --model GPT --data BINARY", 1, "binary.bin", "not UTF-8"),
        m("eval: empty data", "eval --model GPT --data EMPTY", 1, "empty.txt"),
        m("eval: missing model", "eval --model MISSING --data TEXT", 1, "missing.txt",
            "no such folder"),
        m("eval: a folder of other files", "eval --model DOCS --data TEXT", 1, "docs",
            "not a model"),
        m("eval: a file as model", "eval --model TEXT --data TEXT", 1, "text.txt", "is a file"),
        m("eval: a Hugging Face folder", "eval --model HF --data TEXT", 1, "Hugging Face"),
        m("eval: beams for a GPT", "eval --model GPT --data TEXT --beams 2", 2, "--beams",
            "char-level GPT"),
        m("eval: batches for seq2seq", "eval --model S2S --data PAIRS --batches 3", 2,
            "--batches", "encoder-decoder"),
        m("eval: negative batches", "eval --model GPT --data TEXT --batches -1", 2, "--batches"),
        m("eval: text instead of pairs", "eval --model S2S --data NOTABS", 1, "notabs.tsv",
            "expected source<TAB>target"),
        // generate
        m("generate: missing model", "generate --model MISSING", 1, "missing.txt"),
        m("generate: an encoder", "generate --model MLM", 1, "mlm", "needs a decoder"),
        m("generate: ids for a char model", "generate --model GPT --ids 1,2", 2, "--ids",
            "char-level GPT"),
        m("generate: negative max-new", "generate --model GPT --max-new -1", 2, "--max-new"),
        m("generate: top-p zero", "generate --model GPT --top-p 0", 2, "--top-p"),
        m("generate: zero temperature", "generate --model GPT --temperature 0", 2,
            "--temperature"),
        m("generate: beams with sampling", "generate --model GPT --beams 2 --top-k 5", 2,
            "--beams"),
        // embed, tokenize, tokenizer train
        m("embed: missing model", "embed --model MISSING hello", 1, "missing.txt"),
        m("embed: a char GPT", "embed --model GPT hello", 1, "gpt"),
        m("tokenize: missing tokenizer", "tokenize -t MISSING hello", 1, "missing.txt"),
        m("tokenize: binary tokenizer", "tokenize -t BINARY hello", 1, "binary.bin"),
        m("tokenizer train: missing file", "tokenizer train --output OUT MISSING", 1,
            "missing.txt"),
        m("tokenizer train: empty file", "tokenizer train --output OUT EMPTY", 1, "empty.txt"),
        m("tokenizer train: zero vocabulary", "tokenizer train --vocab-size 0 --output OUT TEXT",
            2, "--vocab-size"),
        m("tokenizer train: output is a folder", "tokenizer train --output DOCS TEXT", 1, "docs",
            "is a folder"),
        // quickstart, bench
        m("quickstart: zero steps", "quickstart --steps 0", 2, "--steps"),
        m("quickstart: a folder of other files", "quickstart --output DOCS --steps 1", 1, "docs",
            "notes.txt"),
        m("seq2seq: a JSONL field for TSV data",
            "train seq2seq --data PAIRS --output OUT --source-field src" + tiny, 2,
            "--source-field", "TSV"),
        m("classify: a JSONL field for TSV data",
            "train classify --data PAIRS --output OUT --label-field y", 2, "--label-field"),
        m("bench gemm: zero size", "bench gemm --sizes 0", 2, "--sizes"),
        m("bench train: negative steps", "bench train --steps -1", 2, "--steps"),
        m("bench generate: zero width", "bench generate --width 0", 2, "--width"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("mistakes")
  void aMistakeGetsOneLineNamingTheThing(Mistake mistake) throws IOException {
    List<String> args = new ArrayList<>(List.of("--backend", "cpu", "--threads", "1"));
    Path out = Files.createTempDirectory(dir, "out").resolve("o");
    for (String w : mistake.line().split(" ")) {
      args.add(
          w.equals("OUT") ? out.toString() : List.of(FILES).contains(w) ? p(w) : w);
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
