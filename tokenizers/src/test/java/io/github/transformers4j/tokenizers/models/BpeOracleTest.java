package io.github.transformers4j.tokenizers.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Bpe#merge} (the heap over a linked list of symbols) against a naive BPE written from
 * Hugging Face's description: start from the word's chars (a continuing-subword prefix on all but
 * the first, an end-of-word suffix on the last, unknown chars as their {@code <0xXX>} bytes, the
 * unknown token, fused or dropped), then merge the adjacent pair of lowest rank, leftmost first,
 * until no pair has a rank. Random small vocabularies and merges, every setting combination; a
 * failure prints the seed and the case.
 */
class BpeOracleTest {
  static final long SEED = 20261206L;
  static final String[] CHARS = {"a", "b", "c", "d", "é", "😀"};

  /** One model's settings and its vocabulary and merges. */
  record Setup(
      Map<String, Integer> vocab,
      List<String[]> merges,
      String unk,
      String prefix,
      String suffix,
      boolean fuse,
      boolean bytes) {

    Bpe model(int cache) {
      return Bpe.builder(vocab, merges)
          .unkToken(unk)
          .continuingSubwordPrefix(prefix)
          .endOfWordSuffix(suffix)
          .fuseUnk(fuse)
          .byteFallback(bytes)
          .cacheCapacity(cache)
          .build();
    }

    @Override
    public String toString() {
      return "unk " + unk + ", prefix " + prefix + ", suffix " + suffix + ", fuse " + fuse
          + ", byte fallback " + bytes + ", " + vocab.size() + " tokens, " + merges.size()
          + " merges";
    }
  }

  static Setup randomSetup(SplittableRandom r) {
    String prefix = r.nextBoolean() ? "##" : null;
    String suffix = r.nextBoolean() ? "</w>" : null;
    String unk = r.nextInt(3) == 0 ? null : "<unk>";
    boolean fuse = r.nextBoolean();
    boolean bytes = r.nextBoolean();
    List<String> tokens = new ArrayList<>();
    // A merged token takes id 0 in some vocabularies: id 0 is a token like any other.
    List<String[]> merges = new ArrayList<>();
    List<String> base = new ArrayList<>();
    for (String c : CHARS) {
      if (c.equals("d") || (c.equals("😀") && r.nextBoolean())) {
        continue; // unknown chars
      }
      base.add(c);
      if (prefix != null) {
        base.add(prefix + c);
      }
      if (suffix != null) {
        base.add(c + suffix);
        if (prefix != null) {
          base.add(prefix + c + suffix);
        }
      }
    }
    if (bytes) {
      // The bytes of 'd' (0x64) only: 😀's bytes stay unknown.
      base.add("<0x64>");
    }
    List<String> all = new ArrayList<>(base);
    for (int k = 0; k < 40; k++) {
      String left = all.get(r.nextInt(all.size()));
      String right = all.get(r.nextInt(all.size()));
      // Only pairs that can be neighbours: the left one has no suffix, the right one its prefix.
      if (suffix != null && left.endsWith(suffix)) {
        continue;
      }
      if (prefix != null && !right.startsWith(prefix)) {
        continue;
      }
      if (left.startsWith("<0x") || right.startsWith("<0x")) {
        continue;
      }
      String merged =
          left + (prefix != null && right.startsWith(prefix) ? right.substring(prefix.length()) : right);
      boolean dup = false;
      for (String[] m : merges) {
        dup |= m[0].equals(left) && m[1].equals(right);
      }
      if (dup) {
        continue;
      }
      merges.add(new String[] {left, right});
      if (!all.contains(merged)) {
        all.add(merged);
      }
    }
    // Merged tokens first in some vocabularies, so that a merge gives id 0.
    if (r.nextBoolean() && all.size() > base.size()) {
      tokens.addAll(all.subList(base.size(), all.size()));
      tokens.addAll(base);
    } else {
      tokens.addAll(all);
    }
    if (unk != null) {
      tokens.add(unk);
    }
    Map<String, Integer> vocab = new LinkedHashMap<>();
    for (String t : tokens) {
      vocab.putIfAbsent(t, vocab.size());
    }
    return new Setup(vocab, merges, unk, prefix, suffix, fuse, bytes);
  }

  /** The naive BPE: (token, start, end) triples of {@code word}. */
  static List<Object[]> naive(Setup s, String word) {
    String prefix = s.prefix() == null ? "" : s.prefix();
    String suffix = s.suffix() == null ? "" : s.suffix();
    List<Object[]> sym = new ArrayList<>();
    for (int i = 0; i < word.length(); ) {
      int cp = word.codePointAt(i);
      int len = Character.charCount(cp);
      String t =
          (i == 0 ? "" : prefix)
              + new String(Character.toChars(cp))
              + (i + len == word.length() ? suffix : "");
      if (s.vocab().containsKey(t)) {
        sym.add(new Object[] {t, i, i + len});
      } else {
        byte[] utf8 = new String(Character.toChars(cp)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        boolean all = s.bytes();
        for (byte b : utf8) {
          all &= s.vocab().containsKey(String.format("<0x%02X>", b & 0xff));
        }
        if (all) {
          for (byte b : utf8) {
            sym.add(new Object[] {String.format("<0x%02X>", b & 0xff), i, i + len});
          }
        } else if (s.unk() != null) {
          Object[] last = sym.isEmpty() ? null : sym.get(sym.size() - 1);
          if (s.fuse() && last != null && last[0].equals(s.unk())) {
            last[2] = i + len;
          } else {
            sym.add(new Object[] {s.unk(), i, i + len});
          }
        }
      }
      i += len;
    }
    while (true) {
      int best = -1;
      int bestRank = Integer.MAX_VALUE;
      for (int k = 0; k + 1 < sym.size(); k++) {
        for (int rank = 0; rank < s.merges().size() && rank < bestRank; rank++) {
          String[] m = s.merges().get(rank);
          if (m[0].equals(sym.get(k)[0]) && m[1].equals(sym.get(k + 1)[0])) {
            best = k;
            bestRank = rank;
            break; // the first (lowest) rank of this pair
          }
        }
      }
      if (best < 0) {
        return sym;
      }
      String[] m = s.merges().get(bestRank);
      String merged =
          m[0] + (!prefix.isEmpty() && m[1].startsWith(prefix) ? m[1].substring(prefix.length()) : m[1]);
      Object[] l = sym.get(best);
      Object[] rgt = sym.remove(best + 1);
      sym.set(best, new Object[] {merged, l[1], rgt[2]});
    }
  }

  @Test
  void mergesAsTheNaiveAlgorithmForEverySetting() {
    SplittableRandom r = new SplittableRandom(SEED);
    int checked = 0;
    int merged = 0;
    for (int model = 0; model < 80; model++) {
      Setup s = randomSetup(r);
      Bpe bpe = s.model(model % 3 == 0 ? 0 : Bpe.DEFAULT_CACHE_CAPACITY);
      for (int w = 0; w < 40; w++) {
        StringBuilder b = new StringBuilder();
        for (int n = 1 + r.nextInt(12), k = 0; k < n; k++) {
          b.append(CHARS[r.nextInt(r.nextInt(4) == 0 ? CHARS.length : 3)]);
        }
        String word = b.toString();
        List<Object[]> want = naive(s, word);
        int[] got = bpe.merge(word);
        String where = "seed " + SEED + ", model " + model + " " + s + ", word '" + word + "'";
        assertEquals(want.size() * 3, got.length, where);
        for (int k = 0; k < want.size(); k++) {
          Object[] t = want.get(k);
          assertEquals(t[0], bpe.idToToken(got[3 * k]), where + ", token " + k);
          assertArrayEquals(
              new int[] {(Integer) t[1], (Integer) t[2]},
              new int[] {got[3 * k + 1], got[3 * k + 2]},
              where + ", offsets of token " + k);
        }
        // Twice: the second comes from the cache where there is one.
        assertArrayEquals(got, bpe.merge(word), where);
        checked++;
        merged += want.size() < word.codePointCount(0, word.length()) ? 1 : 0;
      }
    }
    assertTrue(merged > checked / 4, "too few words merged anything: " + merged + " of " + checked);
  }

  @Test
  void aMergeMayGiveIdZeroAndAPrefixedRightHalfLosesItsPrefix() {
    Map<String, Integer> vocab = new LinkedHashMap<>();
    vocab.put("ab", 0);
    vocab.put("a", 1);
    vocab.put("##b", 2);
    vocab.put("##c", 3);
    vocab.put("ab##c", 4);
    Bpe bpe =
        Bpe.builder(vocab, List.<String[]>of(new String[] {"a", "##b"}))
            .continuingSubwordPrefix("##")
            .build();
    assertArrayEquals(new int[] {0, 0, 2, 3, 2, 3}, bpe.merge("abc"));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Bpe.builder(vocab, List.<String[]>of(new String[] {"ab", "##d"})).build());
    assertEquals("BPE merge 0 'ab ##d': token '##d' is not in the vocabulary", e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Bpe.builder(vocab, List.<String[]>of(new String[] {"a", "##c"}))
                    .continuingSubwordPrefix("##")
                    .build());
    assertEquals(
        "BPE merge 0 'a ##c': merged token 'ac' is not in the vocabulary", e.getMessage());
  }
}
