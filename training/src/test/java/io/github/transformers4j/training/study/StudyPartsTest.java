package io.github.transformers4j.training.study;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.models.gpt.Gpt2Config;
import io.github.transformers4j.models.gpt.Gpt2Model;
import io.github.transformers4j.training.TestOps;
import io.github.transformers4j.training.data.Rng;
import io.github.transformers4j.training.metrics.LinePlot;
import io.github.transformers4j.training.study.StudyModels.Arch;
import io.github.transformers4j.training.study.StudyModels.Decoder;
import io.github.transformers4j.training.study.StudyModels.StudyLm;
import io.github.transformers4j.training.study.SyntheticTasks.Task;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The study's parts: matched models, the tasks' layout, the decoders' measured state, the plot. */
class StudyPartsTest {
  private static final StudyConfig QUICK = StudyConfig.quickConfig();

  @Test
  void transformerCountFormulaIsTheBuiltModelsAndRecurrentModelsAreMatched() {
    Ops ops = TestOps.reference();
    for (int positions : new int[] {32, 100}) {
      Gpt2Config g = StudyModels.transformerConfig(QUICK, 23, positions);
      StudyLm tf = StudyModels.build(ops, QUICK, Arch.TRANSFORMER, 23, positions);
      assertEquals(Gpt2Model.parameterCount(g), tf.params().count());
      for (Arch a : new Arch[] {Arch.LSTM, Arch.GRU}) {
        long n = StudyModels.build(ops, QUICK, a, 23, positions).params().count();
        // The nearest hidden width: off by less than one width step's worth (< 3 % here).
        assertTrue(
            Math.abs(n - tf.params().count()) <= 0.03 * tf.params().count(),
            a + ": " + n + " against " + tf.params().count());
      }
    }
  }

  @Test
  void copyTargetsAreTheSymbolsExactlyDTokensLater() {
    Rng rng = new Rng(5);
    for (int d : new int[] {5, 8, 33}) {
      SyntheticTasks.Batch b = SyntheticTasks.batch(Task.COPY, d, 3, rng);
      assertEquals(d + SyntheticTasks.COPY_LENGTH, b.length());
      for (int r = 0; r < 3; r++) {
        int o = r * b.length();
        int scored = 0;
        for (int t = 0; t < b.length(); t++) {
          if (b.targets()[o + t] >= 0) {
            scored++;
            assertEquals(b.ids()[o + t - d], b.targets()[o + t], "d " + d + " t " + t);
            assertTrue(b.targets()[o + t] < SyntheticTasks.SYMBOLS);
          }
        }
        assertEquals(SyntheticTasks.COPY_LENGTH, scored);
        assertEquals(SyntheticTasks.SYMBOLS + 1, b.ids()[o + d - 1], "GO marker before the output");
      }
    }
  }

  @Test
  void recallQueriesTheKeySeenDTokensEarlierAndAsksForItsValue() {
    Rng rng = new Rng(9);
    for (int d : new int[] {5, 16, 64}) {
      SyntheticTasks.Batch b = SyntheticTasks.batch(Task.RECALL, d, 4, rng);
      assertEquals(7 + d, b.length());
      for (int r = 0; r < 4; r++) {
        int o = r * b.length();
        int q = b.length() - 1;
        int key = b.ids()[o + q];
        assertTrue(key < SyntheticTasks.SYMBOLS, "the query is a key");
        // The key appears exactly once before the query, d tokens earlier, followed by the answer.
        int seen = -1;
        for (int t = 0; t < q; t++) {
          if (b.ids()[o + t] == key) {
            assertEquals(-1, seen, "the queried key appears once");
            seen = t;
          }
        }
        assertEquals(q - d, seen);
        assertEquals(b.ids()[o + seen + 1], b.targets()[o + q]);
        assertEquals(1, Arrays.stream(b.targets(), o, o + b.length()).filter(x -> x >= 0).count());
      }
    }
    assertThrows(IllegalArgumentException.class, () -> new StudyConfig(true, new int[] {8},
        new int[] {1}, 1, 0, 1, 0, new int[] {4}, 1, 1, 1, 1, 8, 1, 1, 1, 8, 1, 2, 1e-3, 1));
  }

  @Test
  void decodersReportTheBytesOfWhatTheyCarry() {
    Ops ops = TestOps.reference();
    StudyLm tf = StudyModels.build(ops, QUICK, Arch.TRANSFORMER, 11, 16);
    StudyLm lstm = StudyModels.build(ops, QUICK, Arch.LSTM, 11, 16);
    StudyLm gru = StudyModels.build(ops, QUICK, Arch.GRU, 11, 16);
    Decoder t = tf.decoder();
    Decoder l = lstm.decoder();
    Decoder g = gru.decoder();
    assertEquals(0, t.stateBytes());
    long lstmBytes = 0;
    long gruBytes = 0;
    for (int i = 1; i <= 5; i++) {
      assertEquals(11, t.step(i).length);
      l.step(i);
      g.step(i);
      // KV cache: keys and values, layers × i positions × C floats each.
      assertEquals(2L * QUICK.layers() * i * QUICK.width() * 4, t.stateBytes());
      if (i == 1) {
        lstmBytes = l.stateBytes();
        gruBytes = g.stateBytes();
      }
      assertEquals(lstmBytes, l.stateBytes(), "the LSTM state does not grow");
      assertEquals(gruBytes, g.stateBytes(), "the GRU state does not grow");
    }
    // LSTM: h and c; GRU: h; each layers × hidden floats.
    assertTrue(lstmBytes > 0 && gruBytes > 0);
    assertNotEquals(lstmBytes, gruBytes);
  }

  @Test
  void linePlotWritesAPng(@TempDir Path tmp) throws IOException {
    Path file = tmp.resolve("p.png");
    new LinePlot("t", "T", "tokens/s")
        .logX()
        .logY()
        .add("a", new double[][] {{32, 100}, {64, 300}, {128, Double.NaN}})
        .add("b", new double[][] {{32, 50}, {128, 80}})
        .write(file);
    byte[] b = Files.readAllBytes(file);
    assertArrayEquals(
        new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, Arrays.copyOf(b, 8));
    assertTrue(b.length > 1000);
  }
}
