package io.github.transformers4j.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Gradients;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tape;
import io.github.transformers4j.api.registry.Backends;
import io.github.transformers4j.api.spi.BackendOptions;
import io.github.transformers4j.models.config.HfConfig;
import io.github.transformers4j.models.gpt.Gpt2Config;
import io.github.transformers4j.models.gpt.Gpt2Model;
import io.github.transformers4j.models.weights.SafeTensors;
import io.github.transformers4j.training.checkpoint.TensorFile;
import io.github.transformers4j.training.data.Batch;
import io.github.transformers4j.training.data.BatchSource;
import io.github.transformers4j.training.data.IntGrid;
import io.github.transformers4j.training.models.GptLm;
import io.github.transformers4j.training.objectives.CausalLm;
import io.github.transformers4j.training.objectives.Forward;
import io.github.transformers4j.training.objectives.Objective;
import io.github.transformers4j.training.optim.AdamW;
import io.github.transformers4j.training.optim.LrSchedule;
import io.github.transformers4j.training.optim.Parameter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import io.github.transformers4j.api.testing.SharedData;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Training parity with PyTorch on hf-internal-testing/tiny-random-gpt2: the causal-LM loss and
 * every parameter gradient of one step within 1e-4, and the losses of five AdamW steps (with
 * clipping) within 1e-4. The reference numbers come from {@code bench/gpt2_grad_parity.py}
 * (committed under {@code src/test/resources/parity}), so this test needs no Python.
 */
class GradientParityTest {
  private static final double TOLERANCE = 1e-4;
  private static ComputeBackend backend;
  private static JsonObject expected;
  private static Path fixture;

  @BeforeAll
  static void load() throws IOException {
    fixture = shared("models/tiny-random-gpt2");
    backend = Backends.installed().create("cpu", BackendOptions.none().with("threads", "1"));
    try (InputStream in =
        GradientParityTest.class.getResourceAsStream("/parity/gpt2_grad_parity.json")) {
      assertNotNull(in, "missing test resource parity/gpt2_grad_parity.json");
      expected =
          JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8))
              .getAsJsonObject();
    }
  }

  @AfterAll
  static void close() {
    backend.close();
  }

  static Path shared(String relative) {
    return SharedData.require(relative);
  }

  static GptLm model(Ops ops) throws IOException {
    Gpt2Config c = Gpt2Config.fromMap(HfConfig.read(fixture.resolve("config.json")));
    // Dropout off so both sides compute the same function (PyTorch's side has none).
    Gpt2Config noDrop =
        new Gpt2Config(
            c.vocabSize(),
            c.nPositions(),
            c.nEmbd(),
            c.nLayer(),
            c.nHead(),
            c.nInner(),
            c.activation(),
            c.layerNormEpsilon(),
            0f,
            0f,
            0f,
            c.initializerRange(),
            c.attnImplementation(),
            c.seed());
    Gpt2Model m = new Gpt2Model(ops, noDrop);
    try (SafeTensors w = SafeTensors.open(fixture.resolve("model.safetensors"))) {
      m.load(w);
    }
    return new GptLm(m);
  }

  static Batch batch(int k) {
    JsonArray rows = expected.getAsJsonArray("batches").get(k).getAsJsonArray();
    int b = rows.size();
    int t = rows.get(0).getAsJsonArray().size();
    int[] ids = new int[b * t];
    for (int r = 0; r < b; r++) {
      for (int j = 0; j < t; j++) {
        ids[r * t + j] = rows.get(r).getAsJsonArray().get(j).getAsInt();
      }
    }
    return Batch.of(new IntGrid(b, t, ids));
  }

  @Test
  void lossAndEveryGradientMatchPyTorch() throws IOException {
    Ops ops = new Ops(backend);
    GptLm lm = model(ops);
    TensorFile.Contents grads =
        TensorFile.read(
            Path.of(
                GradientParityTest.class
                    .getResource("/parity/gpt2_grad_parity.safetensors")
                    .getPath()));
    double worst = 0;
    String worstName = "";
    try (Tape tape = ops.record()) {
      tape.watch(lm.parameterSet().values());
      Objective.Loss loss = new CausalLm(false).loss(ops, lm, batch(0), Forward.eval(0));
      assertEquals(expected.get("loss").getAsDouble(), loss.value().item(), TOLERANCE, "loss");
      Gradients g = tape.backward(loss.value());
      assertEquals(grads.tensors().size(), lm.parameterSet().size(), "parameter count");
      for (Parameter p : lm.parameterSet()) {
        TensorFile.Entry want = grads.tensors().get(p.name());
        assertNotNull(want, "no PyTorch gradient for '" + p.name() + "'");
        float[] got = g.getOrZeros(p.get()).toFloatArray();
        assertEquals(want.data().length, got.length, p.name());
        for (int i = 0; i < got.length; i++) {
          double d = Math.abs(got[i] - want.data()[i]);
          if (d > worst) {
            worst = d;
            worstName = p.name() + "[" + i + "]";
          }
        }
      }
    }
    System.out.printf("gradient parity: max |Δgrad| = %.3g at %s%n", worst, worstName);
    assertTrue(worst <= TOLERANCE, "max |Δgrad| " + worst + " at " + worstName);
  }

  @Test
  void fiveAdamWStepsMatchPyTorchLosses() throws IOException {
    Ops ops = new Ops(backend);
    GptLm lm = model(ops);
    JsonObject a = expected.getAsJsonObject("adamw");
    JsonArray betas = a.getAsJsonArray("betas");
    AdamW adam =
        new AdamW(
            betas.get(0).getAsDouble(),
            betas.get(1).getAsDouble(),
            a.get("eps").getAsDouble(),
            a.get("weight_decay").getAsDouble(),
            false);
    TrainerConfig cfg =
        new TrainerConfig(
            5,
            1,
            a.get("clip").getAsDouble(),
            LrSchedule.constant(a.get("lr").getAsDouble()),
            0,
            0,
            0,
            null,
            0,
            0);
    BatchSource src =
        new BatchSource() {
          int k;

          @Override
          public Batch next() {
            return batch(k++);
          }

          @Override
          public Map<String, Long> state() {
            return Map.of("k", (long) k);
          }

          @Override
          public void restore(Map<String, Long> s) {
            k = (int) (long) s.get("k");
          }
        };
    var r = new Trainer(ops, lm, new CausalLm(false), adam, cfg, null).run(src, null, false);
    JsonArray want = expected.getAsJsonArray("adamw_losses");
    double worst = 0;
    for (int i = 0; i < 5; i++) {
      worst = Math.max(worst, Math.abs(want.get(i).getAsDouble() - r.losses().get(i)));
      assertEquals(
          want.get(i).getAsDouble(), r.losses().get(i), TOLERANCE, "AdamW step " + (i + 1));
    }
    System.out.printf("AdamW parity: max |Δloss| over 5 steps = %.3g%n", worst);
  }
}
