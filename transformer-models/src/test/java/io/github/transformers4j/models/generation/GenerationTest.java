package io.github.transformers4j.models.generation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.models.TestSupport;
import io.github.transformers4j.models.gpt.Gpt2Config;
import io.github.transformers4j.models.gpt.Gpt2Model;
import io.github.transformers4j.models.layers.NormPlacement;
import io.github.transformers4j.models.seq2seq.EncoderDecoderConfig;
import io.github.transformers4j.models.seq2seq.EncoderDecoderModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Generation on small random models (seeded): the KV cache against recomputing everything at
 * every step, causality, the sampling controls, stop tokens and lengths, streaming, beam search
 * against exhaustive search, and the encoder-decoder's cached cross-attention.
 */
class GenerationTest {
  /** Cache vs recompute: the same float ops in another grouping, so a few ulps of the logits. */
  private static final double CACHE_TOLERANCE = 1e-5;

  private static ComputeBackend backend;
  private static Ops ops;
  private static Gpt2Model gpt;

  @BeforeAll
  static void build() {
    backend = TestSupport.cpu(1);
    ops = new Ops(backend);
    // Larger init than GPT-2's 0.02 so that logits are spread and argmax ties do not occur.
    Gpt2Config c =
        new Gpt2Config(97, 64, 32, 3, 4, 64, io.github.transformers4j.api.Activation.GELU_TANH,
            1e-5f, 0.1f, 0.1f, 0.1f, 0.3, "sdpa", 42L);
    gpt = new Gpt2Model(ops, c);
  }

  @AfterAll
  static void close() {
    backend.close();
  }

  private static final int[][] PROMPTS = {{5, 17, 3, 88, 41, 9, 60}, {12}, {7, 7, 30, 2}};

  /** Generates with and without cache; returns the max logit difference over all steps. */
  private static double compareCacheWithRecompute(
      java.util.function.Supplier<DecodingSession> sessions, int[][] prompts, GenerationConfig g) {
    List<float[]> cached = new ArrayList<>();
    List<float[]> recomputed = new ArrayList<>();
    int[][] a = new Generator(sessions, true).generate(prompts, g, logitsInto(cached));
    int[][] b = new Generator(sessions, false).generate(prompts, g, logitsInto(recomputed));
    for (int i = 0; i < a.length; i++) {
      assertArrayEquals(b[i], a[i], "row " + i + ": cached tokens differ from recomputed ones");
    }
    assertEquals(recomputed.size(), cached.size(), "steps");
    double worst = 0;
    for (int s = 0; s < cached.size(); s++) {
      worst = Math.max(worst, TestSupport.maxAbsDiff(recomputed.get(s), cached.get(s)));
    }
    assertTrue(worst <= CACHE_TOLERANCE, "cached vs recomputed logits differ by " + worst);
    return worst;
  }

  private static GenerationListener logitsInto(List<float[]> sink) {
    return new GenerationListener() {
      @Override
      public void onLogits(int step, float[] logits) {
        sink.add(logits);
      }
    };
  }

  @Test
  void cachedGreedyEqualsRecomputingEveryStepOnALeftPaddedBatch() {
    double d = compareCacheWithRecompute(gpt::session, PROMPTS, GenerationConfig.greedy(20));
    System.out.printf("[GenerationTest] gpt2 greedy, cache vs recompute: max |logit diff| %.3g%n", d);
  }

  @Test
  void cachedSamplingEqualsRecomputingEveryStep() {
    GenerationConfig g =
        GenerationConfig.sampling(20, 7L).withTemperature(0.8f).withTopK(20).withTopP(0.9f)
            .withRepetitionPenalty(1.3f);
    double d = compareCacheWithRecompute(gpt::session, PROMPTS, g);
    System.out.printf("[GenerationTest] gpt2 sampling, cache vs recompute: max |logit diff| %.3g%n", d);
  }

  @Test
  void aBatchRowComputesWhatItWouldAlone() {
    int[][] batch = new Generator(gpt::session).generate(PROMPTS, GenerationConfig.greedy(12));
    for (int i = 0; i < PROMPTS.length; i++) {
      int[] alone = new Generator(gpt::session).generate(PROMPTS[i], GenerationConfig.greedy(12));
      assertArrayEquals(alone, batch[i], "row " + i + " with left padding vs alone");
    }
  }

  @Test
  void noPositionSeesTheFuture() {
    int[] ids = {3, 14, 15, 92, 65, 35, 89, 79, 32, 38};
    int v = gpt.config().vocabSize();
    float[] base = gpt.logits(ids).toFloatArray();
    for (int changed = 1; changed < ids.length; changed++) {
      int[] perturbed = ids.clone();
      perturbed[changed] = (perturbed[changed] + 50) % v;
      float[] p = gpt.logits(perturbed).toFloatArray();
      // Positions before the change are bit-identical; the changed one must differ.
      float[] before = Arrays.copyOf(base, changed * v);
      assertArrayEquals(before, Arrays.copyOf(p, changed * v), "positions < " + changed + " moved");
      assertNotEquals(
          base[changed * v], p[changed * v], "the perturbed position itself should change");
    }
  }

  @Test
  void samplingIsReproducibleFromItsSeed() {
    Generator gen = new Generator(gpt::session);
    GenerationConfig g = GenerationConfig.sampling(15, 123L);
    assertArrayEquals(gen.generate(PROMPTS[0], g), gen.generate(PROMPTS[0], g));
    int[] other = gen.generate(PROMPTS[0], GenerationConfig.sampling(15, 124L));
    assertTrue(!Arrays.equals(gen.generate(PROMPTS[0], g), other), "seeds 123 and 124 agree");
  }

  @Test
  void topKOfOneAndTinyTopPAreGreedy() {
    Generator gen = new Generator(gpt::session);
    int[] greedy = gen.generate(PROMPTS[0], GenerationConfig.greedy(10));
    assertArrayEquals(greedy, gen.generate(PROMPTS[0], GenerationConfig.sampling(10, 1L).withTopK(1)));
    assertArrayEquals(greedy, gen.generate(PROMPTS[0], GenerationConfig.sampling(10, 2L).withTopP(1e-6f)));
  }

  @Test
  void aVocabularyLimitKeepsEveryGeneratedIdBelowIt() {
    Generator gen = new Generator(gpt::session);
    int limit = 10;
    int[] prompt = PROMPTS[0];
    int[] free = gen.generate(prompt, GenerationConfig.sampling(40, 5L));
    assertTrue(Arrays.stream(free, prompt.length, free.length).anyMatch(t -> t >= limit),
        "without a limit some of 40 samples over 97 ids reach " + limit);
    for (GenerationConfig g :
        new GenerationConfig[] {
          GenerationConfig.sampling(40, 5L), GenerationConfig.greedy(40), GenerationConfig.beams(10, 3)
        }) {
      int[] out = gen.generate(prompt, g.withVocabularyLimit(limit));
      for (int i = prompt.length; i < out.length; i++) {
        assertTrue(out[i] < limit, "generated id " + out[i] + " at " + i + " with limit " + limit);
      }
    }
  }

  @Test
  void repetitionPenaltyReducesRepeats() {
    Generator gen = new Generator(gpt::session);
    int[] plain = gen.generate(PROMPTS[1], GenerationConfig.greedy(30));
    int[] penalized =
        gen.generate(PROMPTS[1], GenerationConfig.greedy(30).withRepetitionPenalty(5f));
    assertTrue(
        distinct(penalized) > distinct(plain),
        "distinct tokens: penalized " + distinct(penalized) + " vs plain " + distinct(plain));
  }

  private static long distinct(int[] a) {
    return Arrays.stream(a).distinct().count();
  }

  @Test
  void stopTokensAndMaxLengthEndRowsAndTheListenerStreamsEveryToken() {
    Generator gen = new Generator(gpt::session);
    int[][] free = gen.generate(PROMPTS, GenerationConfig.greedy(15));
    // Stop each row at the 4th token it would produce; other rows keep going.
    int stop = free[0][PROMPTS[0].length + 3];
    List<List<Integer>> streamed = new ArrayList<>();
    for (int i = 0; i < PROMPTS.length; i++) {
      streamed.add(new ArrayList<>());
    }
    int[][] stopped =
        gen.generate(
            PROMPTS,
            GenerationConfig.greedy(15).withStopTokens(stop),
            new GenerationListener() {
              @Override
              public void onToken(int row, int token) {
                streamed.get(row).add(token);
              }
            });
    int[] expected0 = Arrays.copyOf(free[0], indexOf(free[0], stop, PROMPTS[0].length) + 1);
    assertArrayEquals(expected0, stopped[0], "row 0 ends with its stop token");
    for (int i = 0; i < PROMPTS.length; i++) {
      int[] gen1 = Arrays.copyOfRange(stopped[i], PROMPTS[i].length, stopped[i].length);
      assertArrayEquals(gen1, streamed.get(i).stream().mapToInt(Integer::intValue).toArray(),
          "streamed tokens of row " + i);
    }
    int[] capped = gen.generate(PROMPTS[0], GenerationConfig.greedy(15).withMaxLength(9));
    assertArrayEquals(Arrays.copyOf(free[0], 9), capped, "max_length 9 counts the prompt");
  }

  private static int indexOf(int[] a, int x, int from) {
    for (int i = from; i < a.length; i++) {
      if (a[i] == x) {
        return i;
      }
    }
    return -1;
  }

  @Test
  void beamSearchWithEnoughBeamsFindsTheMostLikelySequence() {
    // With nb ≥ V^(steps−1) beams no prefix is ever pruned, so beam search is exhaustive.
    Gpt2Config c =
        new Gpt2Config(4, 16, 16, 2, 2, 32, io.github.transformers4j.api.Activation.GELU_TANH,
            1e-5f, 0f, 0f, 0f, 0.5, "sdpa", 3L);
    Gpt2Model small = new Gpt2Model(ops, c);
    int[] prompt = {1, 2};
    int steps = 3;
    double best = Double.NEGATIVE_INFINITY;
    int[] bestSeq = null;
    for (int s = 0; s < 64; s++) {
      int[] seq = {prompt[0], prompt[1], s / 16, (s / 4) % 4, s % 4};
      double lp = logProb(small, seq, prompt.length);
      if (lp > best) {
        best = lp;
        bestSeq = seq;
      }
    }
    int[] beam =
        new Generator(small::session)
            .generate(prompt, GenerationConfig.beams(steps, 16).withLengthPenalty(0f));
    assertArrayEquals(bestSeq, beam, "beam search vs exhaustive search");
    int[] greedy = new Generator(small::session).generate(prompt, GenerationConfig.greedy(steps));
    assertTrue(logProb(small, beam, 2) >= logProb(small, greedy, 2) - 1e-9);
    // One beam is greedy decoding.
    assertArrayEquals(greedy, new Generator(small::session).generate(prompt, GenerationConfig.beams(steps, 1)));
  }

  /** Σ log p(seq[t] | seq[<t]) over the generated positions, from the uncached full forward. */
  private static double logProb(Gpt2Model m, int[] seq, int from) {
    int v = m.config().vocabSize();
    float[] lp = m.head().logProbabilities(m.logits(seq)).toFloatArray();
    double sum = 0;
    for (int t = from; t < seq.length; t++) {
      sum += lp[(t - 1) * v + seq[t]];
    }
    return sum;
  }

  @Test
  void beamSearchStopsAtStopTokensAndPrefersLongerWithLengthPenalty() {
    Generator gen = new Generator(gpt::session);
    int[] free = gen.generate(PROMPTS[0], GenerationConfig.beams(10, 3));
    assertEquals(PROMPTS[0].length + 10, free.length);
    int stop = free[PROMPTS[0].length + 2];
    int[] stopped = gen.generate(PROMPTS[0], GenerationConfig.beams(10, 3).withStopTokens(stop));
    assertTrue(stopped.length <= free.length);
    for (int i = PROMPTS[0].length; i < stopped.length - 1; i++) {
      assertNotEquals(stop, stopped[i], "a stop token inside the result");
    }
    int[][] batch = gen.generate(PROMPTS, GenerationConfig.beams(6, 3));
    for (int i = 0; i < PROMPTS.length; i++) {
      assertArrayEquals(gen.generate(PROMPTS[i], GenerationConfig.beams(6, 3)), batch[i],
          "beam row " + i + " in a padded batch vs alone");
    }
  }

  @Test
  void encoderDecoderCachesSelfAndCrossAttention() {
    for (EncoderDecoderConfig.Positions p : EncoderDecoderConfig.Positions.values()) {
      EncoderDecoderConfig c =
          new EncoderDecoderConfig(61, 32, 4, 64, 2, 2, 64,
              io.github.transformers4j.api.Activation.RELU, p,
              p == EncoderDecoderConfig.Positions.ROTARY ? NormPlacement.PRE : NormPlacement.POST,
              true, 0.1f, 0.1f, 1e-5f, 0.3, 1, "sdpa", 9L);
      EncoderDecoderModel m = new EncoderDecoderModel(ops, c);
      // Two sources of different lengths (8 and 2 tokens), right-padded with 0 and masked.
      int[] src = {4, 8, 15, 16, 23, 42, 9, 33, 12, 5, 0, 0, 0, 0, 0, 0};
      int[] srcMask = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0};
      int[][] start = {{1}, {1}};
      double d =
          compareCacheWithRecompute(() -> m.session(src, 2, srcMask), start, GenerationConfig.greedy(12));
      System.out.printf(
          "[GenerationTest] encoder-decoder (%s), cache vs recompute: max |logit diff| %.3g%n", p, d);
      int[][] both = new Generator(() -> m.session(src, 2, srcMask)).generate(start, GenerationConfig.greedy(8));
      int[] alone =
          new Generator(() -> m.session(new int[] {12, 5}, 1, null))
              .generate(new int[] {1}, GenerationConfig.greedy(8));
      assertArrayEquals(alone, both[1], "padded source row vs alone (" + p + ")");
      int[][] beams =
          new Generator(() -> m.session(src, 2, srcMask)).generate(start, GenerationConfig.beams(6, 3));
      int[] beamAlone =
          new Generator(() -> m.session(new int[] {12, 5}, 1, null))
              .generate(new int[] {1}, GenerationConfig.beams(6, 3));
      assertArrayEquals(beamAlone, beams[1], "beam search over a padded source row vs alone (" + p + ")");
    }
  }

  @Test
  void badConfigurationsNameTheField() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> GenerationConfig.greedy(5).withTopP(0f));
    assertTrue(e.getMessage().contains("top_p"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> GenerationConfig.greedy(5).withTemperature(0f));
    assertTrue(e.getMessage().contains("temperature"), e.getMessage());
  }
}
