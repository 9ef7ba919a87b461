package io.github.transformers4j.apps;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.api.testing.SharedData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code t4j compare rnn-transformer --quick}: the report's structure (every row of the article's
 * table with numbers and a verdict, matched parameter counts, the plots as real PNGs) and the
 * output-folder protocol. The figures themselves are not asserted: they are measurements.
 */
class CompareRnnTransformerCommandTest {
  private static final List<String> ROWS =
      List.of(
          "Processing",
          "Long sequences",
          "Architecture",
          "Training efficiency",
          "Memory efficiency",
          "Typical applications");
  private static final Pattern NUMBER = Pattern.compile("[0-9]+(\\.[0-9]+)?");

  @Test
  void quickStudyWritesEveryRowWithNumbersAndVerdictsAndThePlots(@TempDir Path tmp)
      throws IOException {
    Path out = tmp.resolve("study");
    Path data = SharedData.require("data/tinyshakespeare.txt");
    long t0 = System.nanoTime();
    Cli.Run run =
        Cli.runInstalled(
            "--backend", "cpu", "compare", "rnn-transformer", "--quick", "--output", out.toString(),
            "--data", data.toString());
    System.out.printf("[CompareRnnTransformerCommandTest] quick study: %.1f s%n",
        (System.nanoTime() - t0) / 1e9);
    assertEquals(0, run.code(), run::toString);
    String md = Files.readString(out.resolve("report.md"), StandardCharsets.UTF_8);

    // The article's table: one row per aspect, in order, each with numbers and a verdict.
    int from = md.indexOf("| aspect |");
    assertTrue(from >= 0, md);
    List<String> lines = md.substring(from).lines().takeWhile(l -> l.startsWith("|")).toList();
    assertEquals(2 + ROWS.size(), lines.size(), String.join("\n", lines));
    for (int i = 0; i < ROWS.size(); i++) {
      String[] cells = lines.get(2 + i).split("\\|");
      // "", aspect, article RNN, article transformer, measured, verdict
      assertEquals(6, cells.length, lines.get(2 + i));
      assertEquals(ROWS.get(i), cells[1].trim());
      Matcher m = NUMBER.matcher(cells[4]);
      int numbers = 0;
      while (m.find()) {
        numbers++;
      }
      assertTrue(numbers >= 4, "row " + ROWS.get(i) + " has measured numbers: " + cells[4]);
      String verdict = cells[5].trim();
      assertTrue(
          verdict.startsWith("confirmed")
              || verdict.startsWith("nuanced: ")
              || verdict.startsWith("contradicted"),
          "row " + ROWS.get(i) + " verdict: " + verdict);
    }

    // Matched models: every section's three parameter counts within 3 % of each other.
    int params = md.indexOf("| section | LSTM | GRU | transformer |");
    assertTrue(params >= 0, md);
    List<String> sections =
        md.substring(params).lines().skip(2).takeWhile(l -> l.startsWith("|")).toList();
    assertEquals(4, sections.size(), String.join("\n", sections));
    for (String s : sections) {
      String[] c = s.split("\\|");
      long[] n = Arrays.stream(c, 2, 5).mapToLong(x -> Long.parseLong(x.trim().replace(",", ""))).toArray();
      long max = Arrays.stream(n).max().orElseThrow();
      long min = Arrays.stream(n).min().orElseThrow();
      assertTrue(max - min <= 0.03 * max, "parameter counts not matched: " + s);
    }

    // The plots: at least three, each a real PNG the report links.
    List<Path> pngs;
    try (var list = Files.list(out)) {
      pngs = list.filter(p -> p.toString().endsWith(".png")).sorted().toList();
    }
    assertTrue(pngs.size() >= 3, "plots: " + pngs);
    byte[] signature = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    for (Path p : pngs) {
      byte[] b = Files.readAllBytes(p);
      assertTrue(b.length > 2000, p + " is " + b.length + " bytes");
      assertArrayEquals(signature, Arrays.copyOf(b, 8), p.toString());
      assertTrue(md.contains("](" + p.getFileName() + ")"), "report links " + p.getFileName());
    }
    // Nothing but the report and its plots, and no staging folder left beside it.
    try (var list = Files.list(tmp)) {
      assertEquals(List.of(out), list.toList());
    }

    // Run again into the same folder: refused without --overwrite, naming the option.
    Cli.Run again =
        Cli.runInstalled(
            "--backend", "cpu", "compare", "rnn-transformer", "--quick", "--output", out.toString(),
            "--data", data.toString());
    assertEquals(1, again.code(), again::toString);
    assertTrue(again.err().contains("--overwrite"), again::toString);
  }

  @Test
  void refusesAFolderOfOtherFilesAndAMissingText(@TempDir Path tmp) throws IOException {
    Path out = tmp.resolve("mine");
    Files.createDirectories(out);
    Files.writeString(out.resolve("notes.txt"), "keep me");
    Path data = SharedData.require("data/tinyshakespeare.txt");
    Cli.Run run =
        Cli.runInstalled(
            "--backend", "cpu", "compare", "rnn-transformer", "--quick", "--output", out.toString(),
            "--data", data.toString());
    assertEquals(1, run.code(), run::toString);
    assertTrue(run.err().contains("notes.txt"), run::toString);
    assertEquals("keep me", Files.readString(out.resolve("notes.txt")));

    Cli.Run missing =
        Cli.runInstalled(
            "--backend", "cpu", "compare", "rnn-transformer", "--quick", "--output",
            tmp.resolve("new").toString(), "--data", tmp.resolve("absent.txt").toString());
    assertEquals(1, missing.code(), missing::toString);
    assertTrue(missing.err().contains("--data") && missing.err().contains("absent.txt"), missing::toString);
    assertTrue(!Files.exists(tmp.resolve("new")));

    Cli.Run threads =
        Cli.runInstalled(
            "--backend", "cpu", "--threads", "1", "compare", "rnn-transformer", "--quick",
            "--output", tmp.resolve("new").toString(), "--data", data.toString());
    assertEquals(1, threads.code(), threads::toString);
    assertTrue(threads.err().contains("--threads"), threads::toString);
  }
}
