package io.github.transformers4j.gpucheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.transformers4j.api.registry.Backends;
import io.github.transformers4j.api.spi.Probe;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The check end to end where it can run without a GPU: {@code --quick} on the OpenCL CPU device
 * (PoCL), the no-device path in a child JVM whose ICD loader finds no ICD file, and the report's
 * verdicts.
 */
class GpuCheckTest {
  @TempDir Path dir;

  static boolean devicesRequired() {
    return "true".equalsIgnoreCase(System.getenv("CI")) || Boolean.getBoolean("t4j.require.opencl");
  }

  private static JsonObject results(Path out) throws IOException {
    return JsonParser.parseString(Files.readString(out.resolve("results.json"))).getAsJsonObject();
  }

  @Test
  void quickCheckPassesOnTheOpenClCpuDevice() throws IOException {
    Backends backends = Backends.installed();
    Probe probe = backends.probe(backends.provider("aparapi"));
    if (!probe.available()) {
      String why = "no OpenCL device for the quick check: " + probe.reason();
      System.out.println("SKIP " + why);
      if (devicesRequired()) {
        throw new AssertionError(why + " (required on CI, where PoCL is installed)");
      }
      Assumptions.assumeTrue(false, why);
    }
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int code =
        GpuCheck.run(
            GpuCheck.Options.parse("--quick", "--out", dir.toString()),
            new PrintStream(buf, true, StandardCharsets.UTF_8));
    String log = buf.toString(StandardCharsets.UTF_8);
    assertEquals(0, code, log);
    JsonObject r = results(dir);
    assertTrue(r.get("device_available").getAsBoolean(), log);
    JsonObject c = r.getAsJsonObject("conformance");
    assertEquals(0, c.get("failed").getAsLong(), log);
    assertTrue(c.get("passed").getAsLong() >= 20, "the whole suite ran: " + c);
    JsonObject g = r.getAsJsonObject("gpt2");
    assertTrue(g.get("agree").getAsBoolean(), "aparapi and cpu agree: " + g);
    assertEquals(3, g.getAsJsonObject("aparapi").getAsJsonArray("losses").size());
    assertEquals(3, r.getAsJsonArray("sgemm").size());
    r.getAsJsonArray("sgemm")
        .forEach(e -> assertTrue(e.getAsJsonObject().get("correct").getAsBoolean(), e.toString()));
    assertTrue(r.get("torch_skipped").getAsString().contains("--torch"));
    String md = Files.readString(dir.resolve("report.md"));
    assertTrue(md.contains("verdict: **all checks passed**"), md);
  }

  private Process child(Path vendors, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(GpuCheck.class.getName());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    // ocl-icd reads only this folder when it is set: no ICD file, no platform.
    pb.environment().put("OCL_ICD_VENDORS", vendors.toString());
    return pb.start();
  }

  @Test
  void withoutAnOpenClDeviceTheCheckReportsSoAndExitsCleanly() throws Exception {
    Assumptions.assumeTrue(
        System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux"),
        "OCL_ICD_VENDORS is the Linux ICD loader's");
    Path vendors = Files.createDirectories(dir.resolve("empty-vendors"));
    Path out = dir.resolve("out");
    Process p = child(vendors, "--out", out.toString());
    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), log);
    assertEquals(0, p.exitValue(), log);
    assertTrue(log.contains("NO DEVICE: nothing to run"), log);
    JsonObject r = results(out);
    assertFalse(r.get("device_available").getAsBoolean(), r.toString());
    assertEquals("no device", r.get("verdict").getAsString());
    assertFalse(r.has("conformance"), "nothing ran: " + r);
    assertTrue(Files.readString(out.resolve("report.md")).contains("verdict: **no device**"));

    // run.sh's probe step tells the cases apart by the exit status.
    Process probe = child(vendors, "--probe-only", "--out", out.toString());
    String probeLog = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(probe.waitFor(60, TimeUnit.SECONDS), probeLog);
    assertEquals(GpuCheck.NO_DEVICE, probe.exitValue(), probeLog);
  }

  @Test
  void aDisagreementOrAFailedTestFailsTheRunAndSaysWhere() throws IOException {
    GpuCheck.Report rep = new GpuCheck.Report(GpuCheck.Options.parse("--out", dir.toString()));
    rep.probe = Probe.available("a device");
    assertEquals("device found", rep.verdict(), "nothing ran yet (--probe-only)");
    rep.running = true;
    rep.shape = Gpt2Step.Shape.QUICK;
    rep.torch = TorchSgemm.skipped("none here");
    rep.conformance =
        new ConformanceRun.Result(
            List.of(new ConformanceRun.Outcome("matmul()", "PASSED", 1, "")), 1);
    List<Double> losses = List.of(5.0, 4.9);
    double[] ms = {1, 2};
    rep.gpt2 = new Gpt2Step.Result("aparapi", new float[] {1f, 2f}, ms, 0, ms, losses);
    assertTrue(rep.verdict().startsWith("INCOMPLETE"), "cut short before the comparison");
    assertFalse(rep.failed(), "half a comparison is not a disagreement");
    rep.gpt2Compared = new Gpt2Step.Result("cpu", new float[] {1f, 2f}, ms, 0, ms, losses);
    rep.finished = true;
    assertFalse(rep.failed(), rep.markdown());
    assertEquals("all checks passed", rep.verdict());

    rep.gpt2 = new Gpt2Step.Result("aparapi", new float[] {1f, 2.01f}, ms, 0, ms, losses);
    assertTrue(rep.failed());
    assertTrue(rep.markdown().contains("DISAGREE"), rep.markdown());

    rep.gpt2 = rep.gpt2Compared;
    rep.conformance =
        new ConformanceRun.Result(
            List.of(new ConformanceRun.Outcome("matmul()", "FAILED", 1, "planted")), 1);
    assertTrue(rep.failed());
    assertTrue(rep.verdict().startsWith("FAILED"));
    assertTrue(rep.markdown().contains("- FAILED matmul(): planted"), rep.markdown());
  }
}
