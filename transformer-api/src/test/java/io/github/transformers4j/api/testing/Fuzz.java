package io.github.transformers4j.api.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A small mutation fuzzer for the file-reader fuzz targets: inputs are seeds from {@code
 * testdata/fuzz/<target>/} with one to four mutations (a byte set, a splice inserted or put in place
 * of a range, a range deleted or duplicated, the tail cut). Deterministic: try {@code i} of a run
 * with seed {@code s} is the same input everywhere, and a failure names both (and the input) so it
 * can be replayed and added to the corpus.
 *
 * <p>The number of tries and the seed come from the system properties {@code t4j.fuzz.tries}
 * (default {@value #DEFAULT_TRIES}) and {@code t4j.fuzz.seed} (default fixed), so the normal build
 * is fast and repeatable and a longer run is one option away:
 * {@code mvn ... -Dt4j.fuzz.tries=200000 -Dt4j.fuzz.seed=$RANDOM}.
 */
public final class Fuzz {
  /** Tries per target in the normal build. */
  public static final int DEFAULT_TRIES = 300;

  private Fuzz() {}

  /** The seed files of {@code target}, in name order. */
  public static List<byte[]> seeds(String target) throws IOException {
    List<byte[]> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(SharedData.require("fuzz/" + target))) {
      for (Path f : files.sorted().toList()) {
        out.add(Files.readAllBytes(f));
      }
    }
    return out;
  }

  /** Splices given as hex strings. */
  public static List<byte[]> hex(String... values) {
    return Stream.of(values).map(HexFormat.of()::parseHex).toList();
  }

  /** Splices given as text (UTF-8). */
  public static List<byte[]> text(String... values) {
    return Stream.of(values).map(v -> v.getBytes(StandardCharsets.UTF_8)).toList();
  }

  /**
   * Runs {@code check} on every seed as it is, then on the configured number of mutations.
   *
   * @param printable whether set bytes stay printable ASCII (for text formats)
   */
  public static void run(
      String target, List<byte[]> seeds, List<byte[]> splices, boolean printable, Consumer<byte[]> check) {
    for (int i = 0; i < seeds.size(); i++) {
      attempt(target, "seed " + i, seeds.get(i), check);
    }
    long seed = Long.getLong("t4j.fuzz.seed", 0x7e4f_2026L);
    int tries = Integer.getInteger("t4j.fuzz.tries", DEFAULT_TRIES);
    SplittableRandom root = new SplittableRandom(seed);
    for (int t = 0; t < tries; t++) {
      SplittableRandom r = root.split();
      byte[] input = mutate(seeds.get(r.nextInt(seeds.size())), splices, printable, r);
      attempt(target, "t4j.fuzz.seed=" + seed + " try " + t, input, check);
    }
  }

  private static void attempt(String target, String which, byte[] input, Consumer<byte[]> check) {
    try {
      check.accept(input);
    } catch (Throwable e) {
      String hex = HexFormat.of().formatHex(input, 0, Math.min(input.length, 200));
      throw new AssertionError(
          target + " " + which + " (" + input.length + " bytes: " + hex
              + (input.length > 200 ? "..." : "") + "): " + e,
          e);
    }
  }

  private static byte[] mutate(byte[] seed, List<byte[]> splices, boolean printable, SplittableRandom r) {
    byte[] b = seed.clone();
    for (int k = 1 + r.nextInt(4); k > 0; k--) {
      int at = r.nextInt(b.length + 1);
      byte[] pick = splices.get(r.nextInt(splices.size()));
      switch (r.nextInt(6)) {
        case 0 -> {
          if (b.length > 0) {
            b[Math.min(at, b.length - 1)] = (byte) (printable ? 32 + r.nextInt(95) : r.nextInt(256));
          }
        }
        case 1 -> b = splice(b, at, 0, pick);
        case 2 -> b = splice(b, at, Math.min(b.length - at, 1 + r.nextInt(8)), new byte[0]);
        case 3 -> b = splice(b, at, Math.min(b.length - at, 1 + r.nextInt(12)), pick);
        case 4 -> b = Arrays.copyOf(b, at);
        default -> {
          int len = Math.min(b.length - at, 1 + r.nextInt(32));
          b = splice(b, at, 0, Arrays.copyOfRange(b, at, at + len));
        }
      }
    }
    return b;
  }

  private static byte[] splice(byte[] b, int at, int remove, byte[] insert) {
    byte[] out = new byte[b.length - remove + insert.length];
    System.arraycopy(b, 0, out, 0, at);
    System.arraycopy(insert, 0, out, at, insert.length);
    System.arraycopy(b, at + remove, out, at + insert.length, b.length - at - remove);
    return out;
  }
}
