package io.github.transformers4j.models.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.GsonBuilder;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.models.TestSupport;
import io.github.transformers4j.models.nn.PretrainedModel;
import io.github.transformers4j.models.pretrained.Pretrained;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 12, defect 5: a {@code config.json} whose sizes cannot be loaded is refused before the model
 * is built (which allocates every parameter), naming the file, the field and the limit; it used to
 * run 38 s and end in an OutOfMemoryError.
 */
class ConfigLimitsTest {
  @TempDir Path tmp;

  private static final List<String> FAMILIES =
      List.of(
          "gpt2", "opt", "electra", "roberta", "bart", "marian", "pegasus", "t5", "mt5", "clip");

  /** A copy of fixture {@code family} with {@code field} (a dotted path) set to {@code value}. */
  private Path withField(String family, String field, Object value) throws IOException {
    Path src = TestSupport.shared("models/hf-tiny/" + family);
    Path dir = Files.createDirectories(tmp.resolve(family + "-" + field));
    Map<String, Object> config = HfConfig.read(src.resolve("config.json"));
    set(config, field, value);
    Files.writeString(
        dir.resolve("config.json"), new GsonBuilder().serializeNulls().create().toJson(config));
    Files.copy(src.resolve("model.safetensors"), dir.resolve("model.safetensors"));
    return dir;
  }

  @SuppressWarnings("unchecked")
  private static void set(Map<String, Object> config, String field, Object value) {
    int dot = field.indexOf('.');
    if (dot < 0) {
      config.put(field, value);
    } else {
      set((Map<String, Object>) config.get(field.substring(0, dot)), field.substring(dot + 1), value);
    }
  }

  private static String refused(Path dir) {
    Ops ops = new Ops(TestSupport.reference());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                assertTimeoutPreemptively(
                    Duration.ofSeconds(10), () -> Pretrained.load(ops, dir, PretrainedModel.class)));
    String m = e.getMessage();
    assertTrue(m.contains(dir.resolve("config.json").toString()), m);
    assertTrue(m.length() <= 300 + dir.toString().length(), m);
    return m;
  }

  @Test
  void aMillionLayersIsRefusedBeforeTheModelIsBuilt() throws IOException {
    String m = refused(withField("gpt2", "n_layer", 1_000_000));
    assertTrue(m.contains("n_layer 1000000 is above this library's limit of 1024"), m);
  }

  @Test
  void sizesWithinTheLimitsButBeyondTheHeapAreRefusedWithTheBytesNeeded() throws IOException {
    Path dir = withField("gpt2", "n_layer", 1000);
    Map<String, Object> config = HfConfig.read(dir.resolve("config.json"));
    config.put("n_embd", 65536);
    Files.writeString(dir.resolve("config.json"), new GsonBuilder().create().toJson(config));
    String m = refused(dir);
    assertTrue(m.contains("the weights need at least"), m);
    assertTrue(m.contains("-Xmx"), m);
  }

  /** Every size field of every family's fixture (nested ones too), set to two billion. */
  static Stream<Arguments> sizeFields() throws IOException {
    List<Arguments> out = new ArrayList<>();
    for (String family : FAMILIES) {
      Map<String, Object> config =
          HfConfig.read(TestSupport.shared("models/hf-tiny/" + family).resolve("config.json"));
      collect(family, "", config, out);
    }
    return out.stream();
  }

  @SuppressWarnings("unchecked")
  private static void collect(String family, String prefix, Map<String, Object> m, List<Arguments> out) {
    for (Map.Entry<String, Object> e : m.entrySet()) {
      if (ConfigLimits.limits().containsKey(e.getKey())) {
        out.add(Arguments.of(family, prefix + e.getKey()));
      } else if (e.getValue() instanceof Map<?, ?> nested) {
        collect(family, prefix + e.getKey() + ".", (Map<String, Object>) nested, out);
      }
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("sizeFields")
  void everySizeFieldOfEveryFamilyIsBounded(String family, String field) throws IOException {
    String m = refused(withField(family, field, 2_000_000_000L));
    assertTrue(m.contains(field + " 2000000000 is above this library's limit of "), m);
  }

  /**
   * Issue 12, defect 6: NaN weights generated "0,0,0..." with exit 0. A non-finite value is refused
   * at load, naming the tensor and the element.
   */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(floats = {Float.NaN, Float.POSITIVE_INFINITY})
  void nonFiniteWeightsAreRefusedNamingTheTensor(float bad) throws IOException {
    Path src = TestSupport.shared("models/hf-tiny/gpt2");
    Path dir = Files.createDirectories(tmp.resolve("nan-" + bad));
    Files.copy(src.resolve("config.json"), dir.resolve("config.json"));
    Map<String, io.github.transformers4j.models.weights.TensorData> tensors =
        new java.util.LinkedHashMap<>();
    String victim = null;
    try (io.github.transformers4j.models.weights.SafeTensors w =
        io.github.transformers4j.models.weights.SafeTensors.open(src.resolve("model.safetensors"))) {
      for (String name : w.names()) {
        float[] v = w.floats(name);
        if (victim == null && name.endsWith("attn.c_attn.weight")) {
          victim = name;
          v[7] = bad;
        }
        tensors.put(name, new io.github.transformers4j.models.weights.TensorData(w.shape(name), v));
      }
    }
    io.github.transformers4j.models.weights.SafeTensors.write(
        dir.resolve("model.safetensors"), tensors, io.github.transformers4j.api.DType.F32);
    Ops ops = new Ops(TestSupport.reference());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> Pretrained.load(ops, dir, PretrainedModel.class));
    assertTrue(
        e.getMessage().contains("tensor '" + victim + "' holds " + bad + " at element 7"),
        e.getMessage());
    assertTrue(e.getMessage().contains("model.safetensors"), e.getMessage());
  }

  /** Issue 12, defect 7: these gave "MalformedInputException" and "Is a directory". */
  @Test
  void aConfigThatIsNotUtf8OrIsAFolderOrIsMalformedNamesTheFile() throws IOException {
    Path bin = tmp.resolve("bin.json");
    Files.write(bin, new byte[] {'{', (byte) 0xff, (byte) 0xfe, '}'});
    Exception e = assertThrows(Exception.class, () -> HfConfig.read(bin));
    assertTrue(e.getMessage().equals(bin + ": not UTF-8 text, not a JSON file"), e.getMessage());
    Path folder = Files.createDirectories(tmp.resolve("folder.json"));
    e = assertThrows(IOException.class, () -> HfConfig.read(folder));
    assertTrue(e.getMessage().equals(folder + ": is a folder, expected a JSON file"), e.getMessage());
    Path bad = tmp.resolve("bad.json");
    Files.writeString(bad, "{\"n_layer\": 2,");
    e = assertThrows(IllegalArgumentException.class, () -> HfConfig.read(bad));
    assertTrue(e.getMessage().startsWith(bad + ": malformed JSON: "), e.getMessage());
    assertFalse(e.getMessage().contains("Exception"), e.getMessage());
    assertFalse(e.getMessage().contains("https://"), e.getMessage());
  }

  @Test
  void theFixturesThemselvesPass() throws IOException {
    assertTrue(sizeFields().count() > 50, "size fields found");
    for (String family : FAMILIES) {
      Path config = TestSupport.shared("models/hf-tiny/" + family).resolve("config.json");
      ConfigLimits.check(config.toString(), HfConfig.read(config));
    }
    assertFalse(ConfigLimits.limits().isEmpty());
  }
}
