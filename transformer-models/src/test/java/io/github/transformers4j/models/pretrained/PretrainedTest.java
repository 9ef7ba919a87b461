package io.github.transformers4j.models.pretrained;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.DType;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.models.TestSupport;
import io.github.transformers4j.models.bert.BertModel;
import io.github.transformers4j.models.gpt.Gpt2Model;
import io.github.transformers4j.models.nn.PretrainedModel;
import io.github.transformers4j.models.weights.SafeTensors;
import io.github.transformers4j.models.weights.ShardedSafeTensors;
import io.github.transformers4j.models.weights.TensorData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hugging Face model folders: single-file and sharded safetensors, and what goes wrong. */
class PretrainedTest {
  private static final Path FIXTURE = TestSupport.shared("models/tiny-random-gpt2");
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

  private static float[] expectedLastLogits() throws IOException {
    JsonArray cases =
        JsonParser.parseString(Files.readString(FIXTURE.resolve("expected_outputs.json")))
            .getAsJsonObject()
            .getAsJsonArray("cases");
    JsonArray logits = cases.get(0).getAsJsonObject().getAsJsonArray("logits");
    JsonArray last = logits.get(logits.size() - 1).getAsJsonArray();
    float[] out = new float[last.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = last.get(i).getAsFloat();
    }
    return out;
  }

  private static float[] lastLogits(Gpt2Model m) {
    float[] all = m.logits(0, 0, 0, 52).toFloatArray();
    int v = m.config().vocabSize();
    return java.util.Arrays.copyOfRange(all, all.length - v, all.length);
  }

  @Test
  void aModelFolderLoadsByItsModelTypeAndReproducesPyTorch() throws Exception {
    assertTrue(Pretrained.isModelFolder(FIXTURE));
    PretrainedModel any = Pretrained.load(ops, FIXTURE);
    assertEquals("gpt2", any.architecture());
    Gpt2Model gpt2 = Pretrained.load(ops, FIXTURE, Gpt2Model.class);
    float[] want = expectedLastLogits();
    float[] got = lastLogits(gpt2);
    assertEquals(want.length, got.length);
    for (int i = 0; i < want.length; i++) {
      assertEquals(want[i], got[i], 1e-4, "logit " + i);
    }
  }

  @Test
  void shardedWeightsLoadTheSameModel(@TempDir Path dir) throws Exception {
    Files.copy(FIXTURE.resolve("config.json"), dir.resolve("config.json"));
    Map<String, String> weightMap = writeShards(dir, 3);
    writeIndex(dir, weightMap);
    assertFalse(Files.exists(dir.resolve("model.safetensors")));
    try (ShardedSafeTensors w = ShardedSafeTensors.open(dir.resolve(Pretrained.WEIGHTS_INDEX))) {
      assertEquals(3, w.shardCount());
    }
    Gpt2Model sharded = Pretrained.load(ops, dir, Gpt2Model.class);
    Gpt2Model single = Pretrained.load(ops, FIXTURE, Gpt2Model.class);
    assertArrayEquals(lastLogits(single), lastLogits(sharded));
  }

  @Test
  void whatIsMissingOrWrongIsNamed(@TempDir Path dir) throws Exception {
    IOException noConfig = assertThrows(IOException.class, () -> Pretrained.load(ops, dir));
    assertTrue(noConfig.getMessage().contains("no config.json"), noConfig.getMessage());

    Files.copy(FIXTURE.resolve("config.json"), dir.resolve("config.json"));
    Files.writeString(dir.resolve("pytorch_model.bin"), "not read");
    IOException noWeights = assertThrows(IOException.class, () -> Pretrained.load(ops, dir));
    assertTrue(noWeights.getMessage().contains("no model.safetensors or model.safetensors.index.json"),
        noWeights.getMessage());
    assertTrue(noWeights.getMessage().contains("pytorch_model.bin is not read"), noWeights.getMessage());

    Files.copy(FIXTURE.resolve("model.safetensors"), dir.resolve("model.safetensors"));
    IllegalArgumentException family =
        assertThrows(IllegalArgumentException.class, () -> Pretrained.load(ops, dir, BertModel.class));
    assertTrue(family.getMessage().contains("architecture 'gpt2' builds a Gpt2Model, not a BertModel"),
        family.getMessage());

    Files.writeString(dir.resolve("config.json"),
        Files.readString(dir.resolve("config.json")).replace("\"gpt2\"", "\"llama9\""));
    IllegalArgumentException unknown =
        assertThrows(IllegalArgumentException.class, () -> Pretrained.load(ops, dir));
    assertTrue(unknown.getMessage().contains("llama9") && unknown.getMessage().contains("gpt2"),
        unknown.getMessage());
  }

  @Test
  void aBadIndexIsNamed(@TempDir Path dir) throws Exception {
    Map<String, String> weightMap = writeShards(dir, 2);
    Path index = dir.resolve(Pretrained.WEIGHTS_INDEX);

    Map<String, String> missing = new LinkedHashMap<>(weightMap);
    missing.put("h.9.attn.c_attn.weight", weightMap.values().iterator().next());
    writeIndex(dir, missing);
    IOException e = assertThrows(IOException.class, () -> ShardedSafeTensors.open(index));
    assertTrue(e.getMessage().contains("tensor 'h.9.attn.c_attn.weight' is listed in shard"), e.getMessage());

    Map<String, String> unlisted = new LinkedHashMap<>(weightMap);
    String dropped = unlisted.keySet().iterator().next();
    unlisted.remove(dropped);
    writeIndex(dir, unlisted);
    e = assertThrows(IOException.class, () -> ShardedSafeTensors.open(index));
    assertTrue(e.getMessage().contains("'" + dropped + "', which the weight_map does not list"), e.getMessage());

    Map<String, String> escape = new LinkedHashMap<>(weightMap);
    escape.put(dropped, "../elsewhere.safetensors");
    writeIndex(dir, escape);
    e = assertThrows(IOException.class, () -> ShardedSafeTensors.open(index));
    assertTrue(e.getMessage().contains("is not a file name in"), e.getMessage());

    Files.writeString(index, "{\"metadata\": {}}");
    e = assertThrows(IOException.class, () -> ShardedSafeTensors.open(index));
    assertTrue(e.getMessage().contains("no \"weight_map\""), e.getMessage());
  }

  // Splits the fixture's tensors round-robin into n shard files; returns name -> shard file.
  private static Map<String, String> writeShards(Path dir, int n) throws IOException {
    List<Map<String, TensorData>> shards = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      shards.add(new LinkedHashMap<>());
    }
    Map<String, String> weightMap = new LinkedHashMap<>();
    try (SafeTensors w = SafeTensors.open(FIXTURE.resolve("model.safetensors"))) {
      int i = 0;
      for (String name : w.names()) {
        int s = i++ % n;
        shards.get(s).put(name, new TensorData(w.shape(name), w.floats(name)));
        weightMap.put(name, shardName(s, n));
      }
    }
    for (int s = 0; s < n; s++) {
      SafeTensors.write(dir.resolve(shardName(s, n)), shards.get(s), DType.F32);
    }
    return weightMap;
  }

  private static String shardName(int s, int n) {
    return String.format("model-%05d-of-%05d.safetensors", s + 1, n);
  }

  private static void writeIndex(Path dir, Map<String, String> weightMap) throws IOException {
    StringBuilder json = new StringBuilder("{\"metadata\": {\"total_size\": 0}, \"weight_map\": {");
    String sep = "";
    for (Map.Entry<String, String> e : weightMap.entrySet()) {
      json.append(sep).append('"').append(e.getKey()).append("\": \"").append(e.getValue()).append('"');
      sep = ", ";
    }
    json.append("}}");
    Files.writeString(dir.resolve(Pretrained.WEIGHTS_INDEX), json, StandardCharsets.UTF_8);
  }
}
