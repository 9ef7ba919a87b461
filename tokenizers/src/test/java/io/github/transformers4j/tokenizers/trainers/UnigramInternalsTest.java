package io.github.transformers4j.tokenizers.trainers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The unigram trainer's parts against naive references on seeded random inputs: the lattice's
 * forward-backward and Viterbi against enumerating every segmentation, the suffix-array seed
 * against counting every substring, the suffix array against sorting the suffixes, and digamma
 * against known values.
 */
class UnigramInternalsTest {
  // Small alphabets make many repeats; one supplementary char checks surrogate pairs.
  private static final String[] ALPHABET = {"a", "b", "c", "▁", "\uD83D\uDE00"};

  // Fixed seeds keep CI repeatable; -Dt4j.test.seed=N explores others (every failure prints its
  // seed).
  private static long seed(long fixed) {
    return Long.getLong("t4j.test.seed", fixed);
  }

  private static String randomWord(Random rnd, int maxChars) {
    StringBuilder sb = new StringBuilder();
    int n = 1 + rnd.nextInt(maxChars);
    for (int i = 0; i < n; i++) {
      sb.append(ALPHABET[rnd.nextInt(rnd.nextBoolean() ? 3 : ALPHABET.length)]);
    }
    return sb.toString();
  }

  @Test
  void latticeAgreesWithEnumeratingEverySegmentation() {
    long seed = seed(1592590593L);
    Random rnd = new Random(seed);
    for (int trial = 0; trial < 200; trial++) {
      // Pieces: id 0 unknown, then a random vocabulary (some chars left out, so unknowns occur).
      TreeSet<String> set = new TreeSet<>();
      for (int i = 0; i < 3 + rnd.nextInt(12); i++) {
        set.add(randomWord(rnd, 3));
      }
      List<String> pieces = new ArrayList<>();
      pieces.add(null);
      pieces.addAll(set);
      double[] scores = new double[pieces.size()];
      for (int i = 1; i < scores.length; i++) {
        scores[i] = -1 - 8 * rnd.nextDouble();
      }
      Lattice.Pieces model = new Lattice.Pieces(pieces, scores);
      double unkScore = model.unkScore;
      Lattice lattice = new Lattice();
      String word = randomWord(rnd, 7);
      double freq = 1 + rnd.nextInt(5);
      lattice.build(word.toCharArray(), model, -1);
      double[] expected = new double[pieces.size()];
      double z = lattice.marginalsScaled(freq, expected);
      double[] expectedLog = new double[pieces.size()];
      double zLog = lattice.marginalsLog(freq, expectedLog);

      // Naive: every segmentation into pieces, a char without a single-char piece as unknown.
      List<int[]> segs = new ArrayList<>();
      segment(word, 0, pieces, new ArrayList<>(), segs);
      double total = 0;
      double[] naive = new double[pieces.size()];
      double best = Double.NEGATIVE_INFINITY;
      for (int[] seg : segs) {
        double s = 0;
        for (int id : seg) {
          s += id == 0 ? unkScore : scores[id];
        }
        total += Math.exp(s);
        best = Math.max(best, s);
      }
      for (int[] seg : segs) {
        double s = 0;
        for (int id : seg) {
          s += id == 0 ? unkScore : scores[id];
        }
        for (int id : seg) {
          naive[id] += freq * Math.exp(s) / total;
        }
      }
      String where = "seed " + seed + " trial " + trial + " word " + word + " pieces " + pieces;
      assertEquals(Math.log(total), z, 1e-9, where);
      assertArrayEquals(naive, expected, 1e-9, where);
      assertEquals(Math.log(total), zLog, 1e-9, where);
      assertArrayEquals(naive, expectedLog, 1e-9, where);
      int n = lattice.viterbi();
      assertEquals(best, lattice.bestScore(), 1e-9, where);
      double pathScore = 0;
      int covered = 0; // code points: an unknown node is one
      for (int k = 0; k < n; k++) {
        int id = lattice.pathId(k);
        pathScore += id == 0 ? unkScore : scores[id];
        covered += id == 0 ? 1 : pieces.get(id).codePointCount(0, pieces.get(id).length());
      }
      assertEquals(best, pathScore, 1e-9, where);
      assertEquals(word.codePointCount(0, word.length()), covered, where);
    }
  }

  private static void segment(
      String w, int from, List<String> pieces, List<Integer> acc, List<int[]> out) {
    if (from == w.length()) {
      out.add(acc.stream().mapToInt(Integer::intValue).toArray());
      return;
    }
    int charLen = Character.charCount(w.codePointAt(from));
    boolean single = false;
    for (int id = 1; id < pieces.size(); id++) {
      String p = pieces.get(id);
      if (w.startsWith(p, from)) {
        single |= p.length() == charLen;
        acc.add(id);
        segment(w, from + p.length(), pieces, acc, out);
        acc.remove(acc.size() - 1);
      }
    }
    if (!single) {
      acc.add(0);
      segment(w, from + charLen, pieces, acc, out);
      acc.remove(acc.size() - 1);
    }
  }

  /**
   * The trainer reuses one lattice per thread for word after word: after words of every length (up
   * to 300 chars, past the arrays' first size, long and short in turn) it gives what a fresh
   * lattice gives for the same word: the Viterbi path and score, and both forward-backwards.
   */
  @Test
  void aReusedLatticeGivesAFreshOnesResults() {
    long seed = seed(1592590595L);
    Random rnd = new Random(seed);
    Lattice shared = new Lattice();
    for (int trial = 0; trial < 300; trial++) {
      TreeSet<String> set = new TreeSet<>();
      for (int i = 0; i < 3 + rnd.nextInt(12); i++) {
        set.add(randomWord(rnd, 3));
      }
      List<String> pieces = new ArrayList<>();
      pieces.add(null);
      pieces.addAll(set);
      double[] scores = new double[pieces.size()];
      for (int i = 1; i < scores.length; i++) {
        scores[i] = -1 - 8 * rnd.nextDouble();
      }
      Lattice.Pieces model = new Lattice.Pieces(pieces, scores);
      char[] word = randomWord(rnd, trial % 3 == 0 ? 300 : 20).toCharArray();
      String where = "seed " + seed + " trial " + trial + " word of " + word.length + " chars";
      Lattice fresh = new Lattice();
      shared.build(word, model, -1);
      fresh.build(word, model, -1);
      int n = shared.viterbi();
      assertEquals(fresh.viterbi(), n, where);
      assertEquals(fresh.bestScore(), shared.bestScore(), 0, where);
      for (int k = 0; k < n; k++) {
        assertEquals(fresh.pathId(k), shared.pathId(k), where + " piece " + k);
      }
      double[] a = new double[pieces.size()];
      double[] b = new double[pieces.size()];
      assertEquals(fresh.marginalsLog(1, b), shared.marginalsLog(1, a), 0, where);
      assertArrayEquals(b, a, 0, where);
      if (word.length <= model.scaledLimit) {
        java.util.Arrays.fill(a, 0);
        java.util.Arrays.fill(b, 0);
        assertEquals(fresh.marginalsScaled(2, b), shared.marginalsScaled(2, a), 0, where);
        assertArrayEquals(b, a, 0, where);
      }
    }
  }

  @Test
  void scaledForwardBackwardAgreesWithLogSpaceUpToItsLimit() {
    long seed = seed(1592590594L);
    Random rnd = new Random(seed);
    for (int trial = 0; trial < 50; trial++) {
      // Scores as low as training makes them (digamma of 0.5 minus that of a billion: about -23),
      // so the unknown char is near its lowest and the scaled range is at its tightest.
      TreeSet<String> set = new TreeSet<>();
      for (int i = 0; i < 40; i++) {
        set.add(randomWord(rnd, 4));
      }
      List<String> pieces = new ArrayList<>();
      pieces.add(null);
      pieces.addAll(set);
      double[] scores = new double[pieces.size()];
      for (int i = 1; i < scores.length; i++) {
        scores[i] = rnd.nextBoolean() ? -23 : -0.01 - 23 * rnd.nextDouble();
      }
      Lattice.Pieces model = new Lattice.Pieces(pieces, scores);
      assertTrue(model.scaledLimit >= 24, "limit " + model.scaledLimit);
      StringBuilder sb = new StringBuilder();
      while (sb.length() < model.scaledLimit - 1) {
        sb.append(randomWord(rnd, 3));
      }
      String word = sb.substring(0, model.scaledLimit - 1) + "z"; // z: an unknown char
      Lattice lattice = new Lattice();
      lattice.build(word.toCharArray(), model, -1);
      double[] scaled = new double[pieces.size()];
      double[] log = new double[pieces.size()];
      double z1 = lattice.marginalsScaled(3, scaled);
      double z2 = lattice.marginalsLog(3, log);
      String where = "seed " + seed + " trial " + trial + " word " + word;
      assertTrue(Double.isFinite(z1), where);
      assertEquals(z2, z1, 1e-9 * Math.abs(z2), where);
      assertArrayEquals(log, scaled, 1e-9, where);
      assertTrue(scaled[0] >= 3 - 1e-9, "the unknown z is in every segmentation: " + where);
    }
  }

  @Test
  void excludedWholePieceGivesTheSecondBestSegmentation() {
    List<String> pieces = Arrays.asList(null, "a", "b", "ab", "abb", "bb");
    double[] scores = {0, -2, -3, -1, -1.5, -2};
    Lattice lattice = new Lattice();
    lattice.build("abb".toCharArray(), new Lattice.Pieces(pieces, scores), 4);
    assertEquals(2, lattice.viterbi());
    // ab+b = -4, a+bb = -4, a+b+b = -8: the first of equals (by start, shorter first) wins.
    assertEquals(-4, lattice.bestScore(), 0);
    assertEquals(List.of(1, 5), List.of(lattice.pathId(0), lattice.pathId(1)));
  }

  @Test
  void seedMatchesCountingEverySubstring() {
    long seed = seed(1592590595L);
    Random rnd = new Random(seed);
    for (int trial = 0; trial < 100; trial++) {
      TreeSet<String> distinct = new TreeSet<>();
      for (int i = 0; i < 1 + rnd.nextInt(30); i++) {
        distinct.add(randomWord(rnd, 9));
      }
      String[] words = distinct.toArray(new String[0]);
      long[] counts = new long[words.length];
      for (int i = 0; i < counts.length; i++) {
        counts[i] = 1 + rnd.nextInt(rnd.nextBoolean() ? 2 : 20);
      }
      int maxLength = 2 + rnd.nextInt(6);
      long minCount = 1 + rnd.nextInt(3);
      int seedSize = 1 + rnd.nextInt(60);
      SeedPieces.Seed got = SeedPieces.of(words, counts, maxLength, seedSize, minCount);

      // Naive: the count of every substring of up to maxLength code points.
      Map<String, Long> count = new HashMap<>();
      Map<String, Long> chars = new HashMap<>();
      for (int w = 0; w < words.length; w++) {
        int[] cps = words[w].codePoints().toArray();
        for (int i = 0; i < cps.length; i++) {
          chars.merge(new String(cps, i, 1), counts[w], Long::sum);
          for (int len = 1; len <= maxLength && i + len <= cps.length; len++) {
            count.merge(new String(cps, i, len), counts[w], Long::sum);
          }
        }
      }
      // A candidate is the longest of the substrings with its occurrences: every longer one (one
      // more char on the right) occurs less often, or it is as long as allowed.
      List<String> candidates = new ArrayList<>();
      for (Map.Entry<String, Long> e : count.entrySet()) {
        String s = e.getKey();
        int len = s.codePointCount(0, s.length());
        if (len < 2 || e.getValue() < minCount) {
          continue;
        }
        boolean longest = true;
        if (len < maxLength) {
          for (String c : ALPHABET) {
            longest &= count.getOrDefault(s + c, 0L) < e.getValue();
          }
        }
        if (longest) {
          candidates.add(s);
        }
      }
      Comparator<String> byCodePoints =
          (x, y) -> Arrays.compare(x.codePoints().toArray(), y.codePoints().toArray());
      candidates.sort(
          Comparator.comparingLong((String s) -> -count.get(s) * s.codePointCount(0, s.length()))
              .thenComparing(byCodePoints));
      List<String> expected = new ArrayList<>(chars.keySet());
      expected.sort(
          Comparator.comparingLong((String s) -> -chars.get(s))
              .thenComparingInt(s -> s.codePointAt(0)));
      int numChars = expected.size();
      for (String s : candidates) {
        if (expected.size() >= seedSize) {
          break;
        }
        expected.add(s);
      }
      String where =
          "seed "
              + seed
              + " trial "
              + trial
              + " words "
              + Arrays.toString(words)
              + " counts "
              + Arrays.toString(counts)
              + " max "
              + maxLength
              + " min "
              + minCount
              + " seedSize "
              + seedSize;
      assertEquals(expected, got.pieces(), where);
      assertEquals(numChars, got.chars(), where);
      // Scores: log of count (chars) or count × length (substrings), normalized to sum to 1.
      double sum = 0;
      for (double s : got.scores()) {
        sum += Math.exp(s);
      }
      assertEquals(1, sum, 1e-9, where);
      for (int i = 1; i < got.pieces().size(); i++) {
        String p = got.pieces().get(i);
        double raw = i < numChars ? chars.get(p) : count.get(p) * p.codePointCount(0, p.length());
        double raw0 = chars.get(got.pieces().get(0));
        assertEquals(Math.log(raw / raw0), got.scores()[i] - got.scores()[0], 1e-9, where);
      }
    }
  }

  @Test
  void suffixArrayEqualsSortingTheSuffixes() {
    long seed = seed(1592590596L);
    Random rnd = new Random(seed);
    for (int trial = 0; trial < 200; trial++) {
      int n = 1 + rnd.nextInt(200);
      int alphabet = 1 + rnd.nextInt(rnd.nextBoolean() ? 2 : 30);
      int[] s = new int[n];
      for (int i = 0; i < n; i++) {
        s[i] = rnd.nextInt(alphabet);
      }
      Integer[] naive = new Integer[n];
      for (int i = 0; i < n; i++) {
        naive[i] = i;
      }
      Arrays.sort(naive, (x, y) -> Arrays.compare(s, x, n, s, y, n));
      int[] got = SeedPieces.suffixArray(s, alphabet);
      assertArrayEquals(
          Arrays.stream(naive).mapToInt(Integer::intValue).toArray(),
          got,
          "seed " + seed + " trial " + trial);
      int[] lcp = SeedPieces.lcp(s, got, 0);
      for (int i = 1; i < n; i++) {
        int a = got[i - 1];
        int b = got[i];
        int h = 0;
        while (a + h < n && b + h < n && s[a + h] == s[b + h]) {
          h++;
        }
        assertEquals(h, lcp[i], "seed " + seed + " trial " + trial + " lcp at " + i);
      }
    }
  }

  @Test
  void digammaMatchesKnownValues() {
    double gamma = 0.5772156649015329;
    assertEquals(-gamma, UnigramTrainer.digamma(1), 1e-13);
    assertEquals(-gamma - 2 * Math.log(2), UnigramTrainer.digamma(0.5), 1e-13);
    assertEquals(1 - gamma, UnigramTrainer.digamma(2), 1e-13);
    assertEquals(2.251752589066721, UnigramTrainer.digamma(10), 1e-13);
    // ψ(x + 1) = ψ(x) + 1/x, and ψ(x) ≈ ln(x − 1/2) for large x.
    for (double x : new double[] {0.7, 3.3, 6.5, 123.4, 1e6}) {
      assertEquals(
          UnigramTrainer.digamma(x) + 1 / x,
          UnigramTrainer.digamma(x + 1),
          1e-12 * Math.max(1, Math.log(x)));
    }
    assertEquals(Math.log(1e9 - 0.5), UnigramTrainer.digamma(1e9), 1e-12);
    assertTrue(UnigramTrainer.digamma(0.5) < UnigramTrainer.digamma(0.6));
  }
}
