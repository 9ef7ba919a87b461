package io.github.transformers4j.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Shape;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.registry.Backends;
import io.github.transformers4j.api.spi.BackendOptions;
import io.github.transformers4j.api.testing.SharedData;
import io.github.transformers4j.models.gpt.Gpt2Model;
import io.github.transformers4j.models.layers.SinusoidalPositionalEncoding;
import io.github.transformers4j.models.pretrained.Pretrained;
import io.github.transformers4j.models.weights.SafeTensors;
import io.github.transformers4j.training.data.CharTokenizer;
import io.github.transformers4j.training.data.Datasets;
import io.github.transformers4j.training.models.EncoderDecoderLm;
import io.github.transformers4j.training.models.GptLm;
import io.github.transformers4j.training.objectives.Forward;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Hugging Face files {@code t4j train} leaves at the root of its output folders: config
 * fields, weight names and shapes as Hugging Face names them (compared with folders Hugging Face
 * saved: {@code tiny-random-gpt2} and {@code hf-tiny/pegasus}), the same values as the checkpoint,
 * tokenizer files, and our loaders reading the new folders.
 */
class HfFolderTest {
  static ComputeBackend backend;

  @BeforeAll
  static void open() {
    backend = Backends.installed().create("cpu", BackendOptions.none().with("threads", "1"));
  }

  @AfterAll
  static void close() {
    backend.close();
  }

  private static final String TEXT = "to be or not to be, that is the question.\n".repeat(20);

  @SuppressWarnings("unchecked")
  private static Map<String, Object> json(Path file) throws Exception {
    return new Gson().fromJson(Files.readString(file), Map.class);
  }

  private static Set<String> names(Path safetensors) throws Exception {
    try (SafeTensors st = SafeTensors.open(safetensors)) {
      return new TreeSet<>(st.names());
    }
  }

  @Test
  void clmWritesAGpt2LmHeadModelFolder(@TempDir Path tmp) throws Exception {
    Ops ops = new Ops(backend);
    Path dir = tmp.resolve("gpt");
    // 5 layers, as tiny-random-gpt2 (saved by Hugging Face), so the names must be exactly its.
    CharLm.Settings s =
        new CharLm.Settings(
            16, 2, 5, 2, 16, 0f, 3, 1e-3, 1e-4, 1, 0.99, 0.1, 1.0, 1, 2, 1, 0.1, 1337);
    try (OutputFolder out = OutputFolder.open(dir, CharLm.TASK, OutputFolder.Mode.NEW)) {
      CharLm.train(ops, TEXT, s, out, false, null);
    }
    CharTokenizer tok = CharTokenizer.load(dir.resolve("tokenizer.json"));
    Map<String, Object> config = json(dir.resolve("config.json"));
    assertEquals(List.of("GPT2LMHeadModel"), config.get("architectures"));
    assertEquals("gpt2", config.get("model_type"));
    assertEquals(tok.vocabSize(), ((Number) config.get("vocab_size")).intValue());
    for (String k : List.of("bos_token_id", "eos_token_id", "pad_token_id")) {
      // Present and null: absent would mean GPT-2's default 50256, outside the vocabulary.
      assertTrue(config.containsKey(k), k);
      assertNull(config.get(k), k);
    }
    Set<String> hfNames = names(SharedData.require("models/tiny-random-gpt2/model.safetensors"));
    Path root = dir.resolve(HfFolder.WEIGHTS);
    assertEquals(hfNames, names(root));
    int v = tok.vocabSize();
    int c = 16;
    try (SafeTensors st = SafeTensors.open(root);
        SafeTensors ckpt = SafeTensors.open(dir.resolve("checkpoint/model.safetensors"))) {
      assertEquals(Shape.of(v, c), st.shape("transformer.wte.weight"));
      assertEquals(Shape.of(16, c), st.shape("transformer.wpe.weight"));
      assertEquals(Shape.of(c, 3 * c), st.shape("transformer.h.4.attn.c_attn.weight")); // Conv1D
      assertEquals(Shape.of(c, 4 * c), st.shape("transformer.h.0.mlp.c_fc.weight"));
      assertEquals(Shape.of(4 * c, c), st.shape("transformer.h.0.mlp.c_proj.weight"));
      assertEquals("pt", st.metadata().get("format"));
      for (String n : ckpt.names()) {
        assertArrayEquals(ckpt.floats(n), st.floats("transformer." + n), n);
      }
    }
    Map<String, Object> gen = json(dir.resolve("generation_config.json"));
    assertEquals(Boolean.TRUE, gen.get("do_sample"));
    assertEquals(40, ((Number) gen.get("top_k")).intValue());
    assertEquals(
        "PreTrainedTokenizerFast", json(dir.resolve("tokenizer_config.json")).get("tokenizer_class"));
    assertEquals("[UNK]", json(dir.resolve("special_tokens_map.json")).get("unk_token"));
    assertNoLeftovers(dir);

    // Pretrained.load reads the root folder as a Hugging Face GPT-2; same logits as the recipe's.
    GptLm ours = (GptLm) CharLm.load(ops, dir).model();
    GptLm hf = new GptLm(Pretrained.load(ops, dir, Gpt2Model.class));
    int[] ids = tok.encode("to be or not");
    Tensor in = ops.ids(ids, 1, ids.length);
    assertArrayEquals(
        ours.forward(ops, in, null, Forward.eval(0)).toFloatArray(),
        hf.forward(ops, in, null, Forward.eval(0)).toFloatArray());
  }

  /** Nothing but the folder's own files: no temporary or staging files left by a write. */
  private static void assertNoLeftovers(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      Set<String> names = s.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
      for (String n : names) {
        assertFalse(n.startsWith(".") || n.contains("tmp"), "left over in the folder: " + n);
      }
    }
  }

  private static Seq2SeqRecipe.Settings seq2seq(String positions, boolean preLn) {
    return new Seq2SeqRecipe.Settings(
        16, 2, 32, 2, 0f, positions, preLn, 8, 2, 1e-3, 1, 0.1f, 0.01, 1.0, 2, 0, 5);
  }

  @Test
  void seq2seqWritesPegasusMarianOrOurOwnType(@TempDir Path tmp) throws Exception {
    Ops ops = new Ops(backend);
    List<Datasets.Pair> pairs = Seq2SeqRecipeTest.reversals(20);
    Set<String> pegasusNames = names(SharedData.require("models/hf-tiny/pegasus/model.safetensors"));
    for (boolean pre : new boolean[] {true, false}) {
      Path dir = tmp.resolve(pre ? "pegasus" : "marian");
      try (OutputFolder out = OutputFolder.open(dir, Seq2SeqRecipe.TASK, OutputFolder.Mode.NEW)) {
        Seq2SeqRecipe.train(ops, pairs, null, seq2seq("sinusoidal", pre), out, false, null);
      }
      Map<String, Object> config = json(dir.resolve("config.json"));
      CharTokenizer tok = CharTokenizer.load(dir.resolve("tokenizer.json"));
      assertEquals(pre ? "pegasus" : "marian", config.get("model_type"));
      assertEquals(
          List.of(pre ? "PegasusForConditionalGeneration" : "MarianMTModel"),
          config.get("architectures"));
      assertEquals(tok.vocabSize(), ((Number) config.get("vocab_size")).intValue());
      assertEquals(
          tok.specials().bos(), ((Number) config.get("decoder_start_token_id")).intValue());
      assertEquals(tok.specials().eos(), ((Number) config.get("eos_token_id")).intValue());
      assertEquals(tok.specials().pad(), ((Number) config.get("pad_token_id")).intValue());
      assertTrue(config.containsKey("forced_eos_token_id"));
      assertNull(config.get("forced_eos_token_id"), "no EOS forced at the length limit");
      // Pegasus (2 layers, saved by Hugging Face) has these names; Marian lacks the final norms.
      Set<String> expected = new TreeSet<>(pegasusNames);
      if (!pre) {
        expected.removeIf(n -> n.matches("model\\.(en|de)coder\\.layer_norm\\..*"));
      }
      Path root = dir.resolve(HfFolder.WEIGHTS);
      assertEquals(expected, names(root));
      int max = ((Number) config.get("max_position_embeddings")).intValue();
      try (SafeTensors st = SafeTensors.open(root)) {
        float[] ours = SinusoidalPositionalEncoding.table(max, 16);
        assertArrayEquals(ours, st.floats("model.encoder.embed_positions.weight"));
        assertArrayEquals(ours, st.floats("model.decoder.embed_positions.weight"));
        assertArrayEquals(new float[tok.vocabSize()], st.floats("final_logits_bias"));
      }
      Map<String, Object> gen = json(dir.resolve("generation_config.json"));
      assertEquals(Boolean.FALSE, gen.get("do_sample"));
      assertEquals(tok.specials().bos(), ((Number) gen.get("decoder_start_token_id")).intValue());
      assertFalse(Files.exists(dir.resolve(HfFolder.NOT_LOADABLE)));
      assertNoLeftovers(dir);
      // Our loader reads our configuration from recipe.json now that config.json is Pegasus's.
      Seq2SeqRecipe.Loaded m = Seq2SeqRecipe.load(ops, dir);
      assertEquals(max - 1, m.maxNew());
    }
    for (String positions : List.of("learned", "rotary")) {
      Path dir = tmp.resolve(positions);
      try (OutputFolder out = OutputFolder.open(dir, Seq2SeqRecipe.TASK, OutputFolder.Mode.NEW)) {
        Seq2SeqRecipe.train(ops, pairs, null, seq2seq(positions, true), out, false, null);
      }
      assertEquals("t4j-transformer", json(dir.resolve("config.json")).get("model_type"));
      String note = Files.readString(dir.resolve(HfFolder.NOT_LOADABLE));
      assertTrue(note.contains("not loadable") && note.contains(positions), note);
      assertFalse(Files.exists(dir.resolve("generation_config.json")));
      // Our loaders: the recipe's, and Pretrained.load by model_type (the same weights).
      Seq2SeqRecipe.Loaded recipe = Seq2SeqRecipe.load(ops, dir);
      var plain =
          Pretrained.load(
              ops, dir, io.github.transformers4j.models.seq2seq.EncoderDecoderModel.class);
      assertEquals(
          ((EncoderDecoderLm) recipe.model()).model().config(), plain.config(), positions + ": the same model");
      assertArrayEquals(
          ((EncoderDecoderLm) recipe.model()).model().parameters().get("shared.weight").toFloatArray(),
          plain.parameters().get("shared.weight").toFloatArray());
    }
  }

  /**
   * A seq2seq folder of the version before this export (our configuration in config.json, no
   * model_config in recipe.json, no root weights) loads as it is, and a resumed run upgrades it.
   */
  @Test
  void anOlderSeq2seqFolderLoadsAndResumingMakesItPegasus(@TempDir Path tmp) throws Exception {
    Ops ops = new Ops(backend);
    List<Datasets.Pair> pairs = Seq2SeqRecipeTest.reversals(20);
    Path dir = tmp.resolve("old");
    try (OutputFolder out = OutputFolder.open(dir, Seq2SeqRecipe.TASK, OutputFolder.Mode.NEW)) {
      Seq2SeqRecipe.train(ops, pairs, null, seq2seq("sinusoidal", true), out, false, null);
    }
    // Back to the old layout.
    Map<String, Object> ours = Seq2SeqRecipe.modelConfig(dir);
    HfFolder.writeJson(dir.resolve("config.json"), ours);
    OutputFolder.writeRecipe(dir, Seq2SeqRecipe.TASK, "tokenizer.json", Map.of());
    for (String f : List.of(HfFolder.WEIGHTS, "generation_config.json")) {
      Files.delete(dir.resolve(f));
    }
    float[] before =
        ((EncoderDecoderLm) Seq2SeqRecipe.load(ops, dir).model()).model().parameters().get("shared.weight")
            .toFloatArray();
    try (OutputFolder out = OutputFolder.open(dir, Seq2SeqRecipe.TASK, OutputFolder.Mode.RESUME)) {
      Seq2SeqRecipe.Settings more =
          new Seq2SeqRecipe.Settings(
              16, 2, 32, 2, 0f, "sinusoidal", true, 8, 3, 1e-3, 1, 0.1f, 0.01, 1.0, 2, 0, 5);
      assertEquals(3, Seq2SeqRecipe.train(ops, pairs, null, more, out, false, null).result().step());
    }
    assertEquals("pegasus", json(dir.resolve("config.json")).get("model_type"));
    assertEquals(ours, Seq2SeqRecipe.modelConfig(dir));
    assertTrue(Files.isRegularFile(dir.resolve(HfFolder.WEIGHTS)));
    float[] after =
        ((EncoderDecoderLm) Seq2SeqRecipe.load(ops, dir).model()).model().parameters().get("shared.weight")
            .toFloatArray();
    assertFalse(java.util.Arrays.equals(before, after), "the resumed run trained on");
  }

  @Test
  void classifierWritesBertForSequenceClassificationWithLabels(@TempDir Path tmp)
      throws Exception {
    Ops ops = new Ops(backend);
    Path dir = tmp.resolve("cls");
    List<Datasets.Pair> pairs = new java.util.ArrayList<>();
    for (int i = 0; i < 20; i++) {
      pairs.add(new Datasets.Pair("n" + i, i % 2 == 0 ? "even" : "odd"));
    }
    BertRecipe.Settings s =
        new BertRecipe.Settings(16, 1, 2, 32, 0f, 16, 4, 2, 1e-3, 1, 0.01, 1.0, 2, 1, 0, 3);
    try (OutputFolder out = OutputFolder.open(dir, "classify", OutputFolder.Mode.NEW)) {
      BertRecipe.trainClassifier(ops, pairs, null, s, out, false, null);
    }
    Map<String, Object> config = json(dir.resolve("config.json"));
    assertEquals(List.of("BertForSequenceClassification"), config.get("architectures"));
    assertEquals(Map.of("0", "even", "1", "odd"), config.get("id2label"));
    assertEquals(
        Map.of("even", 0, "odd", 1),
        ((Map<?, ?>) config.get("label2id"))
            .entrySet().stream()
                .collect(
                    Collectors.toMap(
                        e -> (String) e.getKey(), e -> ((Number) e.getValue()).intValue())));
    CharTokenizer tok = CharTokenizer.load(dir.resolve("tokenizer.json"));
    assertEquals(tok.specials().pad(), ((Number) config.get("pad_token_id")).intValue());
    try (SafeTensors st = SafeTensors.open(dir.resolve(HfFolder.WEIGHTS))) {
      assertEquals(names(dir.resolve("checkpoint/model.safetensors")), new TreeSet<>(st.names()));
      assertTrue(st.names().contains("classifier.weight"));
      assertTrue(st.names().contains("bert.pooler.dense.weight"));
    }
    assertEquals("[MASK]", json(dir.resolve("special_tokens_map.json")).get("mask_token"));
    BertRecipe.load(ops, dir);
  }
}
