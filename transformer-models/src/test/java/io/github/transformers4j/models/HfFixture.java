package io.github.transformers4j.models;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code testdata/models/hf-tiny/<name>} folder: a model saved by Hugging Face transformers and
 * {@code expected_outputs.json}, the outputs that library computed from it.
 */
public record HfFixture(Path dir, List<JsonObject> cases) {

  /** The fixture {@code models/hf-tiny/<name>}; fails naming the path when it is absent. */
  public static HfFixture load(String name) throws IOException {
    Path dir = TestSupport.shared("models/hf-tiny/" + name);
    JsonObject root =
        JsonParser.parseString(Files.readString(dir.resolve("expected_outputs.json"))).getAsJsonObject();
    List<JsonObject> cases = new ArrayList<>();
    for (JsonElement e : root.getAsJsonArray("cases")) {
      cases.add(e.getAsJsonObject());
    }
    return new HfFixture(dir, List.copyOf(cases));
  }

  /** Every number of a nested JSON array, row-major. */
  public static float[] floats(JsonElement nested) {
    List<Float> all = new ArrayList<>();
    collect(nested, all);
    float[] r = new float[all.size()];
    for (int i = 0; i < r.length; i++) {
      r[i] = all.get(i);
    }
    return r;
  }

  /** Every integer of a nested JSON array, row-major. */
  public static int[] ints(JsonElement nested) {
    float[] f = floats(nested);
    int[] r = new int[f.length];
    for (int i = 0; i < r.length; i++) {
      r[i] = (int) f[i];
    }
    return r;
  }

  /** The number of rows of a 2-D (or deeper) JSON array. */
  public static int rows(JsonElement nested) {
    return nested.getAsJsonArray().size();
  }

  private static void collect(JsonElement e, List<Float> out) {
    if (e.isJsonArray()) {
      for (JsonElement x : (JsonArray) e) {
        collect(x, out);
      }
    } else {
      out.add(e.getAsFloat());
    }
  }
}
