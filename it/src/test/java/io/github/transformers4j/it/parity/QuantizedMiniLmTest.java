package io.github.transformers4j.it.parity;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.models.nn.WeightPrecision;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * all-MiniLM-L6-v2 with int8 and bf16 weights: every one of the first 32 Europarl lines embeds
 * with cosine ≥ 0.99 to fp32 (the bar, measured over 1,000 lines by {@code
 * bench/minilm-quantized.sh}), and the weights take about a quarter and a half of the bytes.
 */
class QuantizedMiniLmTest {
  @Test
  void quantizedEmbeddingsStayWithinCosine099OfF32(@TempDir Path dir) throws Exception {
    MiniLmFolder.write(dir);
    List<WeightPrecision> ps = List.of(WeightPrecision.INT8, WeightPrecision.BF16);
    List<QuantizedMiniLmQuality.Result> rs = QuantizedMiniLmQuality.measure(dir, ps, 32, 2);
    for (int i = 0; i < ps.size(); i++) {
      WeightPrecision p = ps.get(i);
      QuantizedMiniLmQuality.Result r = rs.get(i);
      System.out.printf(
          "[QuantizedMiniLmTest] %s vs f32 over %d lines: cosine mean %.6f, min %.6f; weights %d of %d bytes%n",
          p.label(), r.lines(), r.mean(), r.min(), r.bytes(), r.f32Bytes());
      assertTrue(r.min() >= 0.99, p + ": minimum cosine " + r.min());
      // The linear layers are 10.6 M of MiniLM's 22.7 M parameters; the word table (11.7 M) is
      // a lookup here, not a matmul weight, and stays f32 with the other tables and the norms.
      double ratio = (double) r.bytes() / r.f32Bytes();
      assertTrue(ratio < (p == WeightPrecision.INT8 ? 0.72 : 0.8), p + ": weights " + ratio + " of f32");
    }
  }
}
