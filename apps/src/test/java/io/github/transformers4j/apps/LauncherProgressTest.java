package io.github.transformers4j.apps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.api.testing.SharedData;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./t4j} launcher as a user meets it: under a pseudo-terminal (util-linux {@code
 * script}) the progress bar's {@code \r} redraws arrive while training runs, not held until a
 * newline, and Ctrl-C (a {@code ^C} typed into the terminal, so SIGINT reaches the whole
 * foreground group, launcher and filter included) ends with the trainer's "stopped at step N;
 * checkpoint saved in ..." message. With stderr on a pipe, the bar prints plain lines.
 *
 * <p>The launcher runs on this build's classes ({@code T4J_MODULE_PATH}: {@code target/classes}
 * and the runtime dependencies Maven lists), so the test needs no packaged jar.
 */
class LauncherProgressTest {
  private static final Pattern REDRAW = Pattern.compile("\rstep (\\d+)/");
  private static final String TINY_TEXT = "to be or not to be, that is the question. ";

  private static Path launcher;
  private static String modulePath;

  @BeforeAll
  static void locate() throws IOException {
    launcher = SharedData.repositoryRoot().resolve("t4j");
    assertTrue(Files.isExecutable(launcher), launcher + " is missing or not executable");
    Path listing = Path.of("target", "runtime-module-path.txt");
    assertTrue(
        Files.exists(listing), () -> listing.toAbsolutePath() + " is missing: run through Maven");
    modulePath =
        Path.of("target", "classes").toAbsolutePath()
            + File.pathSeparator
            + Files.readString(listing, StandardCharsets.UTF_8).strip();
  }

  private static ProcessBuilder withLauncherEnv(ProcessBuilder pb) {
    Map<String, String> env = pb.environment();
    env.put("T4J_MODULE_PATH", modulePath);
    env.put("JAVA_HOME", System.getProperty("java.home"));
    env.remove("T4J_JAVA_OPTS");
    return pb;
  }

  /** A tiny char-level GPT run through the launcher, {@code steps} steps. */
  private static String trainCommand(Path dir, long steps) throws IOException {
    Path text = Files.writeString(dir.resolve("corpus.txt"), TINY_TEXT.repeat(40));
    return String.join(
        " ",
        quote(launcher.toString()),
        "--threads 1 train clm --data",
        quote(text.toString()),
        "--output",
        quote(dir.resolve("model").toString()),
        "--block 32 --batch 4 --layers 1 --heads 2 --width 32 --warmup 2 --eval-every 0",
        "--steps",
        Long.toString(steps));
  }

  private static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }

  private static Path script() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path p = Path.of(dir, "script");
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }

  /** The bytes a process writes, as they come, with the time each redraw was first seen. */
  static final class Capture extends Thread {
    private final InputStream in;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final List<long[]> redraws = new ArrayList<>(); // (step, nanos)
    private int scanned;

    Capture(InputStream in) {
      this.in = in;
      setDaemon(true);
    }

    @Override
    public void run() {
      byte[] buf = new byte[4096];
      try {
        for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
          synchronized (this) {
            bytes.write(buf, 0, n);
            // Redraws completed so far (a step number is complete once '/' follows it).
            String text = bytes.toString(StandardCharsets.UTF_8);
            Matcher m = REDRAW.matcher(text);
            long now = System.nanoTime();
            while (m.find(scanned)) {
              redraws.add(new long[] {Long.parseLong(m.group(1)), now});
              scanned = m.end();
            }
            notifyAll();
          }
        }
      } catch (IOException e) {
        // The process ended.
      }
    }

    synchronized List<long[]> redraws() {
      return List.copyOf(redraws);
    }

    synchronized String text() {
      return bytes.toString(StandardCharsets.UTF_8);
    }

    /** Waits until {@code n} redraws were seen or {@code timeoutMs} passed. */
    synchronized boolean awaitRedraws(int n, long timeoutMs) throws InterruptedException {
      long end = System.currentTimeMillis() + timeoutMs;
      while (redraws.size() < n && System.currentTimeMillis() < end) {
        wait(Math.max(1, end - System.currentTimeMillis()));
      }
      return redraws.size() >= n;
    }
  }

  @Test
  void progressShowsLiveInATerminalAndCtrlCSavesAndSaysWhere(@TempDir Path dir) throws Exception {
    Path script = script();
    if (script == null) {
      String reason = "skipped: util-linux `script` is not on PATH, so no pseudo-terminal can be made";
      System.out.println("[LauncherProgressTest] " + reason);
      Assumptions.abort(reason);
    }
    // Far more steps than the test waits for: it stops the run with ^C.
    // With SIGINT's default action restored: a suite started in the background by a shell
    // without job control inherits SIGINT ignored, and a JVM that starts so installs no ^C
    // handler (coreutils env --default-signal).
    String command = "env --default-signal=INT " + trainCommand(dir, 1_000_000);
    Process p =
        withLauncherEnv(
                new ProcessBuilder(script.toString(), "-q", "-e", "-c", command, "/dev/null")
                    .redirectErrorStream(true))
            .start();
    Capture out = new Capture(p.getInputStream());
    out.start();
    OutputStream keyboard = p.getOutputStream();
    try {
      boolean live = out.awaitRedraws(6, 90_000);
      List<long[]> seen = out.redraws();
      assertTrue(p.isAlive(), "training ended early:\n" + out.text());
      assertTrue(
          live,
          "fewer than 6 progress redraws reached the terminal within 90 s of training (the"
              + " launcher holds them back?):\n"
              + out.text());
      // They arrive one by one while training runs: increasing steps, spread over time (each
      // at least 200 ms after the last, so 5 gaps span a second), not a burst at the end.
      for (int i = 1; i < seen.size(); i++) {
        assertTrue(seen.get(i)[0] > seen.get(i - 1)[0], "steps go up: " + out.text());
      }
      double spreadSecs = (seen.get(5)[1] - seen.get(0)[1]) / 1e9;
      assertTrue(spreadSecs >= 0.8, "6 redraws within " + spreadSecs + " s:\n" + out.text());

      keyboard.write(3); // ^C, as typed: the terminal sends SIGINT to the foreground group
      keyboard.flush();
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "t4j did not stop within 60 s of ^C");
    } finally {
      p.destroyForcibly();
    }
    out.join(5_000);
    String text = out.text();
    Matcher stopped =
        Pattern.compile("stopped at step (\\d+); checkpoint saved in (\\S+)").matcher(text);
    assertTrue(stopped.find(), "no stop message after ^C:\n" + text);
    assertTrue(
        Files.exists(Path.of(stopped.group(2)).resolve("trainer_state.json")),
        "the checkpoint the message names is not there: " + stopped.group(2));
    assertEquals(130, p.exitValue(), "exit status after ^C (128 + SIGINT):\n" + text);
    assertFalse(text.contains("Using incubator modules"), "the JVM's notice is filtered:\n" + text);
  }

  @Test
  void onAPipeTheBarPrintsPlainLines(@TempDir Path dir) throws Exception {
    Process p =
        withLauncherEnv(new ProcessBuilder("bash", "-c", trainCommand(dir, 40) + " 2>&1 >/dev/null"))
            .start();
    byte[] err = p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(90, TimeUnit.SECONDS), "t4j did not finish within 90 s");
    String text = new String(err, StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), text);
    assertFalse(text.contains("\r"), "carriage returns on a pipe:\n" + text);
    assertTrue(text.contains("\nstep 40/40 [########################] 100%"), text);
    long lines = text.lines().filter(l -> l.startsWith("step ")).count();
    // The first step, each 10 % and the last: at most 11 lines for 40 steps.
    assertTrue(lines >= 2 && lines <= 11, lines + " progress lines:\n" + text);
    assertFalse(text.contains("Using incubator modules"), "the JVM's notice is filtered:\n" + text);
  }

  @Test
  void theNoticesPrintedOnEveryRunAreDropped() throws Exception {
    // The JVM's notice about the incubating Vector API, and (where an OpenCL platform that Aparapi
    // has not tested is installed, as PoCL on CI) Aparapi's native warning while probing.
    Process p =
        withLauncherEnv(new ProcessBuilder(launcher.toString(), "backends")).start();
    byte[] out = p.getInputStream().readAllBytes();
    byte[] err = p.getErrorStream().readAllBytes();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "t4j backends did not finish within 60 s");
    String stdout = new String(out, StandardCharsets.UTF_8);
    String stderr = new String(err, StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), stdout + stderr);
    assertTrue(stdout.contains("reference"), stdout);
    assertFalse(stderr.contains("Using incubator modules"), stderr);
    assertFalse(stderr.contains("untested OpenCL platform"), stderr);
  }
}
