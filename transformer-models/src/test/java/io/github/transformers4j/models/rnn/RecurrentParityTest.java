package io.github.transformers4j.models.rnn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Gradients;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tape;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.models.HfFixture;
import io.github.transformers4j.models.TestSupport;
import io.github.transformers4j.models.nn.WeightLoader;
import io.github.transformers4j.models.weights.SafeTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Rnn}, {@link Lstm} and {@link Gru} against {@code torch.nn.RNN/LSTM/GRU} (PyTorch 2.13) on
 * {@code testdata/models/rnn/}: {@code expected_outputs.json} (2 layers, bidirectional,
 * batch-first, tanh, zero states, full lengths) and {@code extra_outputs.json} (ReLU, given h0/c0,
 * packed variable lengths, sequence-first; made by {@code bench/rnn_references.py}). The weights
 * load from PyTorch's state dict as saved; the output, the final states, the loss and the gradient
 * of the stated loss with respect to the input, the initial states and every weight all agree
 * within 1e-5, on the {@code cpu} backend and on the naive {@code reference} backend.
 */
class RecurrentParityTest {
  private static final double TOLERANCE = 1e-5;
  private static ComputeBackend cpu;
  private static ComputeBackend reference;
  private Ops ops;

  @BeforeAll
  static void open() {
    cpu = TestSupport.cpu(1);
    reference = TestSupport.reference();
  }

  @AfterAll
  static void close() {
    cpu.close();
    reference.close();
  }

  static Stream<Arguments> cases() throws Exception {
    List<Arguments> all = new ArrayList<>();
    for (String file : List.of("expected_outputs.json", "extra_outputs.json")) {
      Path json = TestSupport.shared("models/rnn/" + file);
      JsonObject root = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
      for (JsonElement e : root.getAsJsonArray("cases")) {
        JsonObject c = e.getAsJsonObject();
        String name = c.has("name") ? c.get("name").getAsString() : c.get("kind").getAsString();
        all.add(Arguments.of("cpu", file + ":" + name, c));
        all.add(Arguments.of("reference", file + ":" + name, c));
      }
    }
    assertEquals(2 * 9, all.size(), "cases in testdata/models/rnn, on two backends");
    return all.stream();
  }

  private boolean has(JsonObject c, String key) {
    return c.has(key) && !c.get(key).isJsonNull();
  }

  private Tensor tensor(JsonObject c, String key, int... dims) {
    return ops.tensor(HfFixture.floats(c.get(key)), dims);
  }

  private int[] dims(JsonObject c, String key) {
    return HfFixture.ints(c.get(key));
  }

  private RecurrentLayer build(JsonObject c) {
    RecurrentConfig config =
        new RecurrentConfig(
            c.get("input_size").getAsInt(),
            c.get("hidden_size").getAsInt(),
            c.get("num_layers").getAsInt(),
            true,
            c.get("batch_first").getAsBoolean(),
            0f,
            c.get("bidirectional").getAsBoolean());
    SplittableRandom rng = new SplittableRandom(1);
    return switch (c.get("kind").getAsString()) {
      case "rnn" -> new Rnn(
          ops,
          config,
          c.get("nonlinearity").getAsString().equals("relu") ? Rnn.Nonlinearity.RELU : Rnn.Nonlinearity.TANH,
          rng);
      case "lstm" -> new Lstm(ops, config, rng);
      case "gru" -> new Gru(ops, config, rng);
      default -> throw new AssertionError("unknown kind in fixture: " + c.get("kind"));
    };
  }

  private double worst;

  private void close(String what, float[] expected, Tensor actual) {
    assertNotNull(actual, what + ": missing");
    double d = TestSupport.maxAbsDiff(expected, actual.toFloatArray());
    worst = Math.max(worst, d);
    assertTrue(d <= TOLERANCE, what + ": max |diff| " + d + " > " + TOLERANCE);
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void outputsStatesAndEveryGradientMatchPyTorch(String backend, String name, JsonObject c)
      throws Exception {
    ops = new Ops(backend.equals("cpu") ? cpu : reference);
    name = backend + " " + name;
    RecurrentLayer layer = build(c);
    Path file = TestSupport.shared("models/rnn/" + c.get("weights").getAsString());
    try (SafeTensors w = SafeTensors.open(file)) {
      WeightLoader.load(ops, layer, w, "", n -> false);
    }
    RecurrentConfig config = layer.config();
    int stack = config.numLayers() * config.directions();
    int[] xShape = dims(c, "x_shape");
    int b = config.batchFirst() ? xShape[0] : xShape[1];
    int h = config.hiddenSize();
    Tensor x = tensor(c, "x", xShape);
    Tensor h0 = has(c, "h0") ? tensor(c, "h0", stack, b, h) : null;
    Tensor c0 = has(c, "c0") ? tensor(c, "c0", stack, b, h) : null;
    int[] lengths = has(c, "lengths") ? dims(c, "lengths") : null;
    Map<String, Tensor> params = layer.parameters();

    Gradients grads;
    RecurrentOutput out;
    Tensor loss;
    try (Tape tape = ops.record()) {
      tape.watch(x);
      tape.watch(params.values().toArray(new Tensor[0]));
      if (h0 != null) {
        tape.watch(h0);
      }
      if (c0 != null) {
        tape.watch(c0);
      }
      out = layer.forward(x, h0, c0, lengths);
      loss = ops.sumAll(ops.mul(out.output(), tensor(c, "w", dims(c, "output_shape"))));
      if (has(c, "w_h")) {
        loss = ops.add(loss, ops.sumAll(ops.mul(out.hN(), tensor(c, "w_h", stack, b, h))));
      } else {
        loss = ops.add(loss, ops.sumAll(out.hN()));
      }
      if (has(c, "w_c")) {
        loss = ops.add(loss, ops.sumAll(ops.mul(out.cN(), tensor(c, "w_c", stack, b, h))));
      }
      grads = tape.backward(loss);
    }
    assertArrayEquals(dims(c, "output_shape"), out.output().shape().dims(), name + ": output shape");
    close(name + " output", HfFixture.floats(c.get("output")), out.output());
    close(name + " h_n", HfFixture.floats(c.get("h_n")), out.hN());
    if (has(c, "c_n")) {
      close(name + " c_n", HfFixture.floats(c.get("c_n")), out.cN());
    } else {
      assertNull(out.cN(), name + ": only the LSTM returns c_n");
    }
    double lossDiff = Math.abs(loss.toFloatArray()[0] - c.get("loss_value").getAsDouble());
    assertTrue(lossDiff <= 1e-4, name + ": loss differs by " + lossDiff);
    close(name + " d loss / d x", HfFixture.floats(c.get("grad_x")), grads.get(x));
    if (h0 != null) {
      close(name + " d loss / d h0", HfFixture.floats(c.get("grad_h0")), grads.get(h0));
    }
    if (c0 != null) {
      close(name + " d loss / d c0", HfFixture.floats(c.get("grad_c0")), grads.get(c0));
    }
    JsonObject expected = c.getAsJsonObject("grad");
    assertEquals(expected.keySet(), params.keySet(), name + ": parameter names");
    for (Map.Entry<String, Tensor> p : params.entrySet()) {
      float[] want = HfFixture.floats(expected.get(p.getKey()));
      close(name + " d loss / d " + p.getKey(), want, grads.get(p.getValue()));
    }
    System.out.printf(
        "[RecurrentParityTest] %s: worst |diff| over output, states and %d gradients %.2e%n",
        name, expected.size() + 1 + (h0 != null ? 1 : 0) + (c0 != null ? 1 : 0), worst);
  }
}
