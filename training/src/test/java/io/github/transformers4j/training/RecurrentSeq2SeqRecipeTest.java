package io.github.transformers4j.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.registry.Backends;
import io.github.transformers4j.api.spi.BackendOptions;
import io.github.transformers4j.models.pretrained.Pretrained;
import io.github.transformers4j.models.rnn.RecurrentLmConfig.Cell;
import io.github.transformers4j.models.rnn.RecurrentSeq2Seq;
import io.github.transformers4j.models.seq2seq.EncoderDecoderConfig;
import io.github.transformers4j.models.seq2seq.EncoderDecoderModel;
import io.github.transformers4j.training.data.Datasets;
import io.github.transformers4j.training.models.RecurrentSeq2SeqLm;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code t4j train seq2seq --arch gru|lstm}'s recipe: exact resume (bit-identical losses and
 * weights, dropout on), the folder reloads and decodes (greedy, beams, streaming, a padded batch
 * as each row alone), the root weights load through {@link Pretrained}, the default hidden width
 * matches the transformer's parameter count, and resuming across architectures is refused.
 */
class RecurrentSeq2SeqRecipeTest {
  static ComputeBackend backend;
  static Ops ops;

  @BeforeAll
  static void open() {
    backend = Backends.installed().create("cpu", BackendOptions.none().with("threads", "1"));
    ops = new Ops(backend);
  }

  @AfterAll
  static void close() {
    backend.close();
  }

  private static Seq2SeqRecipe.Settings settings(long steps) {
    // width 8, (transformer: 2 heads, ffn 16) 1 layer, dropout 0.1, batch 8, eval every 2
    return new Seq2SeqRecipe.Settings(
        8, 2, 16, 1, 0.1f, "sinusoidal", true, 8, steps, 5e-3, 1, 0.1f, 0.01, 1.0, 2, 0.25, 11);
  }

  @Test
  void anInterruptedAndResumedRunEqualsTheStraightOneBitForBit(@TempDir Path dir) throws Exception {
    List<Datasets.Pair> pairs = Seq2SeqRecipeTest.reversals(20);
    for (Cell cell : List.of(Cell.GRU, Cell.LSTM)) {
      Seq2SeqRecipe.Recurrent r = new Seq2SeqRecipe.Recurrent(cell, 10);
      Path full = dir.resolve(cell + "-full");
      Seq2SeqRecipe.Run a =
          Seq2SeqRecipe.train(
              ops, pairs, null, settings(4), r, BertRecipeTest.folder(full, "seq2seq", false), false, null);
      Path split = dir.resolve(cell + "-split");
      Seq2SeqRecipe.Run first =
          Seq2SeqRecipe.train(
              ops, pairs, null, settings(4), r, BertRecipeTest.folder(split, "seq2seq", false), false,
              null, 2);
      assertTrue(first.result().interrupted());
      Seq2SeqRecipe.Run second =
          Seq2SeqRecipe.train(
              ops, pairs, null, settings(4), r, BertRecipeTest.folder(split, "seq2seq", true), false, null);
      List<Double> resumed = new ArrayList<>(first.result().losses());
      resumed.addAll(second.result().losses());
      assertEquals(4, a.result().losses().size());
      assertEquals(4, resumed.size());
      for (int i = 0; i < 4; i++) {
        assertEquals(
            Double.doubleToRawLongBits(a.result().losses().get(i)),
            Double.doubleToRawLongBits(resumed.get(i)),
            cell + " step " + (i + 1) + ": " + a.result().losses().get(i) + " vs " + resumed.get(i));
      }
      assertEquals(
          Double.doubleToRawLongBits(a.result().lastValLoss()),
          Double.doubleToRawLongBits(second.result().lastValLoss()));
      Map<String, Tensor> pa = ((RecurrentSeq2SeqLm) Seq2SeqRecipe.load(ops, full).model()).model().parameters();
      Map<String, Tensor> pb = ((RecurrentSeq2SeqLm) Seq2SeqRecipe.load(ops, split).model()).model().parameters();
      for (String name : pa.keySet()) {
        assertArrayEquals(pa.get(name).toFloatArray(), pb.get(name).toFloatArray(), cell + " " + name);
      }
    }
  }

  @Test
  void theFolderReloadsAndDecodesGreedyBeamAndStreaming(@TempDir Path dir) throws Exception {
    List<Datasets.Pair> pairs = Seq2SeqRecipeTest.reversals(40);
    Path out = dir.resolve("gru");
    Seq2SeqRecipe.Run run =
        Seq2SeqRecipe.train(
            ops, pairs, null, settings(4), new Seq2SeqRecipe.Recurrent(Cell.GRU, 12),
            BertRecipeTest.folder(out, "seq2seq", false), false, null);
    Seq2SeqRecipe.Loaded back = Seq2SeqRecipe.load(ops, out);
    List<String> src = List.of("abc", "fedcb", "a");
    for (int beams : new int[] {1, 3}) {
      List<String> reloaded = Seq2SeqRecipe.translate(back, src, beams, 2);
      assertEquals(Seq2SeqRecipe.translate(run.model(), src, beams, 2), reloaded, "beams " + beams);
      assertEquals(reloaded.get(1), Seq2SeqRecipe.translate(back, List.of("fedcb"), beams, 1).get(0));
    }
    StringBuilder streamed = new StringBuilder();
    String whole = Seq2SeqRecipe.translateStreaming(back, "fedcb", streamed::append);
    assertEquals(Seq2SeqRecipe.translate(back, List.of("fedcb"), 1, 1).get(0), whole);
    assertEquals(whole, streamed.toString());
    // The root weights, by model_type, hold the checkpoint's.
    RecurrentSeq2Seq root = Pretrained.load(ops, out, RecurrentSeq2Seq.class);
    RecurrentSeq2Seq ckpt = ((RecurrentSeq2SeqLm) back.model()).model();
    for (Map.Entry<String, Tensor> e : ckpt.parameters().entrySet()) {
      assertArrayEquals(e.getValue().toFloatArray(), root.parameters().get(e.getKey()).toFloatArray(), e.getKey());
    }
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Seq2SeqRecipe.train(
                    ops, pairs, null, settings(6), null, BertRecipeTest.folder(out, "seq2seq", true), false,
                    null));
    assertTrue(e.getMessage().contains("--arch is transformer but the checkpoint"), e.getMessage());
    assertTrue(e.getMessage().contains("is a gru model"), e.getMessage());
  }

  @Test
  void theDefaultHiddenWidthMatchesTheTransformersParameterCount() {
    Seq2SeqRecipe.Settings s = Seq2SeqRecipe.Settings.small(1); // width 64, 2 layers, ffn 128
    java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("model_type", "transformer");
    m.put("vocab_size", 36);
    m.put("d_model", 64);
    m.put("encoder_attention_heads", 4);
    m.put("decoder_attention_heads", 4);
    m.put("encoder_ffn_dim", 128);
    m.put("encoder_layers", 2);
    m.put("decoder_layers", 2);
    m.put("max_position_embeddings", 64);
    m.put("decoder_start_token_id", 1);
    EncoderDecoderConfig cfg = EncoderDecoderConfig.fromMap(m);
    long target = new EncoderDecoderModel(ops, cfg).parameterCount();
    for (Cell cell : List.of(Cell.GRU, Cell.LSTM)) {
      var c = Seq2SeqRecipe.recurrentConfig(ops, cfg, s, new Seq2SeqRecipe.Recurrent(cell, 0));
      long n = new RecurrentSeq2Seq(ops, c).parameterCount();
      assertEquals(RecurrentSeq2Seq.parameterCount(c), n);
      long lower = RecurrentSeq2Seq.parameterCount(c.withHiddenSize(c.hiddenSize() - 1));
      long upper = RecurrentSeq2Seq.parameterCount(c.withHiddenSize(c.hiddenSize() + 1));
      assertTrue(
          Math.abs(n - target) <= Math.abs(lower - target)
              && Math.abs(n - target) <= Math.abs(upper - target),
          cell + " hidden " + c.hiddenSize() + ": " + n + " parameters for the transformer's " + target);
      assertEquals(1, c.decoderStartTokenId());
      assertEquals(64, c.maxLength());
    }
  }
}
