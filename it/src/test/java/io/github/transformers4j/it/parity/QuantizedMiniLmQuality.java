package io.github.transformers4j.it.parity;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.registry.Backends;
import io.github.transformers4j.api.registry.Tokenizers;
import io.github.transformers4j.api.spi.BackendOptions;
import io.github.transformers4j.api.spi.TextTokenizer;
import io.github.transformers4j.it.tokenizers.Corpora;
import io.github.transformers4j.models.bert.BertModel;
import io.github.transformers4j.models.bert.SentenceEmbedder;
import io.github.transformers4j.models.nn.WeightPrecision;
import io.github.transformers4j.models.pretrained.Pretrained;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * all-MiniLM-L6-v2 sentence embeddings with int8 and bf16 weights against fp32 on the first lines
 * of Lucene's Europarl sample (many languages; the tokenizer cuts at 128 tokens): the cosine of
 * each line's quantized embedding to its fp32 one. {@link #main} runs 1,000 lines and prints the
 * mean and minimum ({@code bench/minilm-quantized.sh}); {@code QuantizedMiniLmTest} checks a
 * sample in the build.
 */
public final class QuantizedMiniLmQuality {
  private QuantizedMiniLmQuality() {}

  /** Mean and minimum cosine over the lines, and the resident weight bytes of both models. */
  record Result(int lines, double mean, double min, long f32Bytes, long bytes) {}

  /** The cosines of {@code lines} Europarl lines embedded in each precision against fp32. */
  static List<Result> measure(Path folder, List<WeightPrecision> precisions, int lines, int threads)
      throws Exception {
    List<String> texts = Corpora.europarl().subList(0, lines);
    TextTokenizer tok = Tokenizers.installed().forName("auto").load(folder);
    try (ComputeBackend backend =
        Backends.installed().create("cpu", BackendOptions.none().with("threads", Integer.toString(threads)))) {
      Ops ops = new Ops(backend);
      BertModel f32 = Pretrained.load(ops, folder, BertModel.class);
      float[][] want = new SentenceEmbedder(ops, f32, tok).embed(texts);
      List<Result> results = new java.util.ArrayList<>();
      for (WeightPrecision precision : precisions) {
      BertModel q = Pretrained.load(ops, folder, BertModel.class, precision);
      float[][] got = new SentenceEmbedder(ops, q, tok).embed(texts);
      double sum = 0;
      double min = Double.POSITIVE_INFINITY;
      for (int i = 0; i < lines; i++) {
        double dot = 0;
        double nw = 0;
        double ng = 0;
        for (int j = 0; j < want[i].length; j++) {
          dot += (double) want[i][j] * got[i][j];
          nw += (double) want[i][j] * want[i][j];
          ng += (double) got[i][j] * got[i][j];
        }
        double cos = dot / Math.sqrt(nw * ng);
        sum += cos;
        min = Math.min(min, cos);
      }
      results.add(new Result(lines, sum / lines, min, f32.weightBytes(), q.weightBytes()));
      }
      return results;
    }
  }

  /** {@code [lines=1000] [threads=2]}: prints mean and minimum cosine for int8 and bf16. */
  public static void main(String[] args) throws Exception {
    int lines = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    Path dir = Files.createTempDirectory("t4j-minilm");
    try {
      MiniLmFolder.write(dir);
      List<WeightPrecision> ps = List.of(WeightPrecision.INT8, WeightPrecision.BF16);
      List<Result> rs = measure(dir, ps, lines, threads);
      for (int i = 0; i < ps.size(); i++) {
        WeightPrecision p = ps.get(i);
        Result r = rs.get(i);
        System.out.printf(
            Locale.ROOT,
            "all-MiniLM-L6-v2 %s vs f32, %d Europarl lines: cosine mean %.6f, min %.6f; weights %.1f MB"
                + " (f32 %.1f MB)%n",
            p.label(), r.lines(), r.mean(), r.min(), r.bytes() / 1e6, r.f32Bytes() / 1e6);
      }
    } finally {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }
}
