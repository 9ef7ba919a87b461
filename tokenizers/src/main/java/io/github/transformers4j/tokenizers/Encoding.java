package io.github.transformers4j.tokenizers;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The result of encoding one input (a sequence or a pair): token ids and strings, type ids,
 * attention mask, special-tokens mask and the character offsets of each token into the original
 * text, plus the windows cut off by truncation.
 *
 * <p>Offsets are UTF-16 indices into the original {@code String}; special and padding tokens have
 * the empty range {@code (0, 0)}. For a pair, {@link #sequenceIds()} tells which text each token
 * came from (-1 for special and padding tokens). {@link #wordIds()} numbers the pre-tokenizer's
 * pieces (and added tokens) of each text from 0, as Hugging Face's {@code word_ids}. Instances are
 * immutable; the arrays returned are copies only where noted.
 */
public final class Encoding {
  private final int[] ids;
  private final String[] tokens;
  private final int[] typeIds;
  private final int[] starts;
  private final int[] ends;
  private final int[] specialTokensMask;
  private final int[] attentionMask;
  private final int[] sequenceIds;
  private final int[] wordIds;
  private final List<Encoding> overflowing;

  /**
   * An encoding from its parallel arrays (not copied: the caller hands them over), with no word
   * ids (all -1).
   */
  public Encoding(
      int[] ids,
      String[] tokens,
      int[] typeIds,
      int[] starts,
      int[] ends,
      int[] specialTokensMask,
      int[] attentionMask,
      int[] sequenceIds,
      List<Encoding> overflowing) {
    this(ids, tokens, typeIds, starts, ends, specialTokensMask, attentionMask, sequenceIds,
        minusOnes(ids.length), overflowing);
  }

  /** An encoding from its parallel arrays (not copied: the caller hands them over). */
  public Encoding(
      int[] ids,
      String[] tokens,
      int[] typeIds,
      int[] starts,
      int[] ends,
      int[] specialTokensMask,
      int[] attentionMask,
      int[] sequenceIds,
      int[] wordIds,
      List<Encoding> overflowing) {
    int n = ids.length;
    if (tokens.length != n
        || typeIds.length != n
        || starts.length != n
        || ends.length != n
        || specialTokensMask.length != n
        || attentionMask.length != n
        || sequenceIds.length != n
        || wordIds.length != n) {
      throw new IllegalArgumentException("encoding arrays differ in length");
    }
    this.ids = ids;
    this.tokens = tokens;
    this.typeIds = typeIds;
    this.starts = starts;
    this.ends = ends;
    this.specialTokensMask = specialTokensMask;
    this.attentionMask = attentionMask;
    this.sequenceIds = sequenceIds;
    this.wordIds = wordIds;
    this.overflowing = List.copyOf(overflowing);
  }

  /** The tokens of a model's output, all of sequence {@code sequenceId} with type id 0. */
  public static Encoding fromBuffer(TokenBuffer b, int sequenceId) {
    int n = b.size;
    int[] seq = new int[n];
    Arrays.fill(seq, sequenceId);
    int[] mask = new int[n];
    Arrays.fill(mask, 1);
    return new Encoding(
        Arrays.copyOf(b.ids, n),
        Arrays.copyOf(b.tokens, n),
        new int[n],
        Arrays.copyOf(b.starts, n),
        Arrays.copyOf(b.ends, n),
        new int[n],
        mask,
        seq,
        Arrays.copyOf(b.words, n),
        List.of());
  }

  private static int[] minusOnes(int n) {
    int[] a = new int[n];
    Arrays.fill(a, -1);
    return a;
  }

  /** An encoding of no tokens. */
  public static Encoding empty() {
    return new Encoding(
        new int[0], new String[0], new int[0], new int[0], new int[0], new int[0], new int[0],
        new int[0], List.of());
  }

  /** Number of tokens. */
  public int size() {
    return ids.length;
  }

  /** The token ids (a copy). */
  public int[] ids() {
    return ids.clone();
  }

  /** The token id at {@code i}. */
  public int id(int i) {
    return ids[i];
  }

  /** The token strings (a copy). */
  public String[] tokens() {
    return tokens.clone();
  }

  /** The token string at {@code i}. */
  public String token(int i) {
    return tokens[i];
  }

  /** The type (segment) ids: 0 for the first sequence, 1 for the second in BERT's template. */
  public int[] typeIds() {
    return typeIds.clone();
  }

  /** 1 for real tokens, 0 for padding. */
  public int[] attentionMask() {
    return attentionMask.clone();
  }

  /** 1 for special tokens added by the post-processor and for padding, else 0. */
  public int[] specialTokensMask() {
    return specialTokensMask.clone();
  }

  /** Which input each token came from: 0, 1, or -1 for special and padding tokens. */
  public int[] sequenceIds() {
    return sequenceIds.clone();
  }

  /**
   * Which piece of its text each token came from (a copy): the pre-tokenizer's pieces and the added
   * tokens, numbered from 0 per text; -1 for special tokens of the template and padding.
   */
  public int[] wordIds() {
    return wordIds.clone();
  }

  /** Start offsets into the original text (a copy). */
  public int[] starts() {
    return starts.clone();
  }

  /** End offsets (exclusive) into the original text (a copy). */
  public int[] ends() {
    return ends.clone();
  }

  /** Start offset of token {@code i}. */
  public int start(int i) {
    return starts[i];
  }

  /** End offset (exclusive) of token {@code i}. */
  public int end(int i) {
    return ends[i];
  }

  /** The windows that truncation cut off, each post-processed like this one. */
  public List<Encoding> overflowing() {
    return overflowing;
  }

  /** A copy with other overflowing windows. */
  public Encoding withOverflowing(List<Encoding> windows) {
    return new Encoding(
        ids, tokens, typeIds, starts, ends, specialTokensMask, attentionMask, sequenceIds, wordIds,
        windows);
  }

  /** A copy with every type id set to {@code typeId}. */
  public Encoding withTypeId(int typeId) {
    int[] t = new int[ids.length];
    Arrays.fill(t, typeId);
    List<Encoding> over = new ArrayList<>();
    for (Encoding o : overflowing) {
      over.add(o.withTypeId(typeId));
    }
    return new Encoding(
        ids, tokens, t, starts, ends, specialTokensMask, attentionMask, sequenceIds, wordIds, over);
  }

  /** A copy with every sequence id set to {@code sequenceId}. */
  public Encoding withSequenceId(int sequenceId) {
    int[] s = new int[ids.length];
    Arrays.fill(s, sequenceId);
    List<Encoding> over = new ArrayList<>();
    for (Encoding o : overflowing) {
      over.add(o.withSequenceId(sequenceId));
    }
    return new Encoding(
        ids, tokens, typeIds, starts, ends, specialTokensMask, attentionMask, s, wordIds, over);
  }

  /** A copy with the offsets replaced. */
  public Encoding withOffsets(int[] newStarts, int[] newEnds) {
    return new Encoding(
        ids, tokens, typeIds, newStarts, newEnds, specialTokensMask, attentionMask, sequenceIds,
        wordIds, overflowing);
  }

  /** Tokens {@code [from, to)}, without overflowing windows. */
  public Encoding slice(int from, int to) {
    return new Encoding(
        Arrays.copyOfRange(ids, from, to),
        Arrays.copyOfRange(tokens, from, to),
        Arrays.copyOfRange(typeIds, from, to),
        Arrays.copyOfRange(starts, from, to),
        Arrays.copyOfRange(ends, from, to),
        Arrays.copyOfRange(specialTokensMask, from, to),
        Arrays.copyOfRange(attentionMask, from, to),
        Arrays.copyOfRange(sequenceIds, from, to),
        Arrays.copyOfRange(wordIds, from, to),
        List.of());
  }

  /**
   * Cuts this encoding to {@code max} tokens; the rest becomes overflowing windows of {@code max}
   * tokens that overlap by {@code stride} tokens, as Hugging Face tokenizers does.
   *
   * @param fromLeft cut tokens at the start instead of the end
   */
  public Encoding truncate(int max, int stride, boolean fromLeft) {
    int n = ids.length;
    if (max >= n) {
      return this;
    }
    if (max == 0) {
      return Encoding.empty().withOverflowing(List.of(this.withOverflowing(List.of())));
    }
    if (stride >= max) {
      throw new IllegalArgumentException(
          "truncation stride " + stride + " must be smaller than the length kept " + max);
    }
    int step = max - stride;
    List<Encoding> windows = new ArrayList<>();
    if (!fromLeft) {
      for (int start = 0; ; start += step) {
        int end = Math.min(start + max, n);
        windows.add(slice(start, end));
        if (end == n) {
          break;
        }
      }
    } else {
      for (int end = n; ; end -= step) {
        int start = Math.max(end - max, 0);
        windows.add(slice(start, end));
        if (start == 0) {
          break;
        }
      }
    }
    return windows.get(0).withOverflowing(windows.subList(1, windows.size()));
  }

  /** The tokens of all {@code parts} in order (overflowing windows are dropped). */
  public static Encoding concat(List<Encoding> parts) {
    int n = 0;
    for (Encoding e : parts) {
      n += e.size();
    }
    int[] ids = new int[n];
    String[] tokens = new String[n];
    int[] type = new int[n];
    int[] st = new int[n];
    int[] en = new int[n];
    int[] special = new int[n];
    int[] att = new int[n];
    int[] seq = new int[n];
    int[] words = new int[n];
    int at = 0;
    for (Encoding e : parts) {
      int k = e.size();
      System.arraycopy(e.ids, 0, ids, at, k);
      System.arraycopy(e.tokens, 0, tokens, at, k);
      System.arraycopy(e.typeIds, 0, type, at, k);
      System.arraycopy(e.starts, 0, st, at, k);
      System.arraycopy(e.ends, 0, en, at, k);
      System.arraycopy(e.specialTokensMask, 0, special, at, k);
      System.arraycopy(e.attentionMask, 0, att, at, k);
      System.arraycopy(e.sequenceIds, 0, seq, at, k);
      System.arraycopy(e.wordIds, 0, words, at, k);
      at += k;
    }
    return new Encoding(ids, tokens, type, st, en, special, att, seq, words, List.of());
  }

  /** One special token (mask 1, no offsets, sequence id -1). */
  public static Encoding special(int id, String token, int typeId) {
    return new Encoding(
        new int[] {id}, new String[] {token}, new int[] {typeId}, new int[1], new int[1],
        new int[] {1}, new int[] {1}, new int[] {-1}, List.of());
  }

  /**
   * This encoding padded to {@code length} with the pad token (attention 0, special 1), on the
   * right or the left; overflowing windows are padded too.
   */
  public Encoding pad(int length, int padId, String padToken, int padTypeId, boolean left) {
    List<Encoding> over = new ArrayList<>();
    for (Encoding o : overflowing) {
      over.add(o.pad(length, padId, padToken, padTypeId, left));
    }
    int n = ids.length;
    if (length <= n) {
      return over.equals(overflowing) ? this : withOverflowing(over);
    }
    int p = length - n;
    int[] pid = new int[p];
    Arrays.fill(pid, padId);
    String[] ptok = new String[p];
    Arrays.fill(ptok, padToken);
    int[] ptype = new int[p];
    Arrays.fill(ptype, padTypeId);
    int[] ones = new int[p];
    Arrays.fill(ones, 1);
    int[] minus = new int[p];
    Arrays.fill(minus, -1);
    Encoding padding =
        new Encoding(pid, ptok, ptype, new int[p], new int[p], ones, new int[p], minus, List.of());
    Encoding out = left ? concat(List.of(padding, this)) : concat(List.of(this, padding));
    return out.withOverflowing(over);
  }

  @Override
  public String toString() {
    return "Encoding" + Arrays.toString(ids);
  }
}
