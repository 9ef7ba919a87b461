package io.github.transformers4j.training.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The bar on a fake clock: what it draws, how often, and an ETA that leaves out the warm-up. */
class ProgressBarTest {
  private static final long MS = 1_000_000L;
  private static final Pattern ETA = Pattern.compile("ETA (\\S+)");

  /** A clock the test moves. */
  static final class Clock {
    long now;
  }

  record Run(String text, List<String> draws) {}

  /**
   * Runs {@code total} steps: the first takes {@code firstMs} (JIT warm-up), every other {@code
   * stepMs}; returns the output and the drawn lines.
   */
  static Run run(boolean terminal, long total, long firstMs, long stepMs) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Clock c = new Clock();
    ProgressBar bar =
        new ProgressBar(new PrintStream(bytes, true, StandardCharsets.UTF_8), total, 0, terminal,
            () -> c.now);
    for (long step = 1; step <= total; step++) {
      c.now += (step == 1 ? firstMs : stepMs) * MS;
      bar.update(step, 2.5, 100, "");
    }
    String text = bytes.toString(StandardCharsets.UTF_8);
    List<String> draws =
        Arrays.stream(text.split("[\r\n]")).filter(s -> !s.isBlank()).map(String::strip).toList();
    return new Run(text, draws);
  }

  static double seconds(String eta) {
    Matcher m = Pattern.compile("(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?").matcher(eta);
    assertTrue(m.matches() && !eta.isEmpty(), "not a duration: " + eta);
    double s = 0;
    for (int g = 1; g <= 3; g++) {
      if (m.group(g) != null) {
        s += Long.parseLong(m.group(g)) * (g == 1 ? 3600 : g == 2 ? 60 : 1);
      }
    }
    return s;
  }

  static String eta(String draw) {
    Matcher m = ETA.matcher(draw);
    assertTrue(m.find(), draw);
    return m.group(1);
  }

  @Test
  void etaLeavesTheFirstStepsWarmUpOut() {
    // The case: a 2,000-step run whose first step takes 3.5 s and the others 60 ms (about
    // two minutes in all); measured from the start, the first ETA read 1h58m.
    Run r = run(true, 2000, 3500, 60);
    assertEquals("?", eta(r.draws().get(0)), "one step done: no rate yet: " + r.draws().get(0));
    assertTrue(r.draws().stream().filter(d -> !eta(d).equals("?")).count() > 400);
    for (String d : r.draws().subList(1, r.draws().size())) {
      int step = Integer.parseInt(d.replaceAll("^step (\\d+)/.*", "$1"));
      if ((step - 1) * 60 < 1000) {
        assertEquals("?", eta(d), "less than a second measured: " + d);
        continue;
      }
      double expected = (2000 - step) * 0.060;
      double got = seconds(eta(d));
      assertTrue(Math.abs(got - expected) <= 1 + 0.05 * expected, d + ": expected about " + expected);
    }
  }

  @Test
  void terminalRedrawsInPlaceAtMostEvery200Ms() {
    Run r = run(true, 1000, 10, 10); // 10 s in all
    assertTrue(r.text().startsWith("\rstep 1/1000 "), r.text());
    assertTrue(r.text().endsWith("\n"), "the last draw ends its line");
    assertEquals(1, r.text().chars().filter(ch -> ch == '\n').count(), "one line only");
    // First, then one per 200 ms of the 10 s, then the last step.
    assertTrue(r.draws().size() >= 45 && r.draws().size() <= 52, r.draws().size() + " draws");
    assertTrue(r.draws().get(r.draws().size() - 1).startsWith("step 1000/1000 [########################] 100%"));
  }

  @Test
  void elsewherePlainLinesEveryTenPercentOrThirtySeconds() {
    Run fast = run(false, 1000, 10, 10);
    assertFalse(fast.text().contains("\r"), "no carriage returns in a log");
    // Step 1, then each 10 % (100 ... 1000).
    assertEquals(11, fast.draws().size(), String.join("\n", fast.draws()));
    assertTrue(fast.draws().get(10).startsWith("step 1000/1000"));

    Run slow = run(false, 100, 1000, 2000); // 200 s, one 10 % mark per 20 s: the marks decide
    assertEquals(11, slow.draws().size(), String.join("\n", slow.draws()));
    Run slower = run(false, 10, 1000, 120_000); // 18 min, 2 min a step: every step is a mark
    assertEquals(10, slower.draws().size(), String.join("\n", slower.draws()));
    Run long_ = run(false, 100_000, 1000, 10); // 1000 s: a line every 30 s between the marks
    assertTrue(long_.draws().size() >= 40 && long_.draws().size() <= 45, long_.draws().size() + "");
  }

  @Test
  void aRunTooShortForARateEndsWithItsOverallOne() {
    Run r = run(false, 3, 2000, 100); // 2.2 s, 100 tokens a step
    assertEquals("?", eta(r.draws().get(0)));
    String last = r.draws().get(r.draws().size() - 1);
    assertTrue(last.startsWith("step 3/3 ") && last.contains("| 136 tok/s | ETA 0s"), last);
  }

  @Test
  void modeProperty() {
    String old = System.getProperty(ProgressBar.MODE_PROPERTY);
    try {
      System.setProperty(ProgressBar.MODE_PROPERTY, "terminal");
      assertTrue(ProgressBar.stderrIsTerminal());
      System.setProperty(ProgressBar.MODE_PROPERTY, "lines");
      assertFalse(ProgressBar.stderrIsTerminal());
    } finally {
      if (old == null) {
        System.clearProperty(ProgressBar.MODE_PROPERTY);
      } else {
        System.setProperty(ProgressBar.MODE_PROPERTY, old);
      }
    }
  }
}
