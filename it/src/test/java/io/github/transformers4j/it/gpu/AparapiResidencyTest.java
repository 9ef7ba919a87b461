package io.github.transformers4j.it.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.registry.Backends;
import io.github.transformers4j.api.spi.BackendOptions;
import io.github.transformers4j.api.spi.Probe;
import io.github.transformers4j.api.testing.SharedData;
import io.github.transformers4j.gpu.aparapi.AparapiBackend;
import io.github.transformers4j.gpu.aparapi.Transfers;
import io.github.transformers4j.models.config.HfConfig;
import io.github.transformers4j.models.gpt.Gpt2Config;
import io.github.transformers4j.models.gpt.Gpt2Model;
import io.github.transformers4j.models.weights.SafeTensors;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The {@code aparapi} backend keeps a model on the device: loading GPT-2 (tiny-random-gpt2)
 * uploads each checkpoint weight once, a forward uploads only the ids and the position ids, and reading the
 * logits is the only download; the logits agree with the {@code cpu} backend within 1e-4. Skipped,
 * with the probe's reason, without an OpenCL device, except on CI ({@code CI=true}) or with
 * {@code -Dt4j.require.opencl=true}, where PoCL is installed and a skip would hide a failure.
 */
class AparapiResidencyTest {
  private static AparapiBackend gpu;
  private static ComputeBackend cpu;

  static boolean devicesRequired() {
    return "true".equalsIgnoreCase(System.getenv("CI")) || Boolean.getBoolean("t4j.require.opencl");
  }

  @BeforeAll
  static void open() {
    Probe probe = Backends.installed().probe(Backends.installed().provider("aparapi"));
    if (!probe.available()) {
      System.out.println("SKIP aparapi residency: " + probe.reason());
      if (devicesRequired()) {
        throw new AssertionError(probe.reason() + " (required on CI, where PoCL is installed)");
      }
    }
    Assumptions.assumeTrue(probe.available(), probe.reason());
    gpu = (AparapiBackend) Backends.installed().create("aparapi", BackendOptions.none());
    cpu = Backends.installed().create("cpu", BackendOptions.none().with("threads", "1"));
  }

  @AfterAll
  static void close() {
    if (gpu != null) {
      gpu.close();
      cpu.close();
    }
  }

  private static Gpt2Model gpt2(ComputeBackend b, Path dir) throws Exception {
    Gpt2Model m =
        new Gpt2Model(new Ops(b), Gpt2Config.fromMap(HfConfig.read(dir.resolve("config.json"))));
    try (SafeTensors w = SafeTensors.open(dir.resolve("model.safetensors"))) {
      m.load(w);
    }
    return m;
  }

  @Test
  void gpt2UploadsWeightsOnceAndIdsPerForwardAndDownloadsOnlyTheLogits() throws Exception {
    Path dir = SharedData.require("models/tiny-random-gpt2");
    long weightBytes = 0;
    int weightTensors = 0;
    try (SafeTensors w = SafeTensors.open(dir.resolve("model.safetensors"))) {
      for (String n : w.names()) {
        if (!n.endsWith(".attn.bias") && !n.endsWith(".attn.masked_bias")
            && !n.equals("lm_head.weight")) {
          weightBytes += 4L * w.shape(n).size();
          weightTensors++;
        }
      }
    }
    // Constructing the model defers its random initialization (made at a parameter's first read,
    // never when loading sets it first), so construction and loading together upload each
    // checkpoint weight once and nothing else.
    Transfers t0 = gpu.transfers();
    Gpt2Model model =
        new Gpt2Model(new Ops(gpu), Gpt2Config.fromMap(HfConfig.read(dir.resolve("config.json"))));
    assertEquals(new Transfers(0, 0, 0, 0), gpu.transfers().minus(t0),
        "building the model uploads nothing");
    try (SafeTensors w = SafeTensors.open(dir.resolve("model.safetensors"))) {
      model.load(w);
    }
    Transfers load = gpu.transfers().minus(t0);
    System.out.println("[residency] load: " + load);
    assertEquals(new Transfers(weightTensors, weightBytes, 0, 0), load,
        "building and loading upload every weight once and read nothing back");

    Gpt2Model reference = gpt2(cpu, dir);
    int[] ids = {0, 0, 0, 52, 17, 999, 3};
    int v = model.config().vocabSize();
    for (int pass = 0; pass < 2; pass++) {
      Transfers f0 = gpu.transfers();
      Tensor logits = model.logits(ids);
      Transfers forward = gpu.transfers().minus(f0);
      // The position ids are made once per shape and stay on the device (Ops.positions).
      int uploads = pass == 0 ? 2 : 1;
      assertEquals(new Transfers(uploads, uploads * 4L * ids.length, 0, 0), forward,
          "pass " + pass + ": a forward uploads the ids (and, the first time, the position ids),"
              + " nothing else");
      float[] got = logits.toFloatArray();
      Transfers read = gpu.transfers().minus(f0).minus(forward);
      assertEquals(new Transfers(0, 0, 1, 4L * ids.length * v), read,
          "pass " + pass + ": the logits are the one download");
      float[] want = reference.logits(ids).toFloatArray();
      double worst = 0;
      for (int i = 0; i < want.length; i++) {
        worst = Math.max(worst, Math.abs(want[i] - got[i]));
      }
      System.out.printf("[residency] pass %d: %s; max |logit diff| vs cpu %.3g%n", pass, forward,
          worst);
      assertTrue(worst <= 1e-4, "max |logit diff| vs cpu " + worst);
    }
  }
}
