package io.github.transformers4j.training.metrics;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A one-line progress bar: step, a bar, loss, tokens/s and ETA. On a terminal it is redrawn in
 * place with carriage returns at most every 200 ms; elsewhere (a CI log, a pipe, a file) it prints
 * a plain line at the first step, every 10 % of the run or 30 s, whichever comes first, and at the
 * end, so logs stay readable.
 *
 * <p>Rates and the ETA come from the steps of the last 5 s, not from the start: the first steps
 * carry the JIT's warm-up (seconds, against tens of milliseconds later), which made the first ETA
 * of a two-minute run read two hours. The first step is never in a rate, and until the steps after
 * it span a second the rates show {@code ?} (the last line of a shorter run shows its overall rate).
 */
public final class ProgressBar {
  /**
   * The system property that says how to draw: {@code terminal} (redraw in place) or {@code lines}
   * (plain lines). The {@code t4j} launcher sets it from whether its own stderr is a terminal,
   * since the JVM's stderr is then a pipe.
   */
  public static final String MODE_PROPERTY = "t4j.progress";

  static final long REDRAW_NANOS = 200_000_000L;
  static final long LINE_NANOS = 30_000_000_000L;
  static final long LINE_PERCENT = 10;
  static final long WINDOW_NANOS = 5_000_000_000L;
  static final long MIN_SPAN_NANOS = 1_000_000_000L;
  private static final long SAMPLE_NANOS = 100_000_000L;

  private final PrintStream out;
  private final long total;
  private final boolean terminal;
  private final LongSupplier clock;
  // (step, nanos, tokens) of recent steps, at least 100 ms apart: the window of the rates.
  private final ArrayDeque<long[]> samples = new ArrayDeque<>();
  private final long startNanos;
  private boolean drawn;
  private long lastDraw;
  private long lastLinePercent = -1;
  private long tokens;
  private int width;

  /**
   * A bar for {@code total} steps; {@code startStep} is where this run starts (non-zero after a
   * resume; the rates count only this run's steps either way).
   */
  public ProgressBar(PrintStream out, long total, long startStep, boolean terminal) {
    this(out, total, startStep, terminal, System::nanoTime);
  }

  ProgressBar(PrintStream out, long total, long startStep, boolean terminal, LongSupplier clock) {
    this.out = out;
    this.total = total;
    this.terminal = terminal;
    this.clock = clock;
    this.startNanos = clock.getAsLong();
  }

  /**
   * Whether this process's stderr is an interactive terminal: the {@value #MODE_PROPERTY}
   * property when set ({@code terminal} or {@code lines}), else, on Linux, whether file descriptor
   * 2 is a tty device, else whether the JVM has a console.
   */
  public static boolean stderrIsTerminal() {
    String mode = System.getProperty(MODE_PROPERTY);
    if (mode != null && !mode.isBlank()) {
      return mode.strip().equalsIgnoreCase("terminal");
    }
    Path fd2 = Path.of("/proc/self/fd/2");
    try {
      if (Files.isSymbolicLink(fd2)) {
        String target = Files.readSymbolicLink(fd2).toString();
        return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
      }
    } catch (java.io.IOException | SecurityException e) {
      // Not Linux, or not allowed: fall back to the console below.
    }
    return System.console() != null;
  }

  /** Records that step {@code step} (1-based, completed) trained {@code stepTokens} tokens. */
  public void update(long step, double loss, long stepTokens, String extra) {
    tokens += stepTokens;
    long now = clock.getAsLong();
    // The first sample is the end of the first step, so that step's warm-up is never in a rate.
    if (samples.isEmpty() || now - samples.peekLast()[1] >= SAMPLE_NANOS) {
      samples.add(new long[] {step, now, tokens});
    }
    // Slide the window, keeping at least one sample older than the newest.
    while (samples.size() > 2 && now - samples.peekFirst()[1] > WINDOW_NANOS) {
      samples.removeFirst();
    }
    if (!due(step, now)) {
      return;
    }
    drawn = true;
    lastDraw = now;
    String line = render(step, loss, now, extra);
    if (terminal) {
      String padded = line.length() < width ? line + " ".repeat(width - line.length()) : line;
      width = line.length();
      out.print("\r" + padded);
      if (step >= total) {
        out.println();
        width = 0;
      }
    } else {
      lastLinePercent = percent(step);
      out.println(line);
    }
    out.flush();
  }

  private boolean due(long step, long now) {
    if (!drawn || step >= total) {
      return true;
    }
    if (terminal) {
      return now - lastDraw >= REDRAW_NANOS;
    }
    return now - lastDraw >= LINE_NANOS
        || percent(step) / LINE_PERCENT > lastLinePercent / LINE_PERCENT;
  }

  private long percent(long step) {
    return 100 * step / Math.max(1, total);
  }

  private String render(long step, double loss, long now, String extra) {
    long[] first = samples.peekFirst();
    double secs = (now - first[1]) / 1e9;
    long steps = step - first[0];
    boolean known = now - first[1] >= MIN_SPAN_NANOS && steps > 0;
    double tokPerS = known ? (tokens - first[2]) / secs : Double.NaN;
    double eta = known ? secs / steps * (total - step) : Double.NaN;
    if (!known && step >= total && now > startNanos) {
      // A run too short for a measured rate still ends with its overall one.
      tokPerS = tokens / ((now - startNanos) / 1e9);
      eta = 0;
    }
    int barW = 24;
    int filled = (int) (barW * Math.min(step, total) / Math.max(1, total));
    String bar = "#".repeat(filled) + ".".repeat(barW - filled);
    return String.format(
        Locale.ROOT,
        "step %d/%d [%s] %3d%% | loss %.4f | %s tok/s | ETA %s%s",
        step,
        total,
        bar,
        percent(step),
        loss,
        Double.isNaN(tokPerS) ? "?" : human(tokPerS),
        duration(eta),
        extra == null || extra.isEmpty() ? "" : " | " + extra);
  }

  /** Ends the line (before printing something else). */
  public void newline() {
    if (terminal && width > 0) {
      out.println();
      out.flush();
      width = 0;
    }
  }

  static String human(double v) {
    if (v >= 1e6) {
      return String.format(Locale.ROOT, "%.2fM", v / 1e6);
    }
    if (v >= 1e3) {
      return String.format(Locale.ROOT, "%.1fk", v / 1e3);
    }
    return String.format(Locale.ROOT, "%.0f", v);
  }

  /** {@code 1h02m}, {@code 3m07s}, {@code 12s}, or {@code ?} when unknown. */
  public static String duration(double secs) {
    if (!Double.isFinite(secs) || secs < 0) {
      return "?";
    }
    long s = Math.round(secs);
    if (s >= 3600) {
      return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
    }
    if (s >= 60) {
      return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
    return s + "s";
  }
}
