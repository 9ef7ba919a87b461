package io.github.transformers4j.gpucheck;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * PyTorch's CUDA SGEMM figures as {@code sgemm_torch.py} writes them: either {@code {"skipped":
 * "why"}} or {@code {"device": ..., "torch": ..., "allow_tf32": false, "results": [{"n": ...,
 * "gflops_median": ..., "gflops_best": ...}, ...]}}.
 */
record TorchSgemm(String skipped, String device, String version, Map<Integer, Double> gflopsMedian) {

  /** The ratio at which the target is met: ours ≥ 0.25 × cuBLAS fp32 at 4096³. */
  static final double TARGET_RATIO = 0.25;

  static final int TARGET_N = 4096;

  static TorchSgemm skipped(String why) {
    return new TorchSgemm(why, null, null, Map.of());
  }

  static TorchSgemm read(Path file) {
    if (file == null) {
      return skipped("no PyTorch figures were given (--torch)");
    }
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return skipped("cannot read " + file + ": " + e.getMessage());
    }
    try {
      JsonObject o = JsonParser.parseString(text).getAsJsonObject();
      if (o.has("skipped")) {
        return skipped(o.get("skipped").getAsString());
      }
      if (!o.has("allow_tf32") || o.get("allow_tf32").getAsBoolean()) {
        return skipped(file + " does not say allow_tf32 false: its figures are not fp32 SGEMM");
      }
      Map<Integer, Double> g = new TreeMap<>();
      for (JsonElement e : o.getAsJsonArray("results")) {
        JsonObject r = e.getAsJsonObject();
        g.put(r.get("n").getAsInt(), r.get("gflops_median").getAsDouble());
      }
      return new TorchSgemm(
          null, o.get("device").getAsString(), o.get("torch").getAsString(), Map.copyOf(g));
    } catch (RuntimeException e) {
      // Gson's exceptions name its own classes; the message names the file instead.
      return skipped(file + " is not the JSON sgemm_torch.py writes (" + e.getMessage() + ")");
    }
  }

  /** Ours over PyTorch's at {@code n}, or NaN when either figure is missing. */
  double ratio(int n, double oursGflops) {
    Double t = gflopsMedian.get(n);
    return t == null || t <= 0 || oursGflops <= 0 ? Double.NaN : oursGflops / t;
  }
}
