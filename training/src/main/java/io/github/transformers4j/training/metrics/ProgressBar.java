package io.github.transformers4j.training.metrics;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar on stderr: step, a bar, loss, tokens/s and ETA, redrawn in place with
 * carriage returns at most every {@code 200 ms} (on a terminal) or printed as a new line every few
 * seconds (when stderr is a file, so logs stay readable).
 */
public final class ProgressBar {
  private final PrintStream out;
  private final long total;
  private final boolean terminal;
  private final long startNanos = System.nanoTime();
  private final long startStep;
  private long lastDraw;
  private long tokens;
  private int width;

  /** A bar for {@code total} steps starting at {@code startStep} (non-zero after a resume). */
  public ProgressBar(PrintStream out, long total, long startStep, boolean terminal) {
    this.out = out;
    this.total = total;
    this.startStep = startStep;
    this.terminal = terminal;
  }

  /** Records that step {@code step} (1-based, completed) trained {@code stepTokens} tokens. */
  public void update(long step, double loss, long stepTokens, String extra) {
    tokens += stepTokens;
    long now = System.nanoTime();
    boolean last = step >= total;
    long every = terminal ? 200_000_000L : 5_000_000_000L;
    if (!last && now - lastDraw < every) {
      return;
    }
    lastDraw = now;
    double secs = (now - startNanos) / 1e9;
    double tokPerS = secs > 0 ? tokens / secs : 0;
    long done = step - startStep;
    double eta = done > 0 ? secs / done * (total - step) : Double.NaN;
    int barW = 24;
    int filled = (int) (barW * step / Math.max(1, total));
    String bar = "#".repeat(filled) + ".".repeat(barW - filled);
    String line =
        String.format(
            Locale.ROOT,
            "step %d/%d [%s] %3d%% | loss %.4f | %s tok/s | ETA %s%s",
            step,
            total,
            bar,
            100 * step / Math.max(1, total),
            loss,
            human(tokPerS),
            duration(eta),
            extra == null || extra.isEmpty() ? "" : " | " + extra);
    if (terminal) {
      String padded = line.length() < width ? line + " ".repeat(width - line.length()) : line;
      width = line.length();
      out.print("\r" + padded);
      if (last) {
        out.println();
      }
    } else {
      out.println(line);
    }
    out.flush();
  }

  /** Ends the line (before printing something else). */
  public void newline() {
    if (terminal && width > 0) {
      out.println();
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
