package io.github.transformers4j.gpucheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SGEMM entry check, the PyTorch figures' reader and the command line, without a device. */
class SgemmAndTorchTest {
  @TempDir Path dir;

  private static float[] product(float[] a, float[] b, int n) {
    float[] c = new float[n * n];
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < n; k++) {
        float x = a[i * n + k];
        for (int j = 0; j < n; j++) {
          c[i * n + j] += x * b[k * n + j];
        }
      }
    }
    return c;
  }

  @Test
  void aFloatProductPassesAndAWrongEntryIsNamed() {
    int n = 67;
    SplittableRandom r = new SplittableRandom(3);
    float[] a = new float[n * n];
    float[] b = new float[n * n];
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) (2 * r.nextDouble() - 1);
      b[i] = (float) (2 * r.nextDouble() - 1);
    }
    float[] c = product(a, b, n);
    assertNull(Sgemm.check(a, b, c, n, new SplittableRandom(1)), "an fp32 product is within γ_n");
    // A kernel that mishandles the last tile: the bottom-right corner is checked always.
    float[] wrong = c.clone();
    wrong[n * n - 1] += 1e-3f;
    String msg = Sgemm.check(a, b, wrong, n, new SplittableRandom(1));
    assertNotNull(msg);
    assertTrue(msg.startsWith("C[66][66] = "), msg);
    // A product that skipped half the sum is wrong everywhere it is looked at.
    float[] half = new float[n * n];
    System.arraycopy(c, 0, half, 0, c.length / 2);
    assertNotNull(Sgemm.check(a, b, half, n, new SplittableRandom(1)));
  }

  @Test
  void theFullShapeIsGpt2Small() {
    // 124,439,808: GPT-2 small's parameters with the head tied to wte, as Hugging Face counts them.
    assertEquals(
        124_439_808L,
        io.github.transformers4j.models.gpt.Gpt2Model.parameterCount(
            Gpt2Step.Shape.GPT2_SMALL.config()));
  }

  @Test
  void torchFiguresGiveTheRatioAndRefuseTf32OrGarbage() throws IOException {
    Path ok = dir.resolve("ok.json");
    Files.writeString(
        ok,
        "{\"device\": \"NVIDIA H100\", \"torch\": \"2.11.0\", \"allow_tf32\": false, \"results\":"
            + " [{\"n\": 4096, \"gflops_median\": 40000.0, \"gflops_best\": 41000.0}]}");
    TorchSgemm t = TorchSgemm.read(ok);
    assertNull(t.skipped());
    assertEquals(0.25, t.ratio(4096, 10000.0), 1e-12);
    assertTrue(Double.isNaN(t.ratio(8192, 10000.0)), "no PyTorch figure at 8192");

    Path tf32 = dir.resolve("tf32.json");
    Files.writeString(
        tf32, "{\"device\": \"x\", \"torch\": \"2\", \"allow_tf32\": true, \"results\": []}");
    assertTrue(TorchSgemm.read(tf32).skipped().contains("allow_tf32"));

    Path skipped = dir.resolve("skipped.json");
    Files.writeString(skipped, "{\"skipped\": \"python3 cannot import torch\"}");
    assertEquals("python3 cannot import torch", TorchSgemm.read(skipped).skipped());

    Path garbage = dir.resolve("garbage.json");
    Files.writeString(garbage, "{\"results\": [");
    String why = TorchSgemm.read(garbage).skipped();
    assertTrue(why.contains("garbage.json") && why.contains("sgemm_torch.py"), why);

    assertTrue(TorchSgemm.read(dir.resolve("absent.json")).skipped().contains("absent.json"));
    assertTrue(TorchSgemm.read(null).skipped().contains("--torch"));
  }

  @Test
  void theCommandLineNamesWhatIsWrong() throws IOException {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> GpuCheck.Options.parse("--bogus"));
    assertTrue(e.getMessage().startsWith("unknown option '--bogus'"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> GpuCheck.Options.parse("--quick"));
    assertTrue(e.getMessage().startsWith("--out DIR is required"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> GpuCheck.Options.parse("--out"));
    assertTrue(e.getMessage().startsWith("--out needs a value"), e.getMessage());
    Path out = dir.resolve("out");
    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                GpuCheck.run(
                    GpuCheck.Options.parse("--out", out.toString(), "--backend", "opencl"),
                    System.out));
    assertTrue(e.getMessage().contains("opencl") && e.getMessage().contains("aparapi"), e.getMessage());
    GpuCheck.Options o = GpuCheck.Options.parse("--out", "x", "--quick", "--backend", "reference");
    assertEquals("reference", o.backend());
    assertTrue(o.quick());
  }
}
