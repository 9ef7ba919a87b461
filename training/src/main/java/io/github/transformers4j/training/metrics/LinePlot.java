package io.github.transformers4j.training.metrics;

import io.github.transformers4j.api.io.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A line chart of several named series as a PNG, drawn like {@link LossPlot} (Java2D off screen,
 * its PNG writer): a title, axis labels, a legend, and optionally logarithmic axes (base 2 on x,
 * for sequence lengths; base 10 on y, for quantities spanning orders of magnitude).
 */
public final class LinePlot {
  private static final Color[] COLORS = {
    new Color(31, 119, 180),
    new Color(255, 127, 14),
    new Color(44, 160, 44),
    new Color(214, 39, 40),
    new Color(148, 103, 189),
    new Color(140, 86, 75),
    new Color(227, 119, 194),
    new Color(127, 127, 127)
  };

  private final String title;
  private final String xLabel;
  private final String yLabel;
  private boolean logX;
  private boolean logY;
  private final List<String> names = new ArrayList<>();
  private final List<double[][]> series = new ArrayList<>();

  /** An empty chart. */
  public LinePlot(String title, String xLabel, String yLabel) {
    this.title = title;
    this.xLabel = xLabel;
    this.yLabel = yLabel;
  }

  /** Draws x on a base-2 logarithmic scale (values must be positive). */
  public LinePlot logX() {
    this.logX = true;
    return this;
  }

  /** Draws y on a base-10 logarithmic scale (values must be positive). */
  public LinePlot logY() {
    this.logY = true;
    return this;
  }

  /** Adds a series of (x, y) points; non-finite y values are skipped. */
  public LinePlot add(String name, double[][] points) {
    names.add(name);
    series.add(points);
    return this;
  }

  /** How many series the chart has. */
  public int seriesCount() {
    return series.size();
  }

  private double tx(double x) {
    return logX ? Math.log(x) / Math.log(2) : x;
  }

  private double ty(double y) {
    return logY ? Math.log10(y) : y;
  }

  private boolean usable(double[] p) {
    return Double.isFinite(p[1]) && (!logX || p[0] > 0) && (!logY || p[1] > 0);
  }

  /** Draws the chart to {@code file}, atomically. */
  public void write(Path file) throws IOException {
    System.setProperty("java.awt.headless", System.getProperty("java.awt.headless", "true"));
    int w = 900;
    int h = 540;
    int left = 90;
    int right = 200;
    int top = 40;
    int bottom = 55;
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, w, h);
      double minX = Double.MAX_VALUE;
      double maxX = -Double.MAX_VALUE;
      double minY = Double.MAX_VALUE;
      double maxY = -Double.MAX_VALUE;
      for (double[][] s : series) {
        for (double[] p : s) {
          if (usable(p)) {
            minX = Math.min(minX, tx(p[0]));
            maxX = Math.max(maxX, tx(p[0]));
            minY = Math.min(minY, ty(p[1]));
            maxY = Math.max(maxY, ty(p[1]));
          }
        }
      }
      if (minX > maxX) {
        minX = 0;
        maxX = 1;
        minY = 0;
        maxY = 1;
      }
      if (maxX == minX) {
        maxX = minX + 1;
      }
      if (maxY - minY < 1e-9) {
        maxY = minY + 1;
      }
      double pad = 0.05 * (maxY - minY);
      minY -= pad;
      maxY += pad;
      int pw = w - left - right;
      int ph = h - top - bottom;
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      for (int i = 0; i <= 5; i++) {
        int y = top + ph * i / 5;
        g.setColor(new Color(230, 230, 230));
        g.drawLine(left, y, left + pw, y);
        g.setColor(Color.DARK_GRAY);
        double v = maxY - (maxY - minY) * i / 5;
        g.drawString(number(logY ? Math.pow(10, v) : v), 8, y + 4);
        if (!logX) {
          int x = left + pw * i / 5;
          double sx = minX + (maxX - minX) * i / 5;
          g.drawString(number(sx), x - 12, top + ph + 18);
        }
      }
      if (logX) { // a tick at every power of two in range
        for (long k = (long) Math.ceil(minX - 1e-9); k <= Math.floor(maxX + 1e-9); k++) {
          int x = left + (int) Math.round((k - minX) / (maxX - minX) * pw);
          g.setColor(new Color(230, 230, 230));
          g.drawLine(x, top, x, top + ph);
          g.setColor(Color.DARK_GRAY);
          g.drawString(number(Math.pow(2, k)), x - 12, top + ph + 18);
        }
      }
      g.setColor(Color.BLACK);
      g.drawRect(left, top, pw, ph);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
      g.drawString(title, left, 24);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      g.drawString(xLabel + (logX ? " (log scale)" : ""), left + pw / 2 - 40, h - 12);
      g.drawString(yLabel + (logY ? " (log)" : ""), 8, top - 8 < 30 ? 38 : top - 8);
      for (int s = 0; s < series.size(); s++) {
        Color c = COLORS[s % COLORS.length];
        float[] dash = s >= COLORS.length ? new float[] {6f, 4f} : null;
        g.setColor(c);
        g.setStroke(
            dash == null
                ? new BasicStroke(2f)
                : new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, dash, 0f));
        int px = -1;
        int py = -1;
        for (double[] p : series.get(s)) {
          if (!usable(p)) {
            continue;
          }
          int x = left + (int) Math.round((tx(p[0]) - minX) / (maxX - minX) * pw);
          int y = top + (int) Math.round((maxY - ty(p[1])) / (maxY - minY) * ph);
          if (px >= 0) {
            g.drawLine(px, py, x, y);
          }
          g.fillOval(x - 3, y - 3, 6, 6);
          px = x;
          py = y;
        }
        g.drawLine(left + pw + 12, top + 14 + 20 * s, left + pw + 36, top + 14 + 20 * s);
        g.drawString(names.get(s), left + pw + 42, top + 18 + 20 * s);
      }
    } finally {
      g.dispose();
    }
    AtomicFiles.write(file, LossPlot.png(img));
  }

  private static String number(double v) {
    double a = Math.abs(v);
    if (a != 0 && (a >= 1e5 || a < 1e-2)) {
      return String.format(Locale.ROOT, "%.2g", v);
    }
    return a >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.3g", v);
  }
}
