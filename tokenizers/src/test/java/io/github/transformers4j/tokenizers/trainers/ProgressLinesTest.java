package io.github.transformers4j.tokenizers.trainers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@link Progress#lines}: the lines its javadoc shows, without a total or a rate, and none. */
class ProgressLinesTest {
  @Test
  void linesAsDocumented() {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    Progress p = Progress.lines(new PrintStream(buf, true, StandardCharsets.UTF_8));
    p.report("count", 12_000_000, 21_000_000, 5_100_000);
    p.report("merge", 700, 7744, 3500.0);
    p.report("em", 4, 18, 2.1);
    p.report("seed", 5000, -1, 100.0);
    p.report("em", 4, 18, 0);
    p.report("count", 2_500_000, 0, 1_250_000);
    Progress.none().report("merge", 1, 2, 3);
    assertEquals(
        String.join(
            System.lineSeparator(),
            "count 12.0/21.0 MB 5.1 MB/s ETA 2s",
            "merge 700/7744 3500.0 merges/s ETA 2s",
            "em 4/18 2.1 steps/s ETA 7s",
            "seed 5000 100.0 pieces/s",
            "em 4/18 0.0 steps/s",
            "count 2.5 MB 1.3 MB/s",
            ""),
        buf.toString(StandardCharsets.UTF_8));
  }
}
