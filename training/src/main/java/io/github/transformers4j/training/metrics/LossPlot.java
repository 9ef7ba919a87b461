package io.github.transformers4j.training.metrics;

import io.github.transformers4j.api.io.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * The loss curve as a PNG: training loss (blue) and validation loss (orange) against the step,
 * drawn with Java2D off screen (headless) and encoded by a small PNG writer of its own, so the plot
 * needs {@code java.desktop} for drawing only (no {@code javax.imageio}).
 */
public final class LossPlot {
  private LossPlot() {}

  /**
   * Draws {@code train} and {@code val} ((step, loss) points; either may be empty) to {@code file}.
   */
  public static void write(Path file, double[][] train, double[][] val) throws IOException {
    System.setProperty("java.awt.headless", System.getProperty("java.awt.headless", "true"));
    int w = 800;
    int h = 500;
    int left = 70;
    int right = 20;
    int top = 30;
    int bottom = 50;
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
      for (double[][] s : new double[][][] {train, val}) {
        for (double[] p : s) {
          if (Double.isFinite(p[1])) {
            minX = Math.min(minX, p[0]);
            maxX = Math.max(maxX, p[0]);
            minY = Math.min(minY, p[1]);
            maxY = Math.max(maxY, p[1]);
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
      g.setColor(new Color(230, 230, 230));
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      int pw = w - left - right;
      int ph = h - top - bottom;
      for (int i = 0; i <= 5; i++) {
        int y = top + ph * i / 5;
        g.setColor(new Color(230, 230, 230));
        g.drawLine(left, y, left + pw, y);
        g.setColor(Color.DARK_GRAY);
        double v = maxY - (maxY - minY) * i / 5;
        g.drawString(String.format(Locale.ROOT, "%.3f", v), 8, y + 4);
        int x = left + pw * i / 5;
        double sx = minX + (maxX - minX) * i / 5;
        g.drawString(String.format(Locale.ROOT, "%.0f", sx), x - 10, top + ph + 18);
      }
      g.setColor(Color.BLACK);
      g.drawRect(left, top, pw, ph);
      g.drawString("step", left + pw / 2 - 12, h - 10);
      g.drawString("loss", 8, 18);
      draw(g, train, new Color(31, 119, 180), minX, maxX, minY, maxY, left, top, pw, ph);
      draw(g, val, new Color(255, 127, 14), minX, maxX, minY, maxY, left, top, pw, ph);
      g.setColor(new Color(31, 119, 180));
      g.drawString("train", left + pw - 90, top + 16);
      g.setColor(new Color(255, 127, 14));
      g.drawString("val", left + pw - 40, top + 16);
    } finally {
      g.dispose();
    }
    AtomicFiles.write(file, png(img));
  }

  private static void draw(
      Graphics2D g,
      double[][] pts,
      Color c,
      double minX,
      double maxX,
      double minY,
      double maxY,
      int left,
      int top,
      int pw,
      int ph) {
    g.setColor(c);
    g.setStroke(new BasicStroke(pts.length > 1 ? 1.5f : 4f));
    int px = -1;
    int py = -1;
    for (double[] p : pts) {
      if (!Double.isFinite(p[1])) {
        continue;
      }
      int x = left + (int) Math.round((p[0] - minX) / (maxX - minX) * pw);
      int y = top + (int) Math.round((maxY - p[1]) / (maxY - minY) * ph);
      if (px >= 0) {
        g.drawLine(px, py, x, y);
      } else {
        g.fillOval(x - 2, y - 2, 4, 4);
      }
      px = x;
      py = y;
    }
  }

  /** Encodes an RGB image as PNG (8-bit truecolour, filter 0 on every row, zlib). */
  static byte[] png(BufferedImage img) throws IOException {
    int w = img.getWidth();
    int h = img.getHeight();
    byte[] raw = new byte[h * (1 + 3 * w)];
    int k = 0;
    for (int y = 0; y < h; y++) {
      raw[k++] = 0;
      for (int x = 0; x < w; x++) {
        int rgb = img.getRGB(x, y);
        raw[k++] = (byte) (rgb >> 16);
        raw[k++] = (byte) (rgb >> 8);
        raw[k++] = (byte) rgb;
      }
    }
    Deflater d = new Deflater(Deflater.BEST_SPEED);
    d.setInput(raw);
    d.finish();
    ByteArrayOutputStream z = new ByteArrayOutputStream();
    byte[] buf = new byte[65536];
    while (!d.finished()) {
      z.write(buf, 0, d.deflate(buf));
    }
    d.end();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(w).putInt(h);
    ihdr.put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
    chunk(out, "IHDR", ihdr.array());
    chunk(out, "IDAT", z.toByteArray());
    chunk(out, "IEND", new byte[0]);
    return out.toByteArray();
  }

  private static void chunk(ByteArrayOutputStream out, String type, byte[] data)
      throws IOException {
    byte[] t = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    out.write(ByteBuffer.allocate(4).putInt(data.length).array());
    out.write(t);
    out.write(data);
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(data);
    out.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }
}
