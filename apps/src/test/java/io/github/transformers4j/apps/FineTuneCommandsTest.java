package io.github.transformers4j.apps;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.spi.BackendOptions;
import io.github.transformers4j.api.registry.Backends;
import io.github.transformers4j.api.testing.SharedData;
import io.github.transformers4j.models.config.HfConfig;
import io.github.transformers4j.models.nn.PretrainedModel;
import io.github.transformers4j.models.pretrained.Pretrained;
import io.github.transformers4j.models.tasks.SequenceClassifier;
import io.github.transformers4j.models.weights.SafeTensors;
import io.github.transformers4j.models.weights.Weights;
import io.github.transformers4j.training.FineTune;
import io.github.transformers4j.training.OutputFolder;
import io.github.transformers4j.training.data.Datasets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code t4j train clm|mlm|seq2seq|classify --from DIR}: fine-tuning the hf-tiny folders of
 * several families, each run's output read back as a folder of the same family by {@code
 * Pretrained.load} and by the task commands; the refusals.
 */
class FineTuneCommandsTest {
  private static final Path HF = SharedData.require("models/hf-tiny");

  private static final String[] ONES = {
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen"
  };
  private static final String[] TENS = {
    "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"
  };

  /** The number-words task of examples/numbers, 0..99: "forty-two" TAB "42". */
  private static String numberPairs() {
    StringBuilder b = new StringBuilder();
    for (int n = 0; n < 100; n++) {
      String w = n < 20 ? ONES[n] : TENS[n / 10] + (n % 10 == 0 ? "" : "-" + ONES[n % 10]);
      b.append(w).append('\t').append(n).append('\n');
    }
    return b.toString();
  }

  /** A model folder: the fixture's config and weights, plus tokenizer files. */
  private static Path folder(Path dir, String family, Map<Path, String> tokenizerFiles)
      throws Exception {
    Files.createDirectories(dir);
    Files.copy(HF.resolve(family).resolve("config.json"), dir.resolve("config.json"));
    Files.copy(HF.resolve(family).resolve("model.safetensors"), dir.resolve("model.safetensors"));
    for (Map.Entry<Path, String> e : tokenizerFiles.entrySet()) {
      Files.copy(e.getKey(), dir.resolve(e.getValue()));
    }
    return dir;
  }

  private static Path wordPieceFolder(Path dir, String family) throws Exception {
    return folder(
        dir,
        family,
        Map.of(
            HF.resolve("pipelines/wordpiece-tokenizer.json"), "tokenizer.json",
            HF.resolve("pipelines/wordpiece-tokenizer_config.json"), "tokenizer_config.json"));
  }

  /** The training losses of metrics.jsonl, by step. */
  private static List<Double> losses(Path out, String key) throws Exception {
    List<Double> l = new ArrayList<>();
    for (String line : Files.readAllLines(out.resolve("metrics.jsonl"))) {
      JsonObject o = JsonParser.parseString(line).getAsJsonObject();
      if (o.has(key)) {
        l.add(o.get(key).getAsDouble());
      }
    }
    return l;
  }

  private static double mean(List<Double> xs) {
    return xs.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
  }

  /** The class {@code Pretrained.load} builds for {@code dir}, and its labels if it classifies. */
  private static String load(Path dir) throws Exception {
    try (ComputeBackend b = Backends.installed().create("cpu", BackendOptions.none())) {
      PretrainedModel m = Pretrained.load(new Ops(b), dir);
      return m.getClass().getSimpleName()
          + (m instanceof SequenceClassifier c ? " " + c.labels() : "");
    }
  }

  @Test
  void t5FineTunedOnNumberWordsIsAT5FolderThatGenerates(@TempDir Path tmp) throws Exception {
    Path src =
        folder(
            tmp.resolve("t5"),
            "t5",
            Map.of(
                SharedData.require("tokenizers/t5/saved/tokenizer.json"), "tokenizer.json",
                SharedData.require("tokenizers/t5/tokenizer_config.json"),
                    "tokenizer_config.json"));
    Path data = tmp.resolve("pairs.tsv");
    Files.writeString(data, numberPairs());
    Path out = tmp.resolve("out");
    Cli.Run run =
        Cli.runInstalled(
            "--backend", "cpu", "train", "seq2seq", "--from", src.toString(), "--data",
            data.toString(), "--output", out.toString(), "--steps", "60", "--batch", "16", "--lr",
            "1e-2", "--eval-every", "30");
    assertEquals(0, run.code(), run::toString);
    assertTrue(run.out().contains("T5ForConditionalGeneration"), run::toString);
    List<Double> loss = losses(out, "loss");
    assertEquals(60, loss.size());
    // Seeded run; the tolerance is wide: the first steps average about 6.9, the last about 4.
    assertTrue(
        mean(loss.subList(55, 60)) < mean(loss.subList(0, 5)) - 1.0,
        () -> "loss did not fall: " + loss);

    Map<String, Object> cfg = HfConfig.read(out.resolve("config.json"));
    assertEquals(List.of("T5ForConditionalGeneration"), cfg.get("architectures"));
    assertEquals("T5ForConditionalGeneration", load(out));
    assertTrue(Files.isRegularFile(out.resolve("tokenizer.json")));
    assertTrue(Files.isRegularFile(out.resolve("checkpoint/trainer_state.json")));

    Cli.Run gen =
        Cli.runInstalled(
            "--backend", "cpu", "generate", "--model", out.toString(), "--prompt", "forty-two",
            "--greedy", "--max-new", "4");
    assertEquals(0, gen.code(), gen::toString);

    Cli.Run eval =
        Cli.runInstalled(
            "--backend", "cpu", "eval", "--model", out.toString(), "--data", data.toString());
    assertEquals(0, eval.code(), eval::toString);
    assertTrue(eval.out().matches("(?s)loss \\d+\\.\\d{4}, perplexity .* over \\d+ target tokens\n"),
        eval::toString);

    // --resume continues from the output folder itself, without --from.
    Cli.Run more =
        Cli.runInstalled(
            "--backend", "cpu", "train", "seq2seq", "--data", data.toString(), "--output",
            out.toString(), "--resume", "--steps", "70", "--batch", "16", "--lr", "1e-2",
            "--eval-every", "30");
    assertEquals(0, more.code(), more::toString);
    assertTrue(more.out().startsWith("done at step 70"), more::toString);
    assertEquals("T5ForConditionalGeneration", load(out));
    // Another task cannot continue it.
    Cli.Run other =
        Cli.runInstalled(
            "--backend", "cpu", "train", "clm", "--data", data.toString(), "--output",
            out.toString(), "--resume");
    assertNotEquals(0, other.code(), other::toString);
    assertTrue(other.err().contains("'t4j train seq2seq --from'"), other::toString);
  }

  /**
   * A fine-tuning run stopped at step 6 and resumed to 12 (a new model built from the output
   * folder, then the checkpoint restored) ends with the same weights, bit for bit, as one run of
   * 12 steps: dropout on (0.1), a validation pass at step 6.
   */
  @Test
  void aStoppedAndResumedFineTuneEqualsOneRun(@TempDir Path tmp) throws Exception {
    Path src =
        folder(
            tmp.resolve("t5"),
            "t5",
            Map.of(SharedData.require("tokenizers/t5/saved/tokenizer.json"), "tokenizer.json"));
    // Dropout on, so that the resumed run must also continue the dropout streams.
    Path config = src.resolve("config.json");
    String withDropout =
        Files.readString(config).replace("\"dropout_rate\": 0.0", "\"dropout_rate\": 0.1");
    assertNotEquals(Files.readString(config), withDropout);
    Files.writeString(config, withDropout);
    List<Datasets.Pair> pairs =
        numberPairs().lines().map(l -> l.split("\t")).map(a -> new Datasets.Pair(a[0], a[1]))
            .toList();
    FineTune.Data data = FineTune.Data.pairs(pairs);
    Path whole = tmp.resolve("whole");
    Path split = tmp.resolve("split");
    try (ComputeBackend b = Backends.installed().create("cpu", BackendOptions.none())) {
      Ops ops = new Ops(b);
      run(ops, src, data, whole, false, 0);
      run(ops, src, data, split, false, 6);
      assertEquals(6, losses(split, "loss").size());
      run(ops, null, data, split, true, 0);
    }
    assertEquals(losses(whole, "loss"), losses(split, "loss"));
    try (Weights a = SafeTensors.open(whole.resolve("model.safetensors"));
        Weights c = SafeTensors.open(split.resolve("model.safetensors"))) {
      assertEquals(a.names(), c.names());
      for (String n : a.names()) {
        assertArrayEquals(a.floats(n), c.floats(n), n);
      }
    }
  }

  private static void run(
      Ops ops, Path from, FineTune.Data data, Path out, boolean resume, long stopAt)
      throws Exception {
    FineTune.Settings s =
        new FineTune.Settings(0, 8, 12, 1e-2, 1e-3, 2, 0.01, 1.0, 0f, 6, 2, 0.1, 5, stopAt);
    try (OutputFolder f =
        OutputFolder.open(
            out, FineTune.TASK, resume ? OutputFolder.Mode.RESUME : OutputFolder.Mode.NEW)) {
      FineTune.train(ops, FineTune.Task.SEQ2SEQ, from, data, s, f, false, null);
    }
  }

  @Test
  void gpt2ClmWithAFolderTokenizerWritesAGpt2Folder(@TempDir Path tmp) throws Exception {
    Path src = folder(tmp.resolve("gpt2"), "gpt2", Map.of());
    Path corpus = tmp.resolve("corpus.txt");
    Files.writeString(corpus, "the quick brown fox jumps over the lazy dog\n".repeat(60));
    // A vocabulary within the model's 300 ids.
    Cli.Run tok =
        Cli.runInstalled(
            "tokenizer", "train", "--model", "bpe", "--vocab-size", "300", "-o",
            src.resolve("tokenizer.json").toString(), corpus.toString());
    assertEquals(0, tok.code(), tok::toString);
    Path out = tmp.resolve("out");
    Cli.Run run =
        Cli.runInstalled(
            "--backend", "cpu", "train", "clm", "--from", src.toString(), "--data",
            corpus.toString(), "--output", out.toString(), "--steps", "30", "--batch", "4",
            "--block", "32", "--lr", "3e-3", "--eval-every", "30");
    assertEquals(0, run.code(), run::toString);
    List<Double> loss = losses(out, "loss");
    assertTrue(
        mean(loss.subList(25, 30)) < mean(loss.subList(0, 5)) - 1.0,
        () -> "loss did not fall: " + loss);
    assertEquals(
        List.of("GPT2LMHeadModel"), HfConfig.read(out.resolve("config.json")).get("architectures"));
    assertEquals("Gpt2Model", load(out));
    // The root weights are the checkpoint's, under GPT2LMHeadModel's names.
    try (Weights ckpt = SafeTensors.open(out.resolve("checkpoint/model.safetensors"));
        Weights root = SafeTensors.open(out.resolve("model.safetensors"))) {
      assertEquals(ckpt.names().size(), root.names().size());
      for (String n : ckpt.names()) {
        assertArrayEquals(ckpt.floats(n), root.floats("transformer." + n), n);
      }
    }
    Cli.Run gen =
        Cli.runInstalled(
            "--backend", "cpu", "generate", "--model", out.toString(), "--prompt", "the quick",
            "--greedy", "--max-new", "5");
    assertEquals(0, gen.code(), gen::toString);
    assertTrue(gen.out().startsWith("the quick"), gen::toString);
  }

  @Test
  void electraClassifierGetsTheDataLabelsAndClassifies(@TempDir Path tmp) throws Exception {
    Path src = wordPieceFolder(tmp.resolve("electra"), "electra-generator");
    SplittableRandom r = new SplittableRandom(1);
    String[] good = {"good", "fine", "great", "nice"};
    String[] bad = {"bad", "poor", "awful", "sad"};
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 120; i++) {
      boolean pos = r.nextBoolean();
      String[] w = pos ? good : bad;
      b.append("the film was ")
          .append(w[r.nextInt(4)])
          .append(" and ")
          .append(w[r.nextInt(4)])
          .append('\t')
          .append(pos ? "pos" : "neg")
          .append('\n');
    }
    Path data = tmp.resolve("cls.tsv");
    Files.writeString(data, b.toString());
    Path out = tmp.resolve("out");
    Cli.Run run =
        Cli.runInstalled(
            "--backend", "cpu", "train", "classify", "--from", src.toString(), "--data",
            data.toString(), "--output", out.toString(), "--steps", "60", "--batch", "32", "--lr",
            "5e-3", "--eval-every", "10");
    assertEquals(0, run.code(), run::toString);
    List<Double> val = losses(out, "val_loss");
    // ln 2 = 0.693 at the start; seeded run, about 0.60 at the end.
    assertTrue(val.get(val.size() - 1) < 0.66, () -> "val loss did not fall: " + val);
    Map<String, Object> cfg = HfConfig.read(out.resolve("config.json"));
    assertEquals(List.of("ElectraForSequenceClassification"), cfg.get("architectures"));
    assertEquals(Map.of("0", "neg", "1", "pos"), cfg.get("id2label"));
    assertEquals("RobertaForSequenceClassification [neg, pos]", load(out));
    Cli.Run cls =
        Cli.runInstalled(
            "--backend", "cpu", "classify", "--model", out.toString(), "the film was good and nice");
    assertEquals(0, cls.code(), cls::toString);
    assertTrue(cls.out().startsWith("pos") || cls.out().startsWith("neg"), cls::toString);
    Cli.Run eval =
        Cli.runInstalled(
            "--backend", "cpu", "eval", "--model", out.toString(), "--data", data.toString());
    assertEquals(0, eval.code(), eval::toString);
    assertTrue(eval.out().contains("accuracy") && eval.out().contains("over 120 examples"),
        eval::toString);
    Path more = tmp.resolve("more.tsv");
    Files.writeString(more, b + "the film was long\tmeh\n");
    Cli.Run otherLabels =
        Cli.runInstalled(
            "--backend", "cpu", "train", "classify", "--data", more.toString(), "--output",
            out.toString(), "--resume", "--steps", "70");
    assertNotEquals(0, otherLabels.code(), otherLabels::toString);
    assertTrue(
        otherLabels.err().contains("the labels of --data [meh, neg, pos] are not those"),
        otherLabels::toString);
  }

  /**
   * A BERT masked LM of 't4j train mlm' (no pooler) fine-tuned to classify: the pooler and the
   * classifier are new, the encoder is the folder's, and the classifier's output classifies.
   */
  @Test
  void bertMaskedLmOfOursBecomesAClassifierWithANewPooler(@TempDir Path tmp) throws Exception {
    Path text = tmp.resolve("text.txt");
    Files.writeString(text, "one two three four five six seven eight nine ten\n".repeat(30));
    Path bert = tmp.resolve("bert");
    Cli.Run mlm =
        Cli.runInstalled(
            "--backend", "cpu", "train", "mlm", "--data", text.toString(), "--output",
            bert.toString(), "--steps", "2", "--width", "16", "--layers", "1", "--heads", "2",
            "--ffn", "32", "--max-length", "16", "--eval-every", "2");
    assertEquals(0, mlm.code(), mlm::toString);
    Path pairs = tmp.resolve("pairs.tsv");
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      b.append(i % 2 == 0 ? "two four six" : "one three five").append('\t')
          .append(i % 2 == 0 ? "even" : "odd").append('\n');
    }
    Files.writeString(pairs, b.toString());
    Path out = tmp.resolve("cls");
    Cli.Run run =
        Cli.runInstalled(
            "--backend", "cpu", "train", "classify", "--from", bert.toString(), "--data",
            pairs.toString(), "--output", out.toString(), "--steps", "5", "--eval-every", "5");
    assertEquals(0, run.code(), run::toString);
    Map<String, Object> cfg = HfConfig.read(out.resolve("config.json"));
    assertEquals(List.of("BertForSequenceClassification"), cfg.get("architectures"));
    assertEquals("BertForSequenceClassification [even, odd]", load(out));
    Cli.Run cls =
        Cli.runInstalled("--backend", "cpu", "classify", "--model", out.toString(), "two four");
    assertEquals(0, cls.code(), cls::toString);
    assertTrue(cls.out().startsWith("even") || cls.out().startsWith("odd"), cls::toString);
  }

  @Test
  void electraMaskedLmStaysAMaskedLmAndFillsMasks(@TempDir Path tmp) throws Exception {
    Path src = wordPieceFolder(tmp.resolve("electra"), "electra-generator");
    SplittableRandom r = new SplittableRandom(2);
    String[] words = {"good", "bad", "fine", "sad"};
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 100; i++) {
      b.append("the film was ").append(words[r.nextInt(4)]).append(" and the play was ")
          .append(words[r.nextInt(4)]).append('\n');
    }
    Path data = tmp.resolve("text.txt");
    Files.writeString(data, b.toString());
    Path out = tmp.resolve("out");
    Cli.Run run =
        Cli.runInstalled(
            "--backend", "cpu", "train", "mlm", "--from", src.toString(), "--data",
            data.toString(), "--output", out.toString(), "--steps", "40", "--batch", "16", "--lr",
            "5e-3", "--eval-every", "40");
    assertEquals(0, run.code(), run::toString);
    List<Double> loss = losses(out, "loss");
    assertTrue(
        mean(loss.subList(35, 40)) < mean(loss.subList(0, 5)) - 1.0,
        () -> "loss did not fall: " + loss);
    assertEquals(
        List.of("ElectraForMaskedLM"),
        HfConfig.read(out.resolve("config.json")).get("architectures"));
    Cli.Run fill =
        Cli.runInstalled(
            "--backend", "cpu", "fill-mask", "--model", out.toString(),
            "the film was [MASK] and the play was good");
    assertEquals(0, fill.code(), fill::toString);
    assertTrue(fill.out().contains("the film was"), fill::toString);
  }

  @Test
  void refusalsNameTheOptionOrTheArchitecture(@TempDir Path tmp) throws Exception {
    Path t5 =
        folder(
            tmp.resolve("t5"),
            "t5",
            Map.of(SharedData.require("tokenizers/t5/saved/tokenizer.json"), "tokenizer.json"));
    Path gpt2 = wordPieceFolder(tmp.resolve("gpt2"), "gpt2");
    Path seqcls = wordPieceFolder(tmp.resolve("roberta"), "roberta-seqcls");
    Path text = tmp.resolve("text.txt");
    Files.writeString(text, "one two three four five six seven eight nine ten\n".repeat(20));
    Path pairs = tmp.resolve("pairs.tsv");
    Files.writeString(pairs, "one\t1\ntwo\t2\nthree\t3\n");

    Cli.Run shape =
        Cli.runInstalled(
            "--backend", "cpu", "train", "seq2seq", "--from", t5.toString(), "--data",
            pairs.toString(), "--output", tmp.resolve("a").toString(), "--width", "8", "--layers",
            "2");
    assertNotEquals(0, shape.code(), shape::toString);
    assertTrue(
        shape.err().contains("--width, --layers do not apply with --from"), shape::toString);

    Cli.Run clmOnT5 =
        Cli.runInstalled(
            "--backend", "cpu", "train", "clm", "--from", t5.toString(), "--data",
            text.toString(), "--output", tmp.resolve("b").toString());
    assertNotEquals(0, clmOnT5.code(), clmOnT5::toString);
    assertTrue(
        clmOnT5.err().contains("clm --from needs a decoder")
            && clmOnT5.err().contains("T5ForConditionalGeneration"),
        clmOnT5::toString);

    Cli.Run mlmOnClassifier =
        Cli.runInstalled(
            "--backend", "cpu", "train", "mlm", "--from", seqcls.toString(), "--data",
            text.toString(), "--output", tmp.resolve("c").toString());
    assertNotEquals(0, mlmOnClassifier.code(), mlmOnClassifier::toString);
    assertTrue(
        mlmOnClassifier.err().contains("RobertaForSequenceClassification"),
        mlmOnClassifier::toString);

    Cli.Run classifyGpt2 =
        Cli.runInstalled(
            "--backend", "cpu", "train", "classify", "--from", gpt2.toString(), "--data",
            pairs.toString(), "--output", tmp.resolve("d").toString());
    assertNotEquals(0, classifyGpt2.code(), classifyGpt2::toString);
    assertTrue(
        classifyGpt2.err().contains("needs a sequence classifier"), classifyGpt2::toString);

    // The word-piece ids run past GPT-2's 300.
    Cli.Run outside =
        Cli.runInstalled(
            "--backend", "cpu", "train", "clm", "--from", gpt2.toString(), "--data",
            text.toString(), "--output", tmp.resolve("e").toString());
    assertNotEquals(0, outside.code(), outside::toString);
    assertTrue(
        outside.err().contains("outside the model's vocabulary of 300"), outside::toString);

    Cli.Run notAFolder =
        Cli.runInstalled(
            "--backend", "cpu", "train", "clm", "--from", tmp.resolve("none").toString(),
            "--data", text.toString(), "--output", tmp.resolve("f").toString());
    assertNotEquals(0, notAFolder.code(), notAFolder::toString);
    assertTrue(notAFolder.err().contains("not a Hugging Face model folder"), notAFolder::toString);
    // --from with --resume of a folder that is not a fine-tuning run.
    Path plain = tmp.resolve("plain");
    Cli.Run clm =
        Cli.runInstalled(
            "--backend", "cpu", "train", "clm", "--data", text.toString(), "--output",
            plain.toString(), "--steps", "2", "--block", "8", "--layers", "1", "--width", "8",
            "--heads", "1", "--eval-every", "2");
    assertEquals(0, clm.code(), clm::toString);
    Cli.Run resumeOther =
        Cli.runInstalled(
            "--backend", "cpu", "train", "clm", "--from", gpt2.toString(), "--data",
            text.toString(), "--output", plain.toString(), "--resume");
    assertNotEquals(0, resumeOther.code(), resumeOther::toString);
    assertTrue(
        resumeOther.err().contains("holds a char-level GPT of 't4j train clm'")
            && resumeOther.err().contains("'t4j train ... --from' cannot continue it"),
        resumeOther::toString);
    for (String d : List.of("a", "b", "c", "d", "e", "f")) {
      assertTrue(!Files.exists(tmp.resolve(d)), () -> d + " was written by a refused run");
    }
  }
}
