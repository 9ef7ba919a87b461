package io.github.transformers4j.tokenizers.trainers;

import io.github.transformers4j.tokenizers.AddedToken;
import io.github.transformers4j.tokenizers.ByteLevelAlphabet;
import io.github.transformers4j.tokenizers.Normalizer;
import io.github.transformers4j.tokenizers.PreTokenizer;
import io.github.transformers4j.tokenizers.Tokenizer;
import io.github.transformers4j.tokenizers.decoders.BpeDecoder;
import io.github.transformers4j.tokenizers.decoders.ByteLevelDecoder;
import io.github.transformers4j.tokenizers.decoders.WordPieceDecoder;
import io.github.transformers4j.tokenizers.models.Bpe;
import io.github.transformers4j.tokenizers.models.WordPiece;
import io.github.transformers4j.tokenizers.pretokenizers.ByteLevel;
import io.github.transformers4j.tokenizers.pretokenizers.CharSplit;
import io.github.transformers4j.tokenizers.pretokenizers.LucenePreTokenizer;
import io.github.transformers4j.tokenizers.processors.ByteLevelProcessor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;

/**
 * Trains a BPE or WordPiece vocabulary as Hugging Face's {@code BpeTrainer} does: count the words
 * the pre-tokenizer makes, start from their chars (byte-level: all 256 byte chars; WordPiece: later
 * chars with {@code ##}), then repeatedly merge the most frequent adjacent pair — ties to the pair
 * of smaller ids — until the vocabulary is full or no pair is frequent enough. The same corpus and
 * settings give the same vocabulary, byte for byte.
 *
 * <p>Pre-tokenizers: {@code byte-level} (GPT-2), {@code bert} (whitespace and punctuation), or a
 * Lucene analyzer: {@code standard}, {@code whitespace}, {@code korean} (Nori), {@code cjk-bigram}.
 *
 * <p>Thread safety: one training run at a time per instance; not to be shared by threads while it
 * trains.
 */
public final class BpeTrainer {
  /** The pre-tokenizer names a trainer accepts. */
  public static final List<String> PRE_TOKENIZERS =
      List.of("byte-level", "bert", "standard", "whitespace", "korean", "cjk-bigram");

  /**
   * What to train.
   *
   * @param vocabSize the vocabulary size wanted, special tokens and alphabet included
   * @param minFrequency a pair merges only if it occurs at least this often
   * @param specialTokens tokens that get the first ids
   * @param preTokenizer one of {@link #PRE_TOKENIZERS}
   * @param wordPiece train a WordPiece vocabulary instead of BPE
   * @param normalizer applied before pre-tokenization, or null
   */
  public record Config(
      int vocabSize,
      int minFrequency,
      List<String> specialTokens,
      String preTokenizer,
      boolean wordPiece,
      Normalizer normalizer) {

    /** Validates the settings. */
    public Config {
      if (vocabSize < 1) {
        throw new IllegalArgumentException("vocabulary size must be positive, got " + vocabSize);
      }
      if (minFrequency < 1) {
        throw new IllegalArgumentException("minimum frequency must be >= 1, got " + minFrequency);
      }
      if (!PRE_TOKENIZERS.contains(preTokenizer)) {
        throw new IllegalArgumentException(
            "unknown pre-tokenizer '" + preTokenizer + "'; available: " + String.join(", ", PRE_TOKENIZERS));
      }
      if (wordPiece && preTokenizer.equals("byte-level")) {
        throw new IllegalArgumentException("WordPiece is not trained on byte-level pieces; choose bert or a Lucene one");
      }
      specialTokens = List.copyOf(specialTokens);
    }
  }

  private final Config config;
  private final Progress progress;
  private final PreTokenizer pre;
  private final WordCounts counts;

  /** A trainer with {@code config}, reporting to {@code progress}. */
  public BpeTrainer(Config config, Progress progress) {
    this.config = config;
    this.progress = progress;
    this.pre = preTokenizer(config.preTokenizer());
    this.counts = new WordCounts(config.normalizer(), pre);
  }

  /** The pre-tokenizer called {@code name} (see {@link #PRE_TOKENIZERS}). */
  public static PreTokenizer preTokenizer(String name) {
    switch (name) {
      case "byte-level":
        return ByteLevel.gpt2();
      case "bert":
        return CharSplit.bert();
      default:
        return new LucenePreTokenizer(name);
    }
  }

  /** Trains on text files, read as UTF-8 lines. */
  public Tokenizer train(List<Path> files) throws IOException {
    counts.feed(files, progress);
    return finish();
  }

  /** Trains on lines of text from any source. */
  public Tokenizer train(Iterable<String> lines) {
    for (String line : lines) {
      feed(line);
    }
    return finish();
  }

  /** Counts the words of one line. */
  public void feed(String line) {
    counts.feed(line);
  }

  private Tokenizer finish() {
    boolean byteLevel = config.preTokenizer().equals("byte-level");
    String prefix = config.wordPiece() ? "##" : "";
    String suffix = !config.wordPiece() && !byteLevel ? "</w>" : "";
    Map<String, Integer> vocab = new LinkedHashMap<>();
    List<String> tokens = new ArrayList<>();
    for (String s : config.specialTokens()) {
      if (!vocab.containsKey(s)) {
        vocab.put(s, tokens.size());
        tokens.add(s);
      }
    }
    // Words in a fixed order (sorted), so ids never depend on hash order.
    String[] words = counts.sortedWords();
    long[] freq = counts.countsOf(words);
    // The alphabet, sorted.
    java.util.TreeSet<String> alphabet = new java.util.TreeSet<>();
    if (byteLevel) {
      for (char c : ByteLevelAlphabet.order()) {
        alphabet.add(String.valueOf(c));
      }
    }
    int[][] symbols = new int[words.length][];
    List<String[]> wordSymbols = new ArrayList<>(words.length);
    for (String w : words) {
      int[] cps = w.codePoints().toArray();
      String[] syms = new String[cps.length];
      for (int k = 0; k < cps.length; k++) {
        String s = new String(Character.toChars(cps[k]));
        if (k > 0) {
          s = prefix + s;
        }
        if (k == cps.length - 1) {
          s = s + suffix;
        }
        syms[k] = s;
        alphabet.add(s);
      }
      wordSymbols.add(syms);
    }
    for (String a : alphabet) {
      if (!vocab.containsKey(a)) {
        vocab.put(a, tokens.size());
        tokens.add(a);
      }
    }
    for (int i = 0; i < words.length; i++) {
      String[] syms = wordSymbols.get(i);
      symbols[i] = new int[syms.length];
      for (int k = 0; k < syms.length; k++) {
        symbols[i][k] = vocab.get(syms[k]);
      }
    }
    // Pair counts and where each pair occurs.
    Map<Long, long[]> pairCount = new HashMap<>();
    Map<Long, java.util.TreeSet<Integer>> where = new HashMap<>();
    for (int i = 0; i < words.length; i++) {
      int[] s = symbols[i];
      for (int k = 0; k + 1 < s.length; k++) {
        long p = key(s[k], s[k + 1]);
        pairCount.computeIfAbsent(p, x -> new long[1])[0] += freq[i];
        where.computeIfAbsent(p, x -> new java.util.TreeSet<>()).add(i);
      }
    }
    // Max-heap by count, ties to the smaller pair (left id, then right id).
    PriorityQueue<long[]> heap =
        new PriorityQueue<>(
            (a, b) -> a[1] != b[1] ? Long.compare(b[1], a[1]) : Long.compare(a[0], b[0]));
    pairCount.forEach((p, c) -> heap.add(new long[] {p, c[0]}));
    List<String[]> merges = new ArrayList<>();
    int wanted = Math.max(0, config.vocabSize() - tokens.size());
    long t0 = System.nanoTime();
    long lastReport = t0;
    while (tokens.size() < config.vocabSize() && !heap.isEmpty()) {
      long[] top = heap.poll();
      long[] current = pairCount.get(top[0]);
      long count = current == null ? 0 : current[0];
      if (count != top[1]) {
        if (count > 0) {
          heap.add(new long[] {top[0], count}); // stale: requeue with its current count
        }
        continue;
      }
      if (count < config.minFrequency()) {
        break;
      }
      int left = (int) (top[0] >>> 32);
      int right = (int) top[0];
      String l = tokens.get(left);
      String r = tokens.get(right);
      String merged = l + (r.startsWith(prefix) ? r.substring(prefix.length()) : r);
      Integer newId = vocab.get(merged);
      if (newId == null) {
        newId = tokens.size();
        vocab.put(merged, newId);
        tokens.add(merged);
      }
      merges.add(new String[] {l, r});
      java.util.TreeSet<Integer> occ = where.remove(top[0]);
      pairCount.remove(top[0]);
      Map<Long, Long> changed = new TreeMap<>();
      for (int wi : occ) {
        int[] s = symbols[wi];
        int[] out = new int[s.length];
        int n = 0;
        for (int k = 0; k < s.length; k++) {
          if (k + 1 < s.length && s[k] == left && s[k + 1] == right) {
            out[n++] = newId;
            k++;
          } else {
            out[n++] = s[k];
          }
        }
        if (n == s.length) {
          continue;
        }
        // Remove the old pairs of this word, add the new ones.
        for (int k = 0; k + 1 < s.length; k++) {
          long p = key(s[k], s[k + 1]);
          if (p != top[0]) {
            long[] c = pairCount.get(p);
            if (c != null) {
              c[0] -= freq[wi];
              changed.put(p, c[0]);
            }
          }
        }
        int[] ns = Arrays.copyOf(out, n);
        symbols[wi] = ns;
        for (int k = 0; k + 1 < n; k++) {
          long p = key(ns[k], ns[k + 1]);
          long[] c = pairCount.computeIfAbsent(p, x -> new long[1]);
          c[0] += freq[wi];
          changed.put(p, c[0]);
          where.computeIfAbsent(p, x -> new java.util.TreeSet<>()).add(wi);
        }
      }
      for (Map.Entry<Long, Long> e : changed.entrySet()) {
        if (e.getValue() > 0) {
          heap.add(new long[] {e.getKey(), e.getValue()});
        } else {
          pairCount.remove(e.getKey());
        }
      }
      long now = System.nanoTime();
      if (now - lastReport > 1_000_000_000L) {
        progress.report("merge", merges.size(), wanted, merges.size() / ((now - t0) / 1e9));
        lastReport = now;
      }
    }
    progress.report("merge", merges.size(), wanted, merges.size() / Math.max(1e-9, (System.nanoTime() - t0) / 1e9));
    return build(vocab, merges, byteLevel, suffix);
  }

  private Tokenizer build(Map<String, Integer> vocab, List<String[]> merges, boolean byteLevel, String suffix) {
    String unk = config.specialTokens().contains("[UNK]") ? "[UNK]"
        : config.specialTokens().contains("<unk>") ? "<unk>" : null;
    Tokenizer.Builder b;
    if (config.wordPiece()) {
      if (unk == null) {
        throw new IllegalArgumentException("WordPiece needs an unknown token: add [UNK] to the special tokens");
      }
      b = Tokenizer.builder(new WordPiece(vocab, unk, "##", WordPiece.DEFAULT_MAX_INPUT_CHARS_PER_WORD))
          .decoder(new WordPieceDecoder("##", true));
    } else if (byteLevel) {
      b = Tokenizer.builder(Bpe.builder(vocab, merges).build())
          .postProcessor(new ByteLevelProcessor(true, false, true))
          .decoder(new ByteLevelDecoder());
    } else {
      b = Tokenizer.builder(Bpe.builder(vocab, merges).unkToken(unk).endOfWordSuffix(suffix).build())
          .decoder(new BpeDecoder(suffix));
    }
    b.normalizer(config.normalizer());
    b.preTokenizer(pre);
    for (String s : config.specialTokens()) {
      b.addedToken(AddedToken.special(vocab.get(s), s));
    }
    return b.build();
  }

  private static long key(int l, int r) {
    return ((long) l << 32) | (r & 0xffffffffL);
  }
}
