package io.github.transformers4j.apps.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * A plain-text table for terminal output: columns padded to their widest cell, numbers aligned
 * right, the last column left unpadded so long text (a probe's reason) never adds trailing blanks,
 * and wrapped at spaces so that no line is wider than {@value #MAX_WIDTH} characters (continuation
 * lines start under the column).
 */
public final class TextTable {
  /** The widest line printed, unless the columns before the last leave too little room. */
  public static final int MAX_WIDTH = 100;

  private static final int MIN_LAST = 30;

  private final String[] header;
  private final boolean[] right;
  private final List<String[]> rows = new ArrayList<>();

  /**
   * A table with these column titles; a title starting with {@code '>'} marks a right-aligned
   * column (the {@code '>'} is not printed).
   */
  public TextTable(String... header) {
    this.header = new String[header.length];
    this.right = new boolean[header.length];
    for (int i = 0; i < header.length; i++) {
      right[i] = header[i].startsWith(">");
      this.header[i] = right[i] ? header[i].substring(1) : header[i];
    }
  }

  /** Adds a row; it must have one cell per column. */
  public TextTable row(Object... cells) {
    if (cells.length != header.length) {
      throw new IllegalArgumentException(
          "row has " + cells.length + " cells, the table " + header.length + " columns");
    }
    String[] s = new String[cells.length];
    for (int i = 0; i < cells.length; i++) {
      s[i] = String.valueOf(cells[i]);
    }
    rows.add(s);
    return this;
  }

  /** Prints the header, a rule and the rows. */
  public void print(PrintWriter out) {
    int[] width = new int[header.length];
    for (int i = 0; i < header.length; i++) {
      width[i] = header[i].length();
      for (String[] r : rows) {
        width[i] = Math.max(width[i], r[i].length());
      }
    }
    int last = header.length - 1;
    int start = 0;
    for (int i = 0; i < last; i++) {
      start += width[i] + 2;
    }
    int room = Math.max(MIN_LAST, MAX_WIDTH - start);
    width[last] = Math.min(width[last], room);
    print(out, header, width, start, room);
    String[] rule = new String[header.length];
    for (int i = 0; i < header.length; i++) {
      // A column without a title (a marker) gets no rule either.
      rule[i] = (header[i].isBlank() ? " " : "-").repeat(width[i]);
    }
    out.println(format(rule, width));
    for (String[] r : rows) {
      print(out, r, width, start, room);
    }
  }

  private void print(PrintWriter out, String[] cells, int[] width, int start, int room) {
    int last = cells.length - 1;
    List<String> pieces = wrap(cells[last], room);
    String[] first = cells.clone();
    first[last] = pieces.get(0);
    out.println(format(first, width));
    for (String piece : pieces.subList(1, pieces.size())) {
      out.println(" ".repeat(start) + piece);
    }
  }

  /** {@code text} in lines of at most {@code room} characters, broken at spaces where it can. */
  static List<String> wrap(String text, int room) {
    List<String> lines = new ArrayList<>();
    String rest = text;
    while (rest.length() > room) {
      int cut = rest.lastIndexOf(' ', room);
      if (cut <= 0) {
        cut = room; // one word longer than the room: cut it
      }
      lines.add(rest.substring(0, cut).stripTrailing());
      rest = rest.substring(cut).stripLeading();
    }
    lines.add(rest);
    return lines;
  }

  private String format(String[] cells, int[] width) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < cells.length; i++) {
      if (i > 0) {
        sb.append("  ");
      }
      String pad = " ".repeat(width[i] - cells[i].length());
      boolean last = i == cells.length - 1;
      if (right[i]) {
        sb.append(pad).append(cells[i]);
      } else {
        sb.append(cells[i]).append(last ? "" : pad);
      }
    }
    return sb.toString();
  }
}
