package io.github.transformers4j.tokenizers.trainers;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Where a trainer reports how far it is: counting the corpus, then merging (BPE, WordPiece) or
 * seeding and EM steps (Unigram).
 */
@FunctionalInterface
public interface Progress {

  /**
   * One report.
   *
   * @param phase "count" (done/total in bytes read, total -1 if unknown), "merge" (merges done of
   *     the most wanted), "seed" (the seed pieces of a unigram trainer, reported once) or "em"
   *     (EM steps done of those expected; pruning can end sooner)
   * @param done units done
   * @param total units in all, or -1 if unknown
   * @param ratePerSecond units per second so far
   */
  void report(String phase, long done, long total, double ratePerSecond);

  /** No reports. */
  static Progress none() {
    return (p, d, t, r) -> {};
  }

  /**
   * One line per report on {@code out}, with rate and ETA: {@code count 12.0/21.0 MB 5.1 MB/s ETA
   * 2s}, {@code merge 700/7744 3500.0 merges/s ETA 2s}, {@code em 4/18 2.1 steps/s ETA 7s}.
   */
  static Progress lines(PrintStream out) {
    return (phase, done, total, rate) -> {
      boolean bytes = phase.equals("count");
      double scale = bytes ? 1e6 : 1;
      String unit = bytes ? " MB" : "";
      String per =
          switch (phase) {
            case "count" -> unit;
            case "seed" -> " pieces";
            case "em" -> " steps";
            default -> " merges";
          };
      String eta =
          total > 0 && rate > 0 ? String.format(Locale.ROOT, " ETA %.0fs", (total - done) / rate) : "";
      out.printf(
          Locale.ROOT,
          "%s %s%s%s %.1f%s/s%s%n",
          phase,
          bytes ? String.format(Locale.ROOT, "%.1f", done / scale) : Long.toString(done),
          total > 0 ? "/" + (bytes ? String.format(Locale.ROOT, "%.1f", total / scale) : total) : "",
          unit,
          rate / scale,
          per,
          eta);
    };
  }
}
