package io.github.transformers4j.training.metrics;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.transformers4j.api.io.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Metrics as JSON Lines, one object per event ({@code {"step":10,"loss":2.31,"lr":0.001,...}}),
 * appended and flushed as they come so a crashed run keeps its history. Resuming at step {@code s}
 * drops the lines after {@code s} that the interrupted run wrote past its checkpoint.
 */
public final class MetricsLog {
  private Path file;
  private final List<Map<String, Double>> rows = new ArrayList<>();
  private String note;

  private MetricsLog(Path file) {
    this.file = file;
  }

  /** A new, empty log at {@code file} (replacing one that exists). */
  public static MetricsLog create(Path file) throws IOException {
    AtomicFiles.write(file, new byte[0]);
    return new MetricsLog(file);
  }

  /**
   * The log at {@code file} cut back to the rows of steps ≤ {@code step}, for a resumed run. A
   * partial last line (a run killed or a disk filled mid-write) is dropped, with a {@link #note};
   * a malformed line before the last is an error naming the file and the line.
   */
  public static MetricsLog resume(Path file, long step) throws IOException {
    MetricsLog log = new MetricsLog(file);
    StringBuilder kept = new StringBuilder();
    if (Files.exists(file)) {
      List<String> lines;
      try {
        lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      } catch (java.nio.charset.CharacterCodingException e) {
        throw new IOException(file + ": not UTF-8 text (expected JSON lines of metrics)", e);
      }
      int last = lines.size() - 1;
      while (last >= 0 && lines.get(last).isBlank()) {
        last--;
      }
      for (int i = 0; i <= last; i++) {
        String line = lines.get(i);
        if (line.isBlank()) {
          continue;
        }
        long at;
        Map<String, Double> row = new LinkedHashMap<>();
        try {
          JsonObject o = JsonParser.parseString(line).getAsJsonObject();
          at = o.get("step").getAsLong();
          // Every value is a number: one that is not (a torn or edited line) is refused here, not
          // as a NumberFormatException later.
          o.entrySet().forEach(e -> row.put(e.getKey(), e.getValue().getAsDouble()));
        } catch (RuntimeException e) {
          if (i == last) {
            log.note =
                file
                    + ": dropped the partial last line "
                    + (i + 1)
                    + " (a run stopped while writing it)";
            break;
          }
          throw new IOException(
              file
                  + ": line "
                  + (i + 1)
                  + " is not a metrics row (a JSON object of numbers with a step); expected one per"
                  + " line",
              e);
        }
        if (at <= step) {
          log.rows.add(row);
          kept.append(line).append('\n');
        }
      }
    }
    AtomicFiles.write(file, kept.toString().getBytes(StandardCharsets.UTF_8));
    return log;
  }

  /** What {@link #resume} repaired, for the user to see, or null. */
  public String note() {
    return note;
  }

  /** Continues the log at {@code moved}, where its folder was renamed to. */
  public void relocate(Path moved) {
    file = moved;
  }

  /** Appends one row (insertion order is the key order of the line). */
  public void log(Map<String, Double> row) {
    JsonObject o = new JsonObject();
    row.forEach(
        (k, v) -> {
          if (k.equals("step")) {
            o.addProperty(k, v.longValue());
          } else {
            o.addProperty(k, v);
          }
        });
    rows.add(new LinkedHashMap<>(row));
    try {
      Files.writeString(
          file,
          o + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.APPEND,
          StandardOpenOption.CREATE);
    } catch (IOException e) {
      throw new UncheckedIOException("metrics log " + file + ": " + e.getMessage(), e);
    }
  }

  /** Every row so far (including the kept rows of a resumed log). */
  public List<Map<String, Double>> rows() {
    return List.copyOf(rows);
  }

  /** The (step, value) points of rows having {@code key}. */
  public double[][] series(String key) {
    List<double[]> pts = new ArrayList<>();
    for (Map<String, Double> r : rows) {
      Double v = r.get(key);
      if (v != null) {
        pts.add(new double[] {r.get("step"), v});
      }
    }
    return pts.toArray(double[][]::new);
  }

  /** The file. */
  public Path file() {
    return file;
  }
}
