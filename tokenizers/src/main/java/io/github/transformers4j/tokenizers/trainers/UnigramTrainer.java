package io.github.transformers4j.tokenizers.trainers;

import io.github.transformers4j.tokenizers.AddedToken;
import io.github.transformers4j.tokenizers.Normalizer;
import io.github.transformers4j.tokenizers.PreTokenizer;
import io.github.transformers4j.tokenizers.Tokenizer;
import io.github.transformers4j.tokenizers.decoders.MetaspaceDecoder;
import io.github.transformers4j.tokenizers.models.Unigram;
import io.github.transformers4j.tokenizers.pretokenizers.CharSplit;
import io.github.transformers4j.tokenizers.pretokenizers.LucenePreTokenizer;
import io.github.transformers4j.tokenizers.pretokenizers.Metaspace;
import io.github.transformers4j.tokenizers.pretokenizers.PreTokenizerSequence;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Trains a Unigram (SentencePiece) vocabulary as Hugging Face's {@code UnigramTrainer} does: count
 * the words the pre-tokenizer makes; seed the vocabulary with every char and the most frequent
 * substrings (by count × length, see {@link SeedPieces}); then repeat EM rounds: each round runs
 * {@code subIterations} EM steps (E: the expected count of every piece by forward-backward over
 * each word's lattice; M: a piece's score becomes digamma(count) − digamma(total), SentencePiece's
 * Bayesian EM, and pieces expected less than half a time are dropped), then prunes to {@code
 * shrinkingFactor} of the pieces, dropping those whose removal costs the least likelihood (their
 * Viterbi uses re-segmented into their second-best segmentation). Rounds stop once the pieces are
 * at most 1.1 × the vocabulary size; the vocabulary is then every char of the corpus plus the
 * best-scored pieces, sorted by score after the special tokens.
 *
 * <p>The vocabulary has exactly {@code vocabSize} tokens, special tokens and the unknown token
 * included, unless the corpus offers fewer pieces: its distinct chars plus the substrings that
 * occur at least {@code minFrequency} times and survive the M steps. A corpus with more distinct
 * chars than the vocabulary has room for fails with a message that says so.
 *
 * <p>The same corpus and settings give the same vocabulary, byte for byte, whatever the number of
 * cores: words are processed in sorted order, in chunks fixed by the data alone, and the chunks'
 * sums are added in chunk order. {@link #history()} has the loss of every EM step.
 *
 * <p>Where this differs from Hugging Face's trainer, on purpose: a seed substring's count is its
 * occurrences in the corpus (Hugging Face counts it once per distinct word), and it must occur
 * {@code minFrequency} times; the final pieces are the best by score as SentencePiece picks them
 * (Hugging Face takes them in pruning order); pruning uses each piece's own number of alternative
 * pieces as SentencePiece does (Hugging Face uses the number of pieces); the unknown token is
 * never matched as text and is always a special added token. Ids therefore differ from Hugging
 * Face's on the same corpus; the saved {@code tokenizer.json} encodes the same in both.
 *
 * <p>Pre-tokenizers: {@code metaspace} (SentencePiece's: spaces become {@code ▁}, one is prepended,
 * words split before each; Hugging Face loads the saved file), or {@code whitespace}, {@code bert},
 * {@code standard}, {@code korean} (Nori), {@code cjk-bigram}, each followed by a Metaspace that
 * prepends {@code ▁} to every word so decoding restores the word boundaries.
 *
 * <p>Thread safety: one training run at a time per instance; not to be shared by threads while it
 * trains.
 */
public final class UnigramTrainer {
  /** The pre-tokenizer names this trainer accepts. */
  public static final List<String> PRE_TOKENIZERS =
      List.of("metaspace", "whitespace", "bert", "standard", "korean", "cjk-bigram");

  /** SentencePiece's word-boundary char. */
  static final char META = '\u2581';

  /** Pieces expected fewer times than this in an E step are dropped (SentencePiece's 0.5). */
  private static final double EXPECTED_COUNT_THRESHOLD = 0.5;

  /** Chars the M step dropped get scores this far apart below the lowest piece, in count order. */
  private static final double REQUIRED_CHAR_PENALTY = 1e-4;

  /**
   * What to train (Hugging Face's {@code UnigramTrainer} defaults in {@link #of}).
   *
   * @param vocabSize the vocabulary size wanted, special tokens and the unknown token included
   *     (8000)
   * @param specialTokens tokens that get the first ids, in this order ([])
   * @param unkToken the unknown token: its id in {@code specialTokens}, or id 0 before them
   *     ("&lt;unk&gt;")
   * @param preTokenizer one of {@link #PRE_TOKENIZERS} ("metaspace")
   * @param normalizer applied before pre-tokenization, or null (null)
   * @param minFrequency a seed substring of two or more chars must occur at least this often; every
   *     single char is kept whatever its count (2)
   * @param maxPieceLength the longest piece, in code points (16)
   * @param seedSize the most pieces to start from, the chars included (1,000,000)
   * @param shrinkingFactor the share of pieces each pruning round keeps, in (0, 1) (0.75)
   * @param subIterations EM steps between prunings (2)
   */
  public record Config(
      int vocabSize,
      List<String> specialTokens,
      String unkToken,
      String preTokenizer,
      Normalizer normalizer,
      int minFrequency,
      int maxPieceLength,
      int seedSize,
      double shrinkingFactor,
      int subIterations) {

    /** Validates the settings; a message names the field, what it must be and what it was. */
    public Config {
      if (vocabSize < 1) {
        throw new IllegalArgumentException("vocabSize must be at least 1, got " + vocabSize);
      }
      Objects.requireNonNull(specialTokens, "specialTokens");
      for (String s : specialTokens) {
        if (s == null || s.isEmpty()) {
          throw new IllegalArgumentException(
              "specialTokens: a null or empty token in " + specialTokens);
        }
      }
      specialTokens = List.copyOf(new LinkedHashSet<>(specialTokens));
      if (unkToken == null || unkToken.isEmpty()) {
        throw new IllegalArgumentException(
            "unkToken must be a token (the Unigram model needs one for unknown chars), got "
                + (unkToken == null ? "null" : "''"));
      }
      if (!PRE_TOKENIZERS.contains(preTokenizer)) {
        throw new IllegalArgumentException(
            "preTokenizer '"
                + preTokenizer
                + "' is unknown; available: "
                + String.join(", ", PRE_TOKENIZERS));
      }
      if (minFrequency < 1) {
        throw new IllegalArgumentException("minFrequency must be at least 1, got " + minFrequency);
      }
      if (maxPieceLength < 1) {
        throw new IllegalArgumentException(
            "maxPieceLength must be at least 1, got " + maxPieceLength);
      }
      if (seedSize < 1) {
        throw new IllegalArgumentException("seedSize must be at least 1, got " + seedSize);
      }
      if (!(shrinkingFactor > 0 && shrinkingFactor < 1)) {
        throw new IllegalArgumentException(
            "shrinkingFactor must be in (0, 1) (the share of pieces a pruning round keeps), got "
                + shrinkingFactor);
      }
      if (subIterations < 1) {
        throw new IllegalArgumentException(
            "subIterations must be at least 1, got " + subIterations);
      }
      int reserved = specialTokens.size() + (specialTokens.contains(unkToken) ? 0 : 1);
      if (vocabSize <= reserved) {
        throw new IllegalArgumentException(
            "vocabSize "
                + vocabSize
                + " leaves no room for pieces: the special tokens "
                + specialTokens
                + " and unkToken '"
                + unkToken
                + "' take "
                + reserved
                + " ids");
      }
    }

    /**
     * {@code vocabSize} and {@code specialTokens}, the rest as Hugging Face's defaults: unknown
     * token {@code <unk>}, Metaspace, no normalizer, pieces of up to 16 chars, a seed of up to
     * 1,000,000, shrinking factor 0.75, 2 EM steps a round; seed substrings seen twice or more.
     */
    public static Config of(int vocabSize, List<String> specialTokens) {
      return new Config(
          vocabSize, specialTokens, "<unk>", "metaspace", null, 2, 16, 1_000_000, 0.75, 2);
    }

    /** This config with another pre-tokenizer. */
    public Config withPreTokenizer(String name) {
      return new Config(
          vocabSize,
          specialTokens,
          unkToken,
          name,
          normalizer,
          minFrequency,
          maxPieceLength,
          seedSize,
          shrinkingFactor,
          subIterations);
    }

    /** This config with another normalizer (null for none). */
    public Config withNormalizer(Normalizer n) {
      return new Config(
          vocabSize,
          specialTokens,
          unkToken,
          preTokenizer,
          n,
          minFrequency,
          maxPieceLength,
          seedSize,
          shrinkingFactor,
          subIterations);
    }
  }

  /**
   * One EM step, as {@link #history()} lists them.
   *
   * @param round the pruning round, from 1
   * @param iteration the step within the round, from 1
   * @param pieces the pieces the E step used (the unknown token not counted)
   * @param loss the E step's negative log-likelihood per word: −Σ count(w) log P(w) / Σ count(w),
   *     P(w) summed over all segmentations of w
   */
  public record EmStep(int round, int iteration, int pieces, double loss) {}

  private final Config config;
  private final Progress progress;
  private final PreTokenizer pre;
  private final WordCounts counts;
  private final List<EmStep> history = new ArrayList<>();

  /** A trainer with {@code config}, reporting to {@code progress}. */
  public UnigramTrainer(Config config, Progress progress) {
    this.config = config;
    this.progress = progress;
    this.pre = preTokenizer(config.preTokenizer());
    this.counts = new WordCounts(config.normalizer(), pre);
  }

  /**
   * The pre-tokenizer called {@code name} (see {@link #PRE_TOKENIZERS}): SentencePiece's Metaspace,
   * or the named one followed by a Metaspace that marks each word's start.
   */
  public static PreTokenizer preTokenizer(String name) {
    Metaspace marker = new Metaspace(META, "always", false);
    switch (name) {
      case "metaspace":
        return new Metaspace(META, "always", true);
      case "bert":
        return new PreTokenizerSequence(List.of(CharSplit.bert(), marker));
      default:
        if (!LucenePreTokenizer.NAMES.contains(name)) {
          throw new IllegalArgumentException(
              "preTokenizer '"
                  + name
                  + "' is unknown; available: "
                  + String.join(", ", PRE_TOKENIZERS));
        }
        return new PreTokenizerSequence(List.of(new LucenePreTokenizer(name), marker));
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

  /** The EM steps of the last training, in order: the loss of each E step. */
  public List<EmStep> history() {
    return Collections.unmodifiableList(history);
  }

  private Tokenizer finish() {
    history.clear();
    String[] words = counts.sortedWords();
    long[] freq = counts.countsOf(words);
    if (words.length == 0) {
      throw new IllegalArgumentException(
          "nothing to train on: the corpus has no words after pre-tokenization");
    }
    List<String> specials = new ArrayList<>();
    if (!config.specialTokens().contains(config.unkToken())) {
      specials.add(config.unkToken());
    }
    specials.addAll(config.specialTokens());
    int room = config.vocabSize() - specials.size();

    long t0 = System.nanoTime();
    SeedPieces.Seed seed =
        SeedPieces.of(
            words, freq, config.maxPieceLength(), config.seedSize(), config.minFrequency());
    progress.report("seed", seed.pieces().size(), -1, rate(seed.pieces().size(), t0));
    if (seed.chars() > room) {
      throw new IllegalArgumentException(
          "vocabSize "
              + config.vocabSize()
              + " is too small: the corpus has "
              + seed.chars()
              + " distinct chars and every one must be a piece, but "
              + specials.size()
              + " special tokens leave room for "
              + room
              + "; use a vocabSize of at least "
              + (seed.chars() + specials.size()));
    }

    // The model being trained: id 0 is the unknown token (never matched), then the seed.
    List<String> seedPieces = new ArrayList<>(seed.pieces().size() + 1);
    seedPieces.add(null);
    seedPieces.addAll(seed.pieces());
    double[] seedScores = new double[seedPieces.size()];
    System.arraycopy(seed.scores(), 0, seedScores, 1, seed.scores().length);
    Scored model = new Scored(seedPieces, seedScores);

    char[][] text = new char[words.length][];
    for (int w = 0; w < words.length; w++) {
      text[w] = words[w].toCharArray();
    }
    // Rounds shrink the pieces by the shrinking factor until 1.1 x the vocabulary size.
    long desired = config.vocabSize() * 11L / 10;
    int expectedSteps =
        config.subIterations()
            * (1
                + (int)
                    Math.max(
                        0,
                        Math.log((double) desired / model.size())
                            / Math.log(config.shrinkingFactor())));
    int steps = 0;
    t0 = System.nanoTime();
    for (int round = 1; ; round++) {
      for (int it = 1; it <= config.subIterations(); it++) {
        double[] expected = new double[model.size()];
        double loss =
            eStep(new Lattice.Pieces(model.pieces(), model.scores()), text, freq, expected);
        history.add(new EmStep(round, it, model.size() - 1, loss));
        model = mStep(model, expected);
        steps++;
        progress.report("em", steps, Math.max(steps, expectedSteps), rate(steps, t0));
      }
      if (model.size() <= desired) {
        break;
      }
      int before = model.size();
      model =
          model.keep(
              prune(new Lattice.Pieces(model.pieces(), model.scores()), text, freq, desired));
      if (model.size() >= before) {
        break; // nothing left to prune: every piece is a char or has no alternative
      }
    }
    return build(specials, finalPieces(model, seed, room, specials));
  }

  /** Pieces and their log-probabilities; id 0 is the unknown token (null, never matched). */
  private record Scored(List<String> pieces, double[] scores) {
    int size() {
      return pieces.size();
    }

    /** The pieces {@code ids}, in that order. */
    Scored keep(int[] ids) {
      List<String> p = new ArrayList<>(ids.length);
      double[] s = new double[ids.length];
      for (int k = 0; k < ids.length; k++) {
        p.add(pieces.get(ids[k]));
        s[k] = scores[ids[k]];
      }
      return new Scored(p, s);
    }
  }

  /**
   * The M step, SentencePiece's Bayesian (variational) EM: a piece expected c times out of C in all
   * scores digamma(c) − digamma(C), which discounts rare pieces more than log(c / C) would; pieces
   * expected fewer than 0.5 times are dropped.
   */
  private static Scored mStep(Scored model, double[] expected) {
    List<String> kept = new ArrayList<>(model.size());
    kept.add(null);
    double total = 0;
    for (int i = 1; i < model.size(); i++) {
      if (expected[i] >= EXPECTED_COUNT_THRESHOLD) {
        kept.add(model.pieces().get(i));
        total += expected[i];
      }
    }
    double[] scores = new double[kept.size()];
    double logTotal = digamma(total);
    for (int i = 1, k = 1; i < model.size(); i++) {
      if (expected[i] >= EXPECTED_COUNT_THRESHOLD) {
        scores[k++] = digamma(expected[i]) - logTotal;
      }
    }
    return new Scored(kept, scores);
  }

  /**
   * The E step: adds each piece's expected count over the corpus into {@code expected} and returns
   * the negative log-likelihood per word.
   */
  private static double eStep(
      Lattice.Pieces model, char[][] words, long[] freq, double[] expected) {
    int chunks = chunks(words.length, model.pieces.size());
    double[][] partial = new double[chunks][];
    double[] logLikelihood = new double[chunks];
    IntStream.range(0, chunks)
        .parallel()
        .forEach(
            c -> {
              double[] e = new double[model.pieces.size()];
              Lattice lattice = new Lattice();
              double ll = 0;
              for (int w = from(c, chunks, words.length);
                  w < from(c + 1, chunks, words.length);
                  w++) {
                lattice.build(words[w], model, -1);
                double z = lattice.marginals(freq[w], e);
                if (Double.isNaN(z) || Double.isInfinite(z)) {
                  throw new IllegalStateException(
                      "unigram trainer: the likelihood of word '"
                          + new String(words[w])
                          + "' is "
                          + z);
                }
                ll += freq[w] * z;
              }
              partial[c] = e;
              logLikelihood[c] = ll;
            });
    double ll = 0;
    long total = 0;
    for (int c = 0; c < chunks; c++) {
      ll += logLikelihood[c];
      double[] e = partial[c];
      for (int i = 0; i < expected.length; i++) {
        expected[i] += e[i];
      }
    }
    for (long f : freq) {
      total += f;
    }
    return -ll / total;
  }

  /**
   * The ids of the pieces to keep, in order: the unknown token, the pieces that cannot go (chars,
   * pieces without an alternative), then the others by how much likelihood removing them costs,
   * until {@code max(desired, shrinkingFactor × pieces)}.
   */
  private int[] prune(Lattice.Pieces model, char[][] words, long[] freq, long desired) {
    int v = model.pieces.size();
    // The second-best segmentation of each piece: what replaces it if it goes.
    boolean[] alwaysKeep = new boolean[v];
    int[][] alternatives = new int[v][];
    int pieceChunks = (v + 4095) / 4096;
    IntStream.range(0, pieceChunks)
        .parallel()
        .forEach(
            c -> {
              Lattice lattice = new Lattice();
              for (int id = Math.max(1, c * 4096); id < Math.min(v, (c + 1) * 4096); id++) {
                String p = model.pieces.get(id);
                if (p.codePointCount(0, p.length()) == 1) {
                  alwaysKeep[id] = true; // a char has no other segmentation
                  continue;
                }
                lattice.build(p.toCharArray(), model, id);
                int count = lattice.viterbi();
                if (count == 0) {
                  alwaysKeep[id] = true;
                } else if (lattice.bestScore() > model.scores[id]) {
                  alwaysKeep[id] = false; // its own best segmentation is not itself
                } else {
                  alwaysKeep[id] = true;
                  int[] alt = new int[count];
                  for (int k = 0; k < count; k++) {
                    alt[k] = lattice.pathId(k);
                  }
                  alternatives[id] = alt;
                }
              }
            });
    // How often each piece is in the best segmentation of the corpus.
    int chunks = chunks(words.length, v);
    long[][] partial = new long[chunks][];
    IntStream.range(0, chunks)
        .parallel()
        .forEach(
            c -> {
              long[] f = new long[v];
              Lattice lattice = new Lattice();
              for (int w = from(c, chunks, words.length);
                  w < from(c + 1, chunks, words.length);
                  w++) {
                lattice.build(words[w], model, -1);
                int count = lattice.viterbi();
                for (int k = 0; k < count; k++) {
                  f[lattice.pathId(k)] += freq[w];
                }
              }
              partial[c] = f;
            });
    long[] used = new long[v];
    for (long[] f : partial) {
      for (int i = 0; i < v; i++) {
        used[i] += f[i];
      }
    }
    long words1 = 0;
    for (long f : freq) {
      words1 += f;
    }
    double sum = 0;
    for (long u : used) {
      sum += u;
    }
    double logSum = Math.log(sum);
    List<Integer> keep = new ArrayList<>();
    keep.add(0);
    List<Integer> candidates = new ArrayList<>();
    double[] loss = new double[v];
    for (int id = 1; id < v; id++) {
      if (used[id] == 0 && !alwaysKeep[id]) {
        continue; // in no best segmentation, and it has a better one itself
      } else if (alternatives[id] == null) {
        keep.add(id);
      } else if (used[id] > 0) {
        // If the piece went, its uses would become its alternative's pieces (an approximation:
        // other segmentations could be better).
        double share = used[id] / (double) words1;
        double logProb = Math.log(used[id]) - logSum;
        double logSumAlt = Math.log(sum + used[id] * (double) (alternatives[id].length - 1));
        double logProbAlt = 0;
        for (int a : alternatives[id]) {
          logProbAlt += Math.log(used[a] + (double) used[id]) - logSumAlt;
        }
        loss[id] = share * (logProb - logProbAlt);
        candidates.add(id);
      }
      // else: in no best segmentation, nothing says what it is worth: it goes (as Hugging Face).
    }
    candidates.sort(
        Comparator.comparingDouble((Integer id) -> -loss[id]).thenComparingInt(id -> id));
    long target = Math.max(desired, (long) (v * config.shrinkingFactor()));
    for (int id : candidates) {
      if (keep.size() >= target) {
        break;
      }
      keep.add(id);
    }
    int[] out = new int[keep.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = keep.get(i);
    }
    return out;
  }

  /**
   * The learned vocabulary, specials not included, sorted by score (ties by the piece): every char
   * of the corpus (those the M steps dropped just below the lowest score, the frequent first), then
   * the best-scored pieces until {@code room}.
   */
  private static List<Map.Entry<String, Double>> finalPieces(
      Scored trained, SeedPieces.Seed seed, int room, List<String> specials) {
    List<String> pieces = trained.pieces();
    double[] scores = trained.scores();
    Map<String, Double> learned = new HashMap<>();
    double min = Double.POSITIVE_INFINITY;
    for (int i = 1; i < pieces.size(); i++) {
      learned.put(pieces.get(i), scores[i]);
      min = Math.min(min, scores[i]);
    }
    if (min == Double.POSITIVE_INFINITY) {
      min = 0;
    }
    Set<String> taken = new HashSet<>(specials);
    List<Map.Entry<String, Double>> out = new ArrayList<>();
    int dropped = 0;
    for (int i = 0; i < seed.chars(); i++) {
      String c = seed.pieces().get(i);
      if (taken.add(c)) {
        Double s = learned.get(c);
        out.add(Map.entry(c, s != null ? s : min - REQUIRED_CHAR_PENALTY * ++dropped));
      }
    }
    Integer[] order = new Integer[pieces.size() - 1];
    for (int i = 0; i < order.length; i++) {
      order[i] = i + 1;
    }
    Arrays.sort(
        order, Comparator.comparingDouble((Integer i) -> -scores[i]).thenComparing(pieces::get));
    for (int i : order) {
      if (out.size() >= room) {
        break;
      }
      if (taken.add(pieces.get(i))) {
        out.add(Map.entry(pieces.get(i), scores[i]));
      }
    }
    out.sort(
        Comparator.comparingDouble((Map.Entry<String, Double> e) -> -e.getValue())
            .thenComparing(Map.Entry::getKey));
    return out;
  }

  private Tokenizer build(List<String> specials, List<Map.Entry<String, Double>> learned) {
    List<String> vocab = new ArrayList<>(specials.size() + learned.size());
    float[] scores = new float[specials.size() + learned.size()];
    vocab.addAll(specials); // score 0, as Hugging Face gives them
    for (Map.Entry<String, Double> e : learned) {
      scores[vocab.size()] = (float) (double) e.getValue();
      vocab.add(e.getKey());
    }
    int unkId = vocab.indexOf(config.unkToken());
    boolean split = config.preTokenizer().equals("metaspace");
    Tokenizer.Builder b =
        Tokenizer.builder(new Unigram(vocab, scores, unkId, false))
            .normalizer(config.normalizer())
            .preTokenizer(pre)
            .decoder(new MetaspaceDecoder(META, "always", split));
    for (int i = 0; i < specials.size(); i++) {
      b.addedToken(AddedToken.special(i, specials.get(i)));
    }
    return b.build();
  }

  /** Chunks of words processed in parallel: fixed by the sizes alone, so sums never reorder. */
  private static int chunks(int words, int pieces) {
    // Each chunk holds a partial sum per piece: at most about 64 MB of them.
    int byMemory = (int) Math.max(1, (8L << 20) / Math.max(1, pieces));
    return Math.max(1, Math.min(Math.min(32, byMemory), (words + 1023) / 1024));
  }

  private static int from(int chunk, int chunks, int words) {
    return (int) ((long) words * chunk / chunks);
  }

  private static double rate(long done, long t0) {
    return done / Math.max(1e-9, (System.nanoTime() - t0) / 1e9);
  }

  /**
   * The digamma function ψ(x) = d/dx ln Γ(x), for x > 0: the recurrence ψ(x) = ψ(x + 1) − 1/x up to
   * x ≥ 10, then the asymptotic series ln x − 1/(2x) − Σ B₂ₖ/(2k x²ᵏ) to k = 5, whose next term
   * (691/(32760 x¹²) ≤ 2e-14) bounds the error.
   */
  static double digamma(double x) {
    double r = 0;
    while (x < 10) {
      r -= 1 / x;
      x += 1;
    }
    double f = 1 / (x * x);
    double series =
        f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f * (1.0 / 132)))));
    return r + Math.log(x) - 0.5 / x - series;
  }
}
