package io.github.transformers4j.it.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import io.github.transformers4j.it.parity.MiniLmFolder;
import io.github.transformers4j.models.bert.BertModel;
import io.github.transformers4j.models.bert.ElectraForPreTraining;
import io.github.transformers4j.models.generation.GenerationConfig;
import io.github.transformers4j.models.generation.Generator;
import io.github.transformers4j.models.nn.PretrainedModel;
import io.github.transformers4j.models.pretrained.Pretrained;
import io.github.transformers4j.models.tasks.CausalLm;
import io.github.transformers4j.models.tasks.MaskedLm;
import io.github.transformers4j.models.tasks.Seq2SeqLm;
import io.github.transformers4j.models.tasks.SequenceClassifier;
import io.github.transformers4j.models.tasks.TokenClassifier;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Whole models on {@code aparapi} against {@code cpu}: every hf-tiny family of the repository's
 * fixtures and all-MiniLM-L6-v2 within 1e-4 (max |diff| of the task's logits or last hidden
 * state), and greedy generation with the KV cache on the device giving the same ids, with one
 * download of logits per generated token. Skipped, with the probe's reason, without an OpenCL
 * device, except on CI or with {@code -Dt4j.require.opencl=true}.
 */
class AparapiWholeModelsTest {
  private static final double TOLERANCE = 1e-4;
  private static AparapiBackend gpu;
  private static ComputeBackend cpu;

  @BeforeAll
  static void open() {
    Probe probe = Backends.installed().probe(Backends.installed().provider("aparapi"));
    if (!probe.available()) {
      System.out.println("SKIP aparapi whole models: " + probe.reason());
      if (AparapiResidencyTest.devicesRequired()) {
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

  private static final int[] IDS = {2, 7, 11, 5, 3, 9};
  private static final int[] MASK = {1, 1, 1, 1, 1, 1};

  /** The task output of {@code m} on a fixed input: logits, or the last hidden state. */
  private static float[] forward(PretrainedModel m) {
    Tensor out;
    if (m instanceof CausalLm lm) {
      out = lm.logits(IDS, MASK, 1);
    } else if (m instanceof Seq2SeqLm s) {
      out = s.logits(IDS, MASK, new int[] {0, 4, 8}, new int[] {1, 1, 1}, 1);
    } else if (m instanceof MaskedLm lm) {
      out = lm.logits(IDS, MASK, 1);
    } else if (m instanceof SequenceClassifier c) {
      out = c.logits(IDS, MASK, 1);
    } else if (m instanceof TokenClassifier c) {
      out = c.logits(IDS, MASK, 1);
    } else if (m instanceof ElectraForPreTraining d) {
      out = d.logits(IDS, MASK, 1);
    } else if (m instanceof BertModel b) {
      out = b.hidden(IDS, new int[IDS.length], MASK, 1);
    } else {
      throw new AssertionError("no forward for " + m.getClass().getName());
    }
    return out.toFloatArray();
  }

  private static double compare(String what, Path dir) throws Exception {
    PretrainedModel g = Pretrained.load(new Ops(gpu), dir);
    PretrainedModel c = Pretrained.load(new Ops(cpu), dir);
    float[] want = forward(c);
    float[] got = forward(g);
    assertEquals(want.length, got.length, what);
    double worst = 0;
    for (int i = 0; i < want.length; i++) {
      worst = Math.max(worst, Math.abs(want[i] - got[i]));
    }
    System.out.printf("[whole models] %-16s %-22s max |diff| vs cpu %.3g%n", what,
        g.getClass().getSimpleName(), worst);
    assertTrue(worst <= TOLERANCE, what + ": max |diff| vs cpu " + worst);
    return worst;
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"gpt2", "opt", "opt-postln", "bart", "marian", "pegasus", "t5", "mt5",
      "roberta", "roberta-seqcls", "electra", "electra-generator", "electra-tokcls"})
  void hfTinyFamilyMatchesCpu(String family) throws Exception {
    compare(family, SharedData.require("models/hf-tiny/" + family));
  }

  @Test
  void tinyRandomGpt2AndMiniLmMatchCpu(@TempDir Path tmp) throws Exception {
    compare("tiny-random-gpt2", SharedData.require("models/tiny-random-gpt2"));
    compare("all-MiniLM-L6-v2", MiniLmFolder.write(tmp));
  }

  @Test
  void greedyGenerationKeepsTheKvCacheOnTheDevice() throws Exception {
    Path dir = SharedData.require("models/tiny-random-gpt2");
    CausalLm g = Pretrained.load(new Ops(gpu), dir, CausalLm.class);
    CausalLm c = Pretrained.load(new Ops(cpu), dir, CausalLm.class);
    int[] prompt = {0, 0, 0, 52};
    int steps = 6;
    Transfers t0 = gpu.transfers();
    int[] got = new Generator(g::session).generate(prompt, GenerationConfig.greedy(steps));
    Transfers gen = gpu.transfers().minus(t0);
    int[] want = new Generator(c::session).generate(prompt, GenerationConfig.greedy(steps));
    assertArrayEquals(want, got);
    assertArrayEquals(new int[] {0, 0, 0, 52, 204, 204, 204, 204, 204, 204}, got,
        "the fixture's greedy continuation");
    System.out.println("[whole models] greedy generation of " + steps + " tokens: " + gen);
    assertEquals(steps, gen.downloads(), "one read of logits per generated token: " + gen);
    assertEquals(2L * steps, gen.uploads(),
        "the new ids and positions of each step, never the cache: " + gen);
    assertTrue(gen.downloadBytes() <= 4L * steps * g.vocabSize(),
        "only the last position's logits are read: " + gen);
  }
}
