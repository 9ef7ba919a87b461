package io.github.transformers4j.tokenizers.models;

import io.github.transformers4j.tokenizers.NormalizedString;
import io.github.transformers4j.tokenizers.TokenBuffer;
import io.github.transformers4j.tokenizers.TokenModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Byte-pair encoding as Hugging Face tokenizers does it: a word starts as its chars (with an
 * optional continuing-subword prefix and end-of-word suffix, CLIP's {@code </w>}), then the
 * adjacent pair of lowest merge rank is merged, leftmost first among equals, until no pair has a
 * rank. Byte-level BPE (GPT-2) is this model after the {@code ByteLevel} pre-tokenizer.
 *
 * <p>Merging uses a heap of (rank, position) over a linked list of symbols, so a long word costs
 * O(n log n), not O(n²). Results are cached per word in a bounded cache (words are encoded again
 * and again in real text); when full, new words are simply not cached.
 */
public final class Bpe implements TokenModel {
  /** Default number of words cached, as Hugging Face's {@code DEFAULT_CACHE_CAPACITY}. */
  public static final int DEFAULT_CACHE_CAPACITY = 10_000;

  private static final int MAX_CACHED_WORD = 256;
  private static final long NO_MERGE = -1L;

  private final Vocabulary vocab;
  private final List<String[]> merges;
  private final LongLongMap pairs; // (left id, right id) -> rank << 32 | merged id
  private final String unkToken;
  private final int unkId;
  private final String prefix;
  private final String suffix;
  private final boolean fuseUnk;
  private final boolean byteFallback;
  private final boolean ignoreMerges;
  private final int[] plain; // BMP char -> id of the char alone, -2 if not computed, -1 absent
  private final int[] suffixed; // BMP char -> id of char + suffix
  private final int cacheCapacity;
  private final ConcurrentHashMap<String, int[]> cache;

  /** Builds a BPE model; see {@link Builder}. */
  private Bpe(Builder b) {
    this.vocab = new Vocabulary(b.vocab);
    this.merges = List.copyOf(b.merges);
    this.unkToken = b.unkToken;
    this.unkId = b.unkToken == null ? -1 : vocab.id(b.unkToken);
    if (b.unkToken != null && unkId < 0) {
      throw new IllegalArgumentException(
          "BPE unknown token '" + b.unkToken + "' is not in the vocabulary");
    }
    this.prefix = b.continuingSubwordPrefix == null ? "" : b.continuingSubwordPrefix;
    this.suffix = b.endOfWordSuffix == null ? "" : b.endOfWordSuffix;
    this.fuseUnk = b.fuseUnk;
    this.byteFallback = b.byteFallback;
    this.ignoreMerges = b.ignoreMerges;
    this.pairs = new LongLongMap(merges.size());
    int rank = 0;
    for (String[] m : merges) {
      int l = vocab.id(m[0]);
      int r = vocab.id(m[1]);
      if (l < 0 || r < 0) {
        throw new IllegalArgumentException(
            "BPE merge " + rank + " '" + m[0] + " " + m[1] + "': token '"
                + (l < 0 ? m[0] : m[1]) + "' is not in the vocabulary");
      }
      String merged = m[0] + (m[1].startsWith(prefix) ? m[1].substring(prefix.length()) : m[1]);
      int id = vocab.id(merged);
      if (id < 0) {
        throw new IllegalArgumentException(
            "BPE merge " + rank + " '" + m[0] + " " + m[1] + "': merged token '" + merged
                + "' is not in the vocabulary");
      }
      pairs.putIfAbsent(((long) l << 32) | (r & 0xffffffffL), ((long) rank << 32) | id);
      rank++;
    }
    plain = new int[65536];
    suffixed = suffix.isEmpty() ? null : new int[65536];
    Arrays.fill(plain, -1);
    if (suffixed != null) {
      Arrays.fill(suffixed, -1);
    }
    for (Map.Entry<String, Integer> e : b.vocab.entrySet()) {
      String t = e.getKey();
      if (t.length() == 1) {
        plain[t.charAt(0)] = e.getValue();
      } else if (suffixed != null && t.length() == 1 + suffix.length() && t.endsWith(suffix)) {
        suffixed[t.charAt(0)] = e.getValue();
      }
    }
    this.cacheCapacity = b.cacheCapacity;
    this.cache = cacheCapacity > 0 ? new ConcurrentHashMap<>(Math.min(cacheCapacity, 1 << 14)) : null;
  }

  /** A builder over {@code vocab} (token → id) and {@code merges} (pairs in rank order). */
  public static Builder builder(Map<String, Integer> vocab, List<String[]> merges) {
    return new Builder(vocab, merges);
  }

  @Override
  public void tokenize(NormalizedString piece, TokenBuffer out) {
    String word = piece.text();
    if (ignoreMerges) {
      int id = vocab.id(word);
      if (id >= 0) {
        out.add(id, vocab.token(id), piece, 0, word.length());
        return;
      }
    }
    int[] enc = cache == null ? null : cache.get(word);
    if (enc == null) {
      enc = merge(word);
      if (cache != null && word.length() <= MAX_CACHED_WORD && cache.size() < cacheCapacity) {
        cache.put(word, enc);
      }
    }
    for (int k = 0; k < enc.length; k += 3) {
      int id = enc[k];
      out.add(id, vocab.token(id), piece, enc[k + 1], enc[k + 2]);
    }
  }

  /** The merged symbols of {@code word} as (id, start char, end char) triples. */
  int[] merge(String word) {
    int n = word.length();
    int[] ids = new int[n + 4];
    int[] start = new int[n + 4];
    int[] end = new int[n + 4];
    int m = 0;
    int i = 0;
    while (i < n) {
      int cp = word.codePointAt(i);
      int len = Character.charCount(cp);
      boolean first = i == 0;
      boolean last = i + len == n;
      int id = -1;
      if (len == 1 && (first || prefix.isEmpty())) {
        id = last && suffixed != null ? suffixed[cp] : plain[cp];
      } else {
        String s = word.substring(i, i + len);
        if (!first) {
          s = prefix + s;
        }
        if (last) {
          s = s + suffix;
        }
        id = vocab.id(s);
      }
      if (id < 0 && byteFallback) {
        byte[] buf = new byte[4];
        int nb = io.github.transformers4j.tokenizers.ByteLevelAlphabet.utf8(cp, buf, 0);
        boolean all = true;
        int[] bytes = new int[nb];
        for (int b = 0; b < nb; b++) {
          bytes[b] = vocab.id(String.format("<0x%02X>", buf[b] & 0xff));
          all &= bytes[b] >= 0;
        }
        if (all) {
          if (m + nb > ids.length) {
            ids = Arrays.copyOf(ids, m + nb + n);
            start = Arrays.copyOf(start, ids.length);
            end = Arrays.copyOf(end, ids.length);
          }
          for (int b = 0; b < nb; b++) {
            ids[m] = bytes[b];
            start[m] = i;
            end[m] = i + len;
            m++;
          }
          i += len;
          continue;
        }
      }
      if (id < 0) {
        if (unkId < 0) {
          i += len; // no unknown token: the char is dropped, as Hugging Face does
          continue;
        }
        if (fuseUnk && m > 0 && ids[m - 1] == unkId) {
          end[m - 1] = i + len;
          i += len;
          continue;
        }
        id = unkId;
      }
      ids[m] = id;
      start[m] = i;
      end[m] = i + len;
      m++;
      i += len;
    }
    if (m > 1) {
      m = applyMerges(ids, start, end, m);
    }
    int[] res = new int[m * 3];
    for (int k = 0; k < m; k++) {
      res[3 * k] = ids[k];
      res[3 * k + 1] = start[k];
      res[3 * k + 2] = end[k];
    }
    return res;
  }

  private int applyMerges(int[] ids, int[] start, int[] end, int m) {
    int[] next = new int[m];
    int[] prev = new int[m];
    for (int k = 0; k < m; k++) {
      next[k] = k + 1 < m ? k + 1 : -1;
      prev[k] = k - 1;
    }
    LongHeap heap = new LongHeap();
    for (int k = 0; k + 1 < m; k++) {
      long v = pairs.get(pairKey(ids[k], ids[k + 1]), NO_MERGE);
      if (v != NO_MERGE) {
        heap.push((v & 0xffffffff00000000L) | k);
      }
    }
    boolean[] dead = new boolean[m];
    while (!heap.isEmpty()) {
      long top = heap.pop();
      int pos = (int) top;
      int rank = (int) (top >>> 32);
      if (dead[pos]) {
        continue;
      }
      int r = next[pos];
      if (r < 0) {
        continue;
      }
      long v = pairs.get(pairKey(ids[pos], ids[r]), NO_MERGE);
      if (v == NO_MERGE || (int) (v >>> 32) != rank) {
        continue; // stale entry: one of the two symbols has merged since
      }
      ids[pos] = (int) v;
      end[pos] = end[r];
      dead[r] = true;
      next[pos] = next[r];
      if (next[r] >= 0) {
        prev[next[r]] = pos;
      }
      int p = prev[pos];
      if (p >= 0) {
        long pv = pairs.get(pairKey(ids[p], ids[pos]), NO_MERGE);
        if (pv != NO_MERGE) {
          heap.push((pv & 0xffffffff00000000L) | p);
        }
      }
      int q = next[pos];
      if (q >= 0) {
        long qv = pairs.get(pairKey(ids[pos], ids[q]), NO_MERGE);
        if (qv != NO_MERGE) {
          heap.push((qv & 0xffffffff00000000L) | pos);
        }
      }
    }
    int w = 0;
    for (int k = 0; k >= 0 && k < m; k = next[k]) {
      ids[w] = ids[k];
      start[w] = start[k];
      end[w] = end[k];
      w++;
    }
    return w;
  }

  private static long pairKey(int l, int r) {
    return ((long) l << 32) | (r & 0xffffffffL);
  }

  @Override
  public int tokenToId(String token) {
    return vocab.id(token);
  }

  @Override
  public String idToToken(int id) {
    return vocab.token(id);
  }

  @Override
  public int vocabSize() {
    return vocab.size();
  }

  /** The vocabulary in id order. */
  public Map<String, Integer> vocab() {
    return vocab.ordered();
  }

  /** The merges in rank order. */
  public List<String[]> merges() {
    return merges;
  }

  /** The unknown token, or null. */
  public String unkToken() {
    return unkToken;
  }

  /** The continuing-subword prefix ("" for none). */
  public String continuingSubwordPrefix() {
    return prefix;
  }

  /** The end-of-word suffix ("" for none). */
  public String endOfWordSuffix() {
    return suffix;
  }

  @Override
  public Map<String, Object> toJson() {
    List<Object> ms = new ArrayList<>(merges.size());
    for (String[] m : merges) {
      ms.add(List.of(m[0], m[1]));
    }
    return Json.type(
        "BPE",
        "dropout", null,
        "unk_token", unkToken,
        "continuing_subword_prefix", prefix.isEmpty() ? null : prefix,
        "end_of_word_suffix", suffix.isEmpty() ? null : suffix,
        "fuse_unk", fuseUnk,
        "byte_fallback", byteFallback,
        "ignore_merges", ignoreMerges,
        "vocab", vocab.ordered(),
        "merges", ms);
  }

  /** Settings of a {@link Bpe} model. */
  public static final class Builder {
    private final Map<String, Integer> vocab;
    private final List<String[]> merges;
    private String unkToken;
    private String continuingSubwordPrefix;
    private String endOfWordSuffix;
    private boolean fuseUnk;
    private boolean byteFallback;
    private boolean ignoreMerges;
    private int cacheCapacity = DEFAULT_CACHE_CAPACITY;

    Builder(Map<String, Integer> vocab, List<String[]> merges) {
      this.vocab = vocab;
      this.merges = merges;
    }

    /** The token for chars outside the vocabulary (null: such chars are dropped). */
    public Builder unkToken(String t) {
      unkToken = t;
      return this;
    }

    /** A prefix of every symbol but a word's first (WordPiece-style BPE). */
    public Builder continuingSubwordPrefix(String p) {
      continuingSubwordPrefix = p;
      return this;
    }

    /** A suffix of a word's last symbol (CLIP's {@code </w>}). */
    public Builder endOfWordSuffix(String s) {
      endOfWordSuffix = s;
      return this;
    }

    /** Whether consecutive unknown chars become one unknown token. */
    public Builder fuseUnk(boolean f) {
      fuseUnk = f;
      return this;
    }

    /** Whether unknown chars become their UTF-8 bytes as {@code <0xXX>} tokens. */
    public Builder byteFallback(boolean f) {
      byteFallback = f;
      return this;
    }

    /** Whether a word found whole in the vocabulary skips merging. */
    public Builder ignoreMerges(boolean f) {
      ignoreMerges = f;
      return this;
    }

    /** How many words the cache holds (0: no cache). */
    public Builder cacheCapacity(int n) {
      cacheCapacity = n;
      return this;
    }

    /** The model. */
    public Bpe build() {
      return new Bpe(this);
    }
  }
}
