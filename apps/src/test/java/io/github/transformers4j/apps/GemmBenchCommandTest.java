package io.github.transformers4j.apps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code t4j bench gemm} on tiny sizes with the fake backends. */
class GemmBenchCommandTest {
  private static final String[] FAST = {
    "--repeats", "3", "--warmup-ms", "0", "--min-sample-ms", "1"
  };

  private static String[] args(String... head) {
    String[] a = new String[head.length + FAST.length];
    System.arraycopy(head, 0, a, 0, head.length);
    System.arraycopy(FAST, 0, a, head.length, FAST.length);
    return a;
  }

  @Test
  void tableHasOneCheckedRowPerSizeAndThreadCount(@TempDir Path dir) throws Exception {
    Path json = dir.resolve("gemm.json");
    Cli.Run run =
        Cli.run(
            args(
                "bench",
                "gemm",
                "--backend",
                "fake",
                "--sizes",
                "5,16",
                "--threads-list",
                "1,3",
                "--json",
                json.toString()));
    assertEquals(0, run.code(), run::toString);
    List<String> lines = run.out().lines().toList();
    // The backend's own description shows the thread option reached it.
    assertEquals("backend: fake (fake, threads=3)", lines.get(0));
    assertTrue(lines.get(1).contains("median GFLOP/s"), run::toString);
    List<String> rows = lines.subList(3, lines.size());
    assertEquals(4, rows.size(), run::toString);
    String[][] expect = {{"5", "1"}, {"16", "1"}, {"5", "3"}, {"16", "3"}};
    for (int i = 0; i < rows.size(); i++) {
      String[] cells = rows.get(i).trim().split("\\s+");
      assertEquals(expect[i][0], cells[0], rows.get(i));
      assertEquals(expect[i][1], cells[1], rows.get(i));
      assertTrue(Double.parseDouble(cells[2]) > 0, rows.get(i));
      assertTrue(Double.parseDouble(cells[3]) >= Double.parseDouble(cells[2]), rows.get(i));
      assertEquals("ok", cells[6], rows.get(i));
    }

    String text = Files.readString(json);
    assertTrue(text.contains("\"benchmark\": \"gemm\""), text);
    assertTrue(text.contains("\"backend\": \"fake\""), text);
    assertEquals(4, count(text, "\"correct\": true"), text);
    assertEquals(2, count(text, "\"threads\": 3"), text);
    assertEquals(2, count(text, "\"n\": 16"), text);
    Matcher samples = Pattern.compile("\"samples_ms\": \\[([^\\]]*)\\]").matcher(text);
    int found = 0;
    while (samples.find()) {
      assertEquals(3, samples.group(1).split(",").length, samples.group());
      found++;
    }
    assertEquals(4, found, text);
  }

  @Test
  void backendWithoutThreadOptionRunsOnceWithItsDefault() {
    Cli.Run run =
        Cli.run(args("--threads", "2", "bench", "gemm", "--backend", "fake-plain", "--sizes", "4"));
    assertEquals(0, run.code(), run::toString);
    List<String> lines = run.out().lines().toList();
    assertEquals(4, lines.size(), run::toString);
    assertEquals("default", lines.get(3).trim().split("\\s+")[1]);
    assertTrue(
        run.err().contains("note: backend 'fake-plain' has no 'threads' option"), run::toString);
  }

  @Test
  void globalThreadsIsTheDefaultThreadList() {
    Cli.Run run =
        Cli.run(args("--threads", "3", "bench", "gemm", "--backend", "fake", "--sizes", "4"));
    assertEquals(0, run.code(), run::toString);
    assertTrue(run.out().startsWith("backend: fake (fake, threads=3)"), run::toString);
    assertEquals(4, run.out().lines().count(), run::toString);
  }

  @Test
  void referenceBackendFromTheApiPassesTheCheck() {
    Cli.Run run =
        Cli.runInstalled(args("bench", "gemm", "--backend", "reference", "--sizes", "1,3,17"));
    assertEquals(0, run.code(), run::toString);
    List<String> rows = run.out().lines().skip(3).toList();
    assertEquals(3, rows.size(), run::toString);
    for (String row : rows) {
      assertTrue(row.matches("\\s*\\d+\\s+default\\s+.*\\sok"), row);
    }
  }

  @Test
  void wrongProductIsReportedNotTimed(@TempDir Path dir) throws Exception {
    Path json = dir.resolve("broken.json");
    Cli.Run run =
        Cli.run(
            args(
                "bench",
                "gemm",
                "--backend",
                "fake-broken",
                "--sizes",
                "8",
                "--threads-list",
                "1",
                "--json",
                json.toString()));
    assertEquals(CliErrors.FAILURE, run.code(), run::toString);
    String row = run.out().lines().toList().get(3);
    assertTrue(row.endsWith("WRONG"), row);
    assertFalse(row.matches(".*\\d+\\.\\d.*"), () -> "a wrong kernel got a GFLOP/s figure: " + row);
    List<String> errors = run.errorLines();
    assertEquals(1, errors.size(), run::toString);
    assertTrue(
        errors
            .get(0)
            .startsWith(
                "t4j: backend 'fake-broken' computed a wrong product (1 of 1 runs); first: C[0,0] ="
                    + " "),
        run::toString);
    String text = Files.readString(json);
    assertTrue(
        text.contains("\"correct\": false") && text.contains("\"median_gflops\": null"), text);
  }

  @Test
  void jsonIntoAMissingDirectoryFailsBeforeMeasuring(@TempDir Path dir) {
    Path json = dir.resolve("no/such/dir/out.json");
    Cli.Run run =
        Cli.run(
            args("bench", "gemm", "--backend", "fake", "--sizes", "4", "--json", json.toString()));
    assertEquals(CliErrors.FAILURE, run.code(), run::toString);
    assertEquals(
        List.of("t4j: --json " + json + ": directory " + json.getParent() + " does not exist"),
        run.errLines());
  }

  private static int count(String text, String what) {
    int n = 0;
    for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
      n++;
    }
    return n;
  }
}
