package io.github.transformers4j.apps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code t4j bench generate} on a tiny decoder. */
class GenerateBenchCommandTest {

  @Test
  void printsPrefillTimeAndDecodeRate() {
    Cli.Run run =
        Cli.runInstalled(
            "--backend", "cpu", "--threads", "1", "bench", "generate", "--layers", "2", "--width",
            "32", "--heads", "4", "--vocab", "97", "--prompt", "5", "--new", "6", "--runs", "2");
    assertEquals(0, run.code(), run::toString);
    Matcher m =
        Pattern.compile(
                "generate gpt2 2x32 \\(vocab 97, random weights, f32 weights [0-9.]+ MB\\) on CPU.*1 thread:"
                    + " prompt 5, new 6,"
                    + " median of 2: prefill ([0-9.]+) ms, decode ([0-9.]+) tokens/s")
            .matcher(run.out());
    assertTrue(m.find(), run::toString);
    assertTrue(Double.parseDouble(m.group(1)) > 0, run::toString);
    assertTrue(Double.parseDouble(m.group(2)) > 0, run::toString);
  }

  @Test
  void comparesPrecisionsInOneRun() {
    Cli.Run run =
        Cli.runInstalled(
            "--backend", "cpu", "--threads", "1", "bench", "generate", "--layers", "2", "--width",
            "32", "--heads", "4", "--vocab", "97", "--prompt", "5", "--new", "6", "--runs", "2",
            "--quantize", "f32,int8,bf16");
    assertEquals(0, run.code(), run::toString);
    for (String p : new String[] {"f32", "int8", "bf16"}) {
      assertTrue(run.out().contains("random weights, " + p + " weights"), p + ": " + run);
    }
    assertTrue(run.out().contains("x f32)"), run::toString);
    Cli.Run bad =
        Cli.runInstalled("--backend", "cpu", "bench", "generate", "--quantize", "int4", "--runs", "1");
    assertEquals(2, bad.code(), bad::toString);
    assertTrue(bad.err().contains("valid: f32, bf16, int8"), bad::toString);
  }

  @Test
  void headsThatDoNotDivideTheWidthAreAClearError() {
    Cli.Run run =
        Cli.runInstalled(
            "--backend", "cpu", "bench", "generate", "--layers", "1", "--width", "30", "--heads",
            "4", "--vocab", "10", "--runs", "1");
    assertNotEquals(0, run.code(), run::toString);
    assertTrue(run.err().contains("30") && run.err().contains("4"), run::toString);
  }
}
