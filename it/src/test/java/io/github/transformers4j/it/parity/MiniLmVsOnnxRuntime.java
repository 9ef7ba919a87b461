package io.github.transformers4j.it.parity;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.registry.Backends;
import io.github.transformers4j.api.spi.BackendOptions;
import io.github.transformers4j.models.bert.BertModel;
import io.github.transformers4j.models.weights.OnnxWeights;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Benchmark, not a test: all-MiniLM-L6-v2 forward (batch 1, 128 tokens) on our {@code cpu} backend
 * against ONNX Runtime, each on 1 and 2 threads, in one process. The two sides run alternately, A B
 * A B, so load from other work falls on both; each round takes the median of several forwards, and
 * the table shows the median over rounds and the ratio ours / ORT. Before timing, the outputs are
 * compared, so a broken forward cannot report a fast number. Run it with {@code
 * bench/minilm-vs-onnxruntime.sh}.
 *
 * <p>Arguments: {@code --threads-list 1,2}, {@code --rounds 7}, {@code --per-round 10}, {@code
 * --tokens 128}, {@code --profile} (time per kind of op, measured on {@link OpsBert}, which
 * performs the same ops as {@code BertModel} with a timer around each), {@code --int8} (instead:
 * ours fp32, ours with int8 weights, ORT fp32, ORT on the int8 model, A B C D).
 */
public final class MiniLmVsOnnxRuntime {
  private MiniLmVsOnnxRuntime() {}

  public static void main(String[] args) throws Exception {
    int[] threadsList = {1, 2};
    int rounds = 7;
    int perRound = 10;
    int tokens = 128;
    boolean profile = false;
    boolean int8 = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--threads-list" ->
            threadsList = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--per-round" -> perRound = Integer.parseInt(args[++i]);
        case "--tokens" -> tokens = Integer.parseInt(args[++i]);
        case "--profile" -> profile = true;
        case "--int8" -> int8 = true;
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    if (int8) {
      runInt8(threadsList, rounds, perRound, tokens);
    } else {
      run(threadsList, rounds, perRound, tokens, profile);
    }
  }

  /**
   * Four sides A B C D per round: our BertModel with fp32 and with int8 weights, ONNX Runtime on the
   * fp32 model and on its publishers' int8 model ({@code all-minilm-l6-v2-q}: dynamic int8
   * activations, integer dot products).
   */
  private static void runInt8(int[] threadsList, int rounds, int perRound, int tokens) throws Exception {
    BertModelFiles model = BertModelFiles.MINILM;
    int[] ids = tokens(model, tokens);
    int[] mask = new int[tokens];
    Arrays.fill(mask, 1);
    int[] types = new int[tokens];
    long[][] lIds = {Arrays.stream(ids).asLongStream().toArray()};
    long[][] lMask = {Arrays.stream(mask).asLongStream().toArray()};
    long[][] lTypes = {new long[tokens]};
    System.out.printf(
        "all-MiniLM-L6-v2, batch 1, %d tokens; %d rounds of %d forwards per side, A B C D; Java %s%n",
        tokens, rounds, perRound, Runtime.version());
    List<String> rows = new ArrayList<>();
    try (OnnxWeights w = OnnxWeights.open(model.onnxFile())) {
      for (int threads : threadsList) {
        try (ComputeBackend backend =
                Backends.installed()
                    .create("cpu", BackendOptions.none().with("threads", Integer.toString(threads)));
            OrtBert ort = new OrtBert(model.onnxFile(), threads);
            OrtBert ortQ = new OrtBert(BertModelFiles.quantizedMiniLmOnnxFile(), threads)) {
          Ops ops = new Ops(backend);
          BertModel f32 = new BertModel(ops, model.config(), false);
          f32.load(w);
          BertModel q8 = new BertModel(ops, model.config(), false);
          q8.load(w);
          q8.quantize(io.github.transformers4j.models.nn.WeightPrecision.INT8);
          float[] want = ort.lastHiddenState(lIds, lMask, lTypes);
          float diff = OnnxWeightsBertParityTest.maxAbsDiff(want, f32.hidden(ids, types, mask, 1).toFloatArray());
          if (!(diff <= 1e-3f)) {
            throw new AssertionError("outputs differ by " + diff + "; not timing a wrong forward");
          }
          float diffQ = OnnxWeightsBertParityTest.maxAbsDiff(want, q8.hidden(ids, types, mask, 1).toFloatArray());
          float diffOrtQ = OnnxWeightsBertParityTest.maxAbsDiff(want, ortQ.lastHiddenState(lIds, lMask, lTypes));
          Runnable[] sides = {
            () -> f32.hidden(ids, types, mask, 1).close(),
            () -> q8.hidden(ids, types, mask, 1).close(),
            () -> ort(ort, lIds, lMask, lTypes),
            () -> ort(ortQ, lIds, lMask, lTypes)
          };
          long end = System.nanoTime() + 2_000_000_000L;
          while (System.nanoTime() < end) {
            for (Runnable r : sides) {
              r.run();
            }
          }
          double[][] ms = new double[sides.length][rounds];
          for (int r = 0; r < rounds; r++) {
            for (int s = 0; s < sides.length; s++) {
              ms[s][r] = medianMs(sides[s], perRound);
            }
          }
          double o = median(ms[0]);
          double oq = median(ms[1]);
          double x = median(ms[2]);
          double xq = median(ms[3]);
          rows.add(
              String.format(
                  "%7d  %8.2f  %8.2f  %8.2f  %8.2f   %9.2f   %9.2f   (max |diff| to ORT f32: ours int8 %.2g,"
                      + " ORT int8 %.2g)",
                  threads, o, oq, x, xq, oq / o, oq / xq, diffQ, diffOrtQ));
        }
      }
    }
    System.out.println("          medians of round medians, ms");
    System.out.println("threads  ours f32  ours i8   ORT f32   ORT i8   i8/f32 ours  ours/ORT i8");
    rows.forEach(System.out::println);
  }

  private static void ort(OrtBert ort, long[][] ids, long[][] mask, long[][] types) {
    try {
      ort.lastHiddenState(ids, mask, types);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void run(int[] threadsList, int rounds, int perRound, int tokens, boolean profile)
      throws Exception {
    BertModelFiles model = BertModelFiles.MINILM;
    int[] ids = tokens(model, tokens);
    int[] mask = new int[tokens];
    Arrays.fill(mask, 1);
    int[] types = new int[tokens];
    long[][] lIds = {Arrays.stream(ids).asLongStream().toArray()};
    long[][] lMask = {Arrays.stream(mask).asLongStream().toArray()};
    long[][] lTypes = {new long[tokens]};

    System.out.printf(
        "all-MiniLM-L6-v2, batch 1, %d tokens; %d rounds of %d forwards per side,"
            + " A B A B; Java %s%n",
        tokens, rounds, perRound, Runtime.version());
    List<String> rows = new ArrayList<>();
    try (OnnxWeights w = OnnxWeights.open(model.onnxFile())) {
      for (int threads : threadsList) {
        try (ComputeBackend backend =
                Backends.installed()
                    .create(
                        "cpu", BackendOptions.none().with("threads", Integer.toString(threads)));
            OrtBert ort = new OrtBert(model.onnxFile(), threads)) {
          Ops ops = new Ops(backend);
          BertModel bert = new BertModel(ops, model.config(), false);
          bert.load(w);
          // The same op sequence written out in OpsBert, which can time each kind of op.
          OpsBert ours =
              new OpsBert(
                  ops, w, model.layers, BertModelFiles.HEADS, BertModelFiles.LAYER_NORM_EPS);
          float[] want = ort.lastHiddenState(lIds, lMask, lTypes);
          float[] got = bert.hidden(ids, types, mask, 1).toFloatArray();
          float diff = OnnxWeightsBertParityTest.maxAbsDiff(want, got);
          if (!(diff <= 1e-3f)) {
            throw new AssertionError("outputs differ by " + diff + "; not timing a wrong forward");
          }
          Runnable a = () -> bert.hidden(ids, types, mask, 1).close();
          Runnable b =
              () -> {
                try {
                  ort.lastHiddenState(lIds, lMask, lTypes);
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              };
          warm(a, b, 1500);
          double[] oursMs = new double[rounds];
          double[] ortMs = new double[rounds];
          for (int r = 0; r < rounds; r++) {
            oursMs[r] = medianMs(a, perRound);
            ortMs[r] = medianMs(b, perRound);
          }
          double o = median(oursMs);
          double x = median(ortMs);
          double oMin = Arrays.stream(oursMs).min().orElse(0);
          double xMin = Arrays.stream(ortMs).min().orElse(0);
          rows.add(
              String.format(
                  "%7d  %9.2f  %9.2f  %9.2f   %9.2f  %9.2f  %9.2f   (max |diff| %.2g)",
                  threads, o, x, o / x, oMin, xMin, oMin / xMin, diff));
          if (profile) {
            Map<String, Long> p = new TreeMap<>();
            ours.profileInto(p);
            for (int i = 0; i < perRound; i++) {
              ours.forward(ids, mask, types, 1, tokens).close();
            }
            ours.profileInto(null);
            long total = p.values().stream().mapToLong(Long::longValue).sum();
            System.out.printf("profile, %d thread(s), per forward:%n", threads);
            p.entrySet().stream()
                .sorted((e1, e2) -> Long.compare(e2.getValue(), e1.getValue()))
                .forEach(
                    e ->
                        System.out.printf(
                            "  %-12s %7.2f ms  %5.1f%%%n",
                            e.getKey(),
                            e.getValue() / 1e6 / perRound,
                            100.0 * e.getValue() / total));
          }
        }
      }
    }
    System.out.println(
        "          median of round medians         best round median (less sensitive to load)");
    System.out.println(
        "threads    ours ms     ORT ms   ours/ORT     ours ms     ORT ms   ours/ORT");
    rows.forEach(System.out::println);
  }

  /** Real WordPiece ids of a repeated English text, [CLS] ... [SEP], exactly {@code n} long. */
  static int[] tokens(BertModelFiles model, int n) {
    String text =
        "Transformers read whole sentences at once and attention decides which words"
            + " matter for the meaning of each other word in the text . ";
    int[] body = model.encode(text.repeat(n / 10 + 2));
    int[] ids = Arrays.copyOf(body, n);
    ids[n - 1] = body[body.length - 1]; // [SEP]
    return ids;
  }

  private static void warm(Runnable a, Runnable b, long millis) {
    long end = System.nanoTime() + millis * 1_000_000L;
    while (System.nanoTime() < end) {
      a.run();
      b.run();
    }
  }

  private static double medianMs(Runnable r, int n) {
    double[] t = new double[n];
    for (int i = 0; i < n; i++) {
      long t0 = System.nanoTime();
      r.run();
      t[i] = (System.nanoTime() - t0) / 1e6;
    }
    return median(t);
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }
}
