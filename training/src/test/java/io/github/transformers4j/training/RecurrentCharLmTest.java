package io.github.transformers4j.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.registry.Backends;
import io.github.transformers4j.api.spi.BackendOptions;
import io.github.transformers4j.models.generation.GenerationConfig;
import io.github.transformers4j.models.gpt.Gpt2Config;
import io.github.transformers4j.models.gpt.Gpt2Model;
import io.github.transformers4j.models.pretrained.Pretrained;
import io.github.transformers4j.models.rnn.RecurrentLm;
import io.github.transformers4j.models.rnn.RecurrentLmConfig;
import io.github.transformers4j.models.rnn.RecurrentLmConfig.Cell;
import io.github.transformers4j.training.models.RecurrentTokenLm;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code t4j train clm --arch lstm|gru|rnn}'s recipe: an interrupted and resumed run equals the
 * straight one bit for bit (dropout on), the folder loads back (checkpoint and root {@code
 * model.safetensors} alike) and generates deterministically from a seed, and the default hidden
 * width matches the GPT's parameter count.
 */
class RecurrentCharLmTest {
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

  private static final String TEXT = "to be or not to be, that is the question. ".repeat(20);

  private static CharLm.Settings settings(long steps) {
    // block 12, batch 2, (GPT: 1 layer, 2 heads) width 8, dropout 0.1, warmup 1, eval every 2
    return new CharLm.Settings(
        12, 2, 1, 2, 8, 0.1f, steps, 3e-3, 1e-4, 1, 0.99, 0.1, 1.0, 1, 2, 1, 0.1, 1337);
  }

  @Test
  void anInterruptedAndResumedRunEqualsTheStraightOneBitForBit(@TempDir Path dir) throws Exception {
    for (Cell cell : List.of(Cell.LSTM, Cell.GRU)) {
      CharLm.Recurrent r = new CharLm.Recurrent(cell, 10, 2);
      Path full = dir.resolve(cell + "-full");
      Trainer.Result a =
          CharLm.train(ops, TEXT, settings(6), r, BertRecipeTest.folder(full, CharLm.TASK, false), false, null);
      Path split = dir.resolve(cell + "-split");
      Trainer.Result first =
          CharLm.train(
              ops, TEXT, settings(6), r, BertRecipeTest.folder(split, CharLm.TASK, false), false, null, 3);
      assertTrue(first.interrupted());
      Trainer.Result second =
          CharLm.train(ops, TEXT, settings(6), r, BertRecipeTest.folder(split, CharLm.TASK, true), false, null);
      List<Double> resumed = new ArrayList<>(first.losses());
      resumed.addAll(second.losses());
      assertEquals(6, a.losses().size());
      assertEquals(a.losses().size(), resumed.size());
      for (int i = 0; i < a.losses().size(); i++) {
        assertEquals(
            Double.doubleToRawLongBits(a.losses().get(i)),
            Double.doubleToRawLongBits(resumed.get(i)),
            cell + " step " + (i + 1) + ": " + a.losses().get(i) + " vs " + resumed.get(i));
      }
      assertNotEquals(a.losses().get(0), a.losses().get(5), "the loss moves");
      Map<String, Tensor> pa = ((RecurrentTokenLm) CharLm.load(ops, full).model()).model().parameters();
      Map<String, Tensor> pb = ((RecurrentTokenLm) CharLm.load(ops, split).model()).model().parameters();
      for (String name : pa.keySet()) {
        assertArrayEquals(pa.get(name).toFloatArray(), pb.get(name).toFloatArray(), cell + " " + name);
      }
    }
  }

  @Test
  void theFolderLoadsBackAndGeneratesDeterministically(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("lstm");
    CharLm.train(
        ops, TEXT, settings(4), new CharLm.Recurrent(Cell.LSTM, 12, 2),
        BertRecipeTest.folder(out, CharLm.TASK, false), false, null);
    CharLm.Loaded m = CharLm.load(ops, out);
    assertEquals(12, m.block());
    RecurrentLm fromCheckpoint = ((RecurrentTokenLm) m.model()).model();
    assertEquals(Cell.LSTM, fromCheckpoint.config().cell());
    // The root model.safetensors, by model_type, holds the same weights as the checkpoint.
    RecurrentLm root = Pretrained.load(ops, out, RecurrentLm.class);
    int[] ids = m.tokenizer().encode("to be or not");
    assertArrayEquals(
        fromCheckpoint.logits(ids, null, 1).toFloatArray(), root.logits(ids, null, 1).toFloatArray());
    // Longer than the training block: a recurrent model has no window to slide.
    List<Integer> tokens = new ArrayList<>();
    String one = CharLm.generate(m, "to be", 30, 42, tokens::add);
    String two = CharLm.generate(CharLm.load(ops, out), "to be", 30, 42, c -> {});
    assertEquals(one, two);
    assertEquals(30, tokens.size(), "30 tokens ([UNK], which decodes to nothing, may be among them)");
    String greedy = CharLm.generate(m, "to be", 20, GenerationConfig.greedy(20), c -> {});
    assertEquals(greedy, CharLm.generate(m, "to be", 20, GenerationConfig.greedy(20), c -> {}));
    tokens.clear();
    CharLm.generate(m, "to be", 20, GenerationConfig.beams(20, 3), tokens::add);
    assertEquals(20, tokens.size());
  }

  @Test
  void resumingWithAnotherArchitectureOrWidthNamesTheOption(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("gru");
    CharLm.train(
        ops, TEXT, settings(2), new CharLm.Recurrent(Cell.GRU, 6, 1),
        BertRecipeTest.folder(out, CharLm.TASK, false), false, null);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> CharLm.train(ops, TEXT, settings(4), null, BertRecipeTest.folder(out, CharLm.TASK, true), false, null));
    assertTrue(e.getMessage().contains("--arch is transformer but the checkpoint"), e.getMessage());
    assertTrue(e.getMessage().contains("is a gru model; give --arch gru"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                CharLm.train(
                    ops, TEXT, settings(4), new CharLm.Recurrent(Cell.GRU, 7, 1),
                    BertRecipeTest.folder(out, CharLm.TASK, true), false, null));
    assertTrue(e.getMessage().contains("--hidden is 7 but the checkpoint"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                CharLm.train(
                    ops, TEXT, settings(4), new CharLm.Recurrent(Cell.LSTM, 6, 1),
                    BertRecipeTest.folder(out, CharLm.TASK, true), false, null));
    assertTrue(e.getMessage().contains("--arch is lstm but the checkpoint"), e.getMessage());
  }

  @Test
  void theDefaultHiddenWidthMatchesTheGptsParameterCount() {
    CharLm.Settings s = CharLm.Settings.nanoGptShakespeare(); // 4 layers of 128, block 64
    Gpt2Config gpt = CharLm.gptConfig(65, s);
    long target = new Gpt2Model(ops, gpt).parameterCount();
    assertEquals(target, Gpt2Model.parameterCount(gpt), "the GPT's count without building it");
    for (Cell cell : Cell.values()) {
      RecurrentLmConfig c = CharLm.recurrentConfig(65, s, new CharLm.Recurrent(cell, 0, 2), null);
      long n = new RecurrentLm(ops, c).parameterCount();
      long lower = RecurrentLm.parameterCount(c.withHiddenSize(c.hiddenSize() - 1));
      long upper = RecurrentLm.parameterCount(c.withHiddenSize(c.hiddenSize() + 1));
      assertTrue(
          Math.abs(n - target) <= Math.abs(lower - target)
              && Math.abs(n - target) <= Math.abs(upper - target),
          cell + ": hidden " + c.hiddenSize() + " gives " + n + " for " + target);
      assertTrue(Math.abs(n - target) < 0.01 * target, cell + ": " + n + " vs " + target);
    }
  }
}
