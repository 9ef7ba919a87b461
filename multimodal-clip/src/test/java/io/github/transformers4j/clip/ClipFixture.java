package io.github.transformers4j.clip;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.registry.Backends;
import io.github.transformers4j.api.spi.BackendOptions;
import io.github.transformers4j.api.testing.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Test helpers: the CLIP fixtures under {@code testdata/models/hf-tiny/} and nested JSON arrays. */
final class ClipFixture {
  private ClipFixture() {}

  /** The Hugging Face CLIP fixture folder. */
  static Path dir() {
    return SharedData.require("models/hf-tiny/clip");
  }

  /** {@code expected_outputs.json} of a fixture folder, parsed. */
  static JsonObject expected(Path dir) throws IOException {
    return JsonParser.parseString(Files.readString(dir.resolve("expected_outputs.json")))
        .getAsJsonObject();
  }

  /** The {@code cpu} backend on {@code threads} threads (tests may name it; production may not). */
  static ComputeBackend cpu(int threads) {
    return Backends.installed()
        .create("cpu", BackendOptions.none().with("threads", Integer.toString(threads)));
  }

  /** A nested JSON array of numbers, flattened row-major. */
  static float[] floats(JsonElement e) {
    List<Double> out = new ArrayList<>();
    flatten(e, out);
    float[] f = new float[out.size()];
    for (int i = 0; i < f.length; i++) {
      f[i] = out.get(i).floatValue();
    }
    return f;
  }

  /** A nested JSON array of integers, flattened row-major. */
  static int[] ints(JsonElement e) {
    float[] f = floats(e);
    int[] r = new int[f.length];
    for (int i = 0; i < f.length; i++) {
      r[i] = (int) f[i];
    }
    return r;
  }

  /** The dimensions of a nested JSON array. */
  static int[] dims(JsonElement e) {
    List<Integer> d = new ArrayList<>();
    while (e.isJsonArray()) {
      JsonArray a = e.getAsJsonArray();
      d.add(a.size());
      if (a.isEmpty()) {
        break;
      }
      e = a.get(0);
    }
    return d.stream().mapToInt(Integer::intValue).toArray();
  }

  private static void flatten(JsonElement e, List<Double> out) {
    if (e.isJsonArray()) {
      for (JsonElement x : e.getAsJsonArray()) {
        flatten(x, out);
      }
    } else {
      out.add(e.getAsDouble());
    }
  }

  /** Largest absolute difference of two equally long arrays. */
  static double maxAbsDiff(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
    }
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs((double) a[i] - b[i]));
    }
    return m;
  }
}
