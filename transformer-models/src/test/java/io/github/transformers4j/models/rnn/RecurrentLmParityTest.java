package io.github.transformers4j.models.rnn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.models.TestSupport;
import io.github.transformers4j.models.pretrained.Pretrained;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link RecurrentLm} against the PyTorch module it mirrors ({@code
 * bench/recurrent_lm_references.py}, PyTorch 2.13): the folder {@code testdata/models/rnn-lm/<cell>}
 * loads through {@link Pretrained} by its {@code model_type}, and the logits of a right-padded
 * batch and the final states agree within 1e-5.
 */
class RecurrentLmParityTest {
  private static final double TOLERANCE = 1e-5;
  private static ComputeBackend backend;
  private static Ops ops;

  @BeforeAll
  static void open() {
    backend = TestSupport.cpu(1);
    ops = new Ops(backend);
  }

  @AfterAll
  static void close() {
    backend.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"rnn", "rnn_relu", "lstm", "gru"})
  void matchesPyTorch(String cell) throws Exception {
    Path dir = TestSupport.shared("models/rnn-lm/" + cell + "/config.json").getParent();
    JsonObject e =
        JsonParser.parseString(Files.readString(dir.resolve("expected_outputs.json"))).getAsJsonObject();
    RecurrentLm lm = Pretrained.load(ops, dir, RecurrentLm.class);
    assertEquals(cell, lm.config().cell().label());
    JsonArray rows = e.getAsJsonArray("ids");
    int b = rows.size();
    int t = rows.get(0).getAsJsonArray().size();
    int[] ids = new int[b * t];
    int[] lengths = new int[b];
    for (int r = 0; r < b; r++) {
      for (int i = 0; i < t; i++) {
        ids[r * t + i] = rows.get(r).getAsJsonArray().get(i).getAsInt();
      }
      lengths[r] = e.getAsJsonArray("lengths").get(r).getAsInt();
    }
    RecurrentLm.Output out = lm.forward(ops.ids(ids, b, t), null, lengths);
    close(cell + " logits", e.getAsJsonArray("logits"), out.logits().toFloatArray());
    close(cell + " h_n", e.getAsJsonArray("h_n"), out.state().h().toFloatArray());
    if (e.has("c_n") && !e.get("c_n").isJsonNull()) {
      close(cell + " c_n", e.getAsJsonArray("c_n"), out.state().c().toFloatArray());
    }
  }

  private static void close(String what, JsonArray want, float[] got) {
    assertEquals(want.size(), got.length, what + " size");
    double worst = 0;
    int i = 0;
    for (JsonElement w : want) {
      worst = Math.max(worst, Math.abs(w.getAsDouble() - got[i++]));
    }
    assertEquals(0, worst, TOLERANCE, what + ": worst difference " + worst);
  }
}
