package io.github.transformers4j.apps.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The machine-readable form of a GEMM benchmark run ({@code t4j bench gemm --json FILE}), read by
 * {@code bench/gemm-vs-openblas.sh}.
 */
public final class GemmReport {
  private GemmReport() {}

  /**
   * The run as JSON: {@code meta} (backend, versions, settings) and one object per result with
   * {@code n}, {@code threads} (null when the backend has no thread option), {@code median_gflops},
   * {@code best_gflops}, {@code median_ms}, {@code samples_ms}, {@code calls_per_sample}, {@code
   * correct} and {@code check}.
   */
  public static String toJson(Map<String, Object> meta, List<GemmBench.Result> results) {
    List<Object> rows = new ArrayList<>();
    for (GemmBench.Result r : results) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("n", r.n());
      row.put("threads", r.threads());
      row.put("median_gflops", r.medianGflops());
      row.put("best_gflops", r.bestGflops());
      row.put("median_ms", r.medianMillis());
      row.put("samples_ms", r.sampleMillis());
      row.put("calls_per_sample", r.callsPerSample());
      row.put("correct", r.correct());
      row.put("check", r.checkDetail());
      rows.add(row);
    }
    Map<String, Object> root = new LinkedHashMap<>(meta);
    root.put("results", rows);
    return Json.write(root);
  }
}
