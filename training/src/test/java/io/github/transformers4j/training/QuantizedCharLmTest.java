package io.github.transformers4j.training;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.registry.Backends;
import io.github.transformers4j.api.spi.BackendOptions;
import io.github.transformers4j.api.testing.SharedData;
import io.github.transformers4j.models.nn.WeightPrecision;
import io.github.transformers4j.training.data.BlockSampler;
import io.github.transformers4j.training.data.Datasets;
import io.github.transformers4j.training.objectives.CausalLm;
import io.github.transformers4j.training.optim.AdamW;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A char GPT trained briefly on Shakespeare (as {@code t4j train clm} does), reloaded from its
 * output folder in fp32, int8 and bf16: the validation loss on the same held-out blocks may rise
 * by at most 0.02 in int8 (the bar) and 0.01 in bf16. The full nanoGPT-sized run is in
 * {@code bench/shakespeare-char.sh} and the figures in {@code docs/architecture.md}.
 */
class QuantizedCharLmTest {

  @Test
  void validationLossStaysWithinTheBar(@TempDir Path out) throws Exception {
    String text = Files.readString(SharedData.require("data/tinyshakespeare.txt"), StandardCharsets.UTF_8);
    // The first 200,000 chars: enough to learn more than letter frequencies in a few seconds.
    String corpus = text.substring(0, 200_000);
    CharLm.Settings s =
        new CharLm.Settings(32, 12, 2, 2, 64, 0f, 120, 5e-3, 5e-4, 10, 0.99, 0.1, 1.0, 1, 1000, 4, 0.1, 7);
    try (ComputeBackend backend =
        Backends.installed().create("cpu", BackendOptions.none().with("threads", "2"))) {
      Ops ops = new Ops(backend);
      try (OutputFolder f = OutputFolder.open(out, CharLm.TASK, OutputFolder.Mode.NEW)) {
        CharLm.train(ops, corpus, s, f, false, null);
      }
      double f32 = valLoss(ops, out, corpus, s, WeightPrecision.F32);
      double int8 = valLoss(ops, out, corpus, s, WeightPrecision.INT8);
      double bf16 = valLoss(ops, out, corpus, s, WeightPrecision.BF16);
      System.out.printf(
          "[QuantizedCharLmTest] val loss f32 %.4f, int8 %.4f (%+.4f), bf16 %.4f (%+.4f)%n",
          f32, int8, int8 - f32, bf16, bf16 - f32);
      // Trained at all (a uniform guess over ~60 chars is ln 60 ≈ 4.1), so the bar means something.
      assertTrue(f32 < 2.8, "f32 val loss " + f32 + ": the model did not train");
      assertTrue(int8 - f32 <= 0.02, "int8 raises val loss by " + (int8 - f32));
      assertTrue(bf16 - f32 <= 0.01, "bf16 raises val loss by " + (bf16 - f32));
    }
  }

  // The loss on 40 fixed blocks of the held-out tail, the model reloaded in `precision`.
  private static double valLoss(Ops ops, Path out, String corpus, CharLm.Settings s, WeightPrecision p)
      throws Exception {
    CharLm.Loaded m = CharLm.load(ops, out, p);
    int[] val = Datasets.splitStream(m.tokenizer().encode(corpus), s.valFraction())[1];
    Trainer t =
        new Trainer(ops, m.model(), new CausalLm(false), new AdamW(0), TrainerConfig.simple(1, 1e-3, 0), null);
    return t.evaluate(new BlockSampler(val, 12, s.block(), 99), 40);
  }
}
