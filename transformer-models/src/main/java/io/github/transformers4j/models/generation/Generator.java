package io.github.transformers4j.models.generation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * Autoregressive generation over any {@link DecodingSession}: greedy, sampling (temperature, top-k,
 * top-p, repetition penalty, seeded), beam search with length penalty; stop tokens, maximum
 * lengths, a listener that streams tokens; batches of prompts of different lengths.
 *
 * <p>A batch is left-padded to its longest prompt: the padding is masked out of attention and each
 * row's positions start at 0 at its first real token, so a row computes what it would alone. With
 * the cache (the default) the prompt is fed once and then one token per step; without it, every
 * step feeds the whole sequence to a fresh session, the slow reference the cache is tested
 * against.
 *
 * <p>Thread safety: holds no state between calls (each call opens its own sessions), so one
 * instance may be shared by any number of threads when the model behind its sessions may be (see
 * the model's class).
 */
public final class Generator {
  private final Supplier<DecodingSession> sessions;
  private final boolean useCache;

  /** A generator with the KV cache. */
  public Generator(Supplier<DecodingSession> sessions) {
    this(sessions, true);
  }

  /** A generator that uses the cache, or recomputes the whole sequence at every step. */
  public Generator(Supplier<DecodingSession> sessions, boolean useCache) {
    this.sessions = Objects.requireNonNull(sessions, "sessions");
    this.useCache = useCache;
  }

  /** The prompt followed by its continuation. */
  public int[] generate(int[] prompt, GenerationConfig config) {
    return generate(new int[][] {prompt}, config, GenerationListener.NONE)[0];
  }

  /** Each prompt followed by its continuation. */
  public int[][] generate(int[][] prompts, GenerationConfig config) {
    return generate(prompts, config, GenerationListener.NONE);
  }

  /**
   * Each prompt followed by its continuation (ending with a stop token when one was produced),
   * with {@code listener} told of every token as it is chosen.
   */
  public int[][] generate(int[][] prompts, GenerationConfig config, GenerationListener listener) {
    if (prompts.length == 0) {
      throw new IllegalArgumentException("no prompts");
    }
    for (int i = 0; i < prompts.length; i++) {
      if (prompts[i] == null || prompts[i].length == 0) {
        throw new IllegalArgumentException("prompt " + i + " is empty; a decoder needs a first token");
      }
    }
    return config.numBeams() > 1
        ? beamSearch(prompts, config, listener)
        : sample(prompts, config, listener);
  }

  /** The rows of a batch: tokens so far, left padding, and how to feed them to a session. */
  private final class Batch {
    int rows;
    int[] pad;
    final List<List<Integer>> tokens = new ArrayList<>();
    final boolean padded;
    final int padToken;
    DecodingSession session;

    Batch(int[][] prompts, int[] rowToPrompt, int padToken) {
      this.rows = rowToPrompt.length;
      this.padToken = padToken;
      int longest = 0;
      for (int[] p : prompts) {
        longest = Math.max(longest, p.length);
      }
      pad = new int[rows];
      boolean any = false;
      for (int r = 0; r < rows; r++) {
        int[] p = prompts[rowToPrompt[r]];
        pad[r] = longest - p.length;
        any |= pad[r] > 0;
        List<Integer> t = new ArrayList<>();
        for (int x : p) {
          t.add(x);
        }
        tokens.add(t);
      }
      padded = any;
    }

    int width() {
      return pad[0] + tokens.get(0).size();
    }

    /** Feeds every column to a fresh session: the prompt, or the whole sequence without cache. */
    float[] feedAll() {
      session = sessions.get();
      int w = width();
      int[] ids = new int[rows * w];
      int[] pos = new int[rows * w];
      int[] keep = new int[rows * w];
      for (int r = 0; r < rows; r++) {
        for (int c = 0; c < w; c++) {
          int i = r * w + c;
          boolean real = c >= pad[r];
          ids[i] = real ? tokens.get(r).get(c - pad[r]) : padToken;
          pos[i] = real ? c - pad[r] : 0;
          keep[i] = real ? 1 : 0;
        }
      }
      return session.step(ids, pos, rows, padded ? keep : null).toFloatArray();
    }

    /** Feeds each row's last token to the cached session. */
    float[] feedLast() {
      if (!useCache) {
        return feedAll();
      }
      int w = width();
      int[] ids = new int[rows];
      int[] pos = new int[rows];
      for (int r = 0; r < rows; r++) {
        List<Integer> t = tokens.get(r);
        ids[r] = t.get(t.size() - 1);
        pos[r] = t.size() - 1;
      }
      int[] keep = null;
      if (padded) {
        keep = new int[rows * w];
        for (int r = 0; r < rows; r++) {
          for (int c = pad[r]; c < w; c++) {
            keep[r * w + c] = 1;
          }
        }
      }
      return session.step(ids, pos, rows, keep).toFloatArray();
    }

    /** Keeps rows {@code origin} (beam reordering) in the token lists and the cache. */
    void select(int[] origin) {
      List<List<Integer>> copy = new ArrayList<>();
      for (int o : origin) {
        copy.add(new ArrayList<>(tokens.get(o)));
      }
      tokens.clear();
      tokens.addAll(copy);
      int[] newPad = new int[origin.length];
      for (int r = 0; r < origin.length; r++) {
        newPad[r] = pad[origin[r]];
      }
      pad = newPad;
      rows = origin.length;
      if (useCache) {
        session.selectRows(origin);
      }
    }
  }

  private int budget(int promptLength, GenerationConfig c) {
    int n = c.maxNewTokens();
    if (c.maxLength() > 0) {
      n = Math.min(n, c.maxLength() - promptLength);
    }
    return Math.max(0, n);
  }

  private int[][] sample(int[][] prompts, GenerationConfig c, GenerationListener listener) {
    int b = prompts.length;
    int[] identity = new int[b];
    Arrays.setAll(identity, i -> i);
    Batch batch = new Batch(prompts, identity, c.padTokenId());
    int[] left = new int[b];
    boolean[] done = new boolean[b];
    boolean allDone = true;
    for (int r = 0; r < b; r++) {
      left[r] = budget(prompts[r].length, c);
      done[r] = left[r] == 0;
      allDone &= done[r];
    }
    SplittableRandom rng = new SplittableRandom(c.seed());
    float[] logits = allDone ? null : batch.feedAll();
    int step = 0;
    while (!allDone) {
      int v = logits.length / b;
      listener.onLogits(step, logits.clone());
      allDone = true;
      for (int r = 0; r < b; r++) {
        List<Integer> row = batch.tokens.get(r);
        if (done[r]) {
          // A stopped row keeps step with the batch on padding that no live row attends to.
          row.add(c.padTokenId());
          continue;
        }
        LogitsProcessing.process(logits, r * v, v, row, prompts[r].length, left[r], c);
        int next =
            c.doSample()
                ? LogitsProcessing.sample(logits, r * v, v, c.temperature(), c.topK(), c.topP(), rng)
                : LogitsProcessing.argmax(logits, r * v, v);
        row.add(next);
        listener.onToken(r, next);
        done[r] = --left[r] == 0 || c.isStop(next);
        allDone &= done[r];
      }
      step++;
      if (!allDone) {
        logits = batch.feedLast();
      }
    }
    int[][] out = new int[b][];
    for (int r = 0; r < b; r++) {
      out[r] = trim(batch.tokens.get(r), prompts[r].length, c);
    }
    return out;
  }

  /** The prompt and the generated tokens up to and including the first stop token. */
  private static int[] trim(List<Integer> row, int promptLength, GenerationConfig c) {
    int end = row.size();
    for (int i = promptLength; i < row.size(); i++) {
      if (c.isStop(row.get(i))) {
        end = i + 1;
        break;
      }
    }
    // Rows that stopped early were extended with padding while others ran.
    int[] r = new int[end];
    for (int i = 0; i < end; i++) {
      r[i] = row.get(i);
    }
    return r;
  }

  /** Hugging Face's "minus infinity" of beam scores: finite, so sums stay ordered. */
  private static final float NEG = -1.0e9f;

  /**
   * Beam search as Hugging Face's {@code _beam_search} (transformers 5.x) computes it, in float32
   * like PyTorch: each step takes the best {@code max(2, 1 + stop tokens) · beams} continuations
   * over all beams of a prompt (log-softmax, then the logits processors, plus the beam's score);
   * those that end (a stop token, or the last token of the budget) and rank among the first
   * {@code beams} become finished hypotheses scored {@code sum / generated^lengthPenalty}, kept
   * as the best {@code beams} seen; the best {@code beams} that do not end run on. A prompt stops
   * by {@link GenerationConfig.EarlyStopping}; the answer is the best finished hypothesis.
   */
  private int[][] beamSearch(int[][] prompts, GenerationConfig c, GenerationListener listener) {
    int b = prompts.length;
    int nb = c.numBeams();
    int rows = b * nb;
    int[] rowToPrompt = new int[rows];
    Arrays.setAll(rowToPrompt, r -> r / nb);
    int[] identity = new int[b];
    Arrays.setAll(identity, i -> i);
    // The prompts are fed once per prompt, then the cache is widened to the beams.
    Batch batch = new Batch(prompts, identity, c.padTokenId());
    int[] maxNew = new int[b];
    for (int p = 0; p < b; p++) {
      maxNew[p] = budget(prompts[p].length, c);
    }
    int steps = Arrays.stream(maxNew).max().orElse(0);
    if (steps == 0) {
      return Arrays.stream(prompts).map(int[]::clone).toArray(int[][]::new);
    }
    float[] first = batch.feedAll();
    int v = first.length / b;
    batch.select(rowToPrompt);
    float[] logits = new float[rows * v];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(first, rowToPrompt[r] * v, logits, r * v, v);
    }
    int keep = Math.max(2, 1 + c.stopTokens().length) * nb;
    float[] running = new float[rows];
    for (int r = 0; r < rows; r++) {
      // Only the first beam is live at the start, so the first step picks distinct tokens.
      running[r] = r % nb == 0 ? 0f : NEG;
    }
    float[][] slotScore = new float[b][nb];
    int[][][] slotTokens = new int[b][nb][];
    boolean[][] slotFinished = new boolean[b][nb];
    boolean[] improvable = new boolean[b];
    boolean[] frozen = new boolean[b];
    for (int p = 0; p < b; p++) {
      Arrays.fill(slotScore[p], NEG);
      improvable[p] = true;
    }
    for (int step = 0; step < steps; step++) {
      listener.onLogits(step, logits.clone());
      int[] origin = new int[rows];
      int[] next = new int[rows];
      float[] newRunning = new float[rows];
      for (int p = 0; p < b; p++) {
        if (frozen[p]) {
          for (int j = 0; j < nb; j++) {
            origin[p * nb + j] = p * nb + j;
            next[p * nb + j] = c.padTokenId();
            newRunning[p * nb + j] = running[p * nb + j];
          }
          continue;
        }
        int left = maxNew[p] - step;
        float[] acc = new float[nb * v];
        for (int j = 0; j < nb; j++) {
          int r = p * nb + j;
          float[] lp = LogitsProcessing.logSoftmaxFloat(logits, r * v, v);
          LogitsProcessing.process(lp, 0, v, batch.tokens.get(r), prompts[p].length, left, c);
          for (int t = 0; t < v; t++) {
            acc[j * v + t] = lp[t] + running[r];
          }
        }
        int[] top = LogitsProcessing.topIndices(acc, keep);
        int k = top.length;
        boolean[] hits = new boolean[k];
        float[] runScore = new float[k];
        for (int i = 0; i < k; i++) {
          int token = top[i] % v;
          hits[i] = c.isStop(token) || left == 1;
          runScore[i] = acc[top[i]] + (hits[i] ? NEG : 0f);
        }
        // The beams that run on: the best continuations that did not end.
        int[] order = LogitsProcessing.topIndices(runScore, nb);
        for (int j = 0; j < nb; j++) {
          int i = order[j];
          origin[p * nb + j] = p * nb + top[i] / v;
          next[p * nb + j] = top[i] % v;
          newRunning[p * nb + j] = runScore[i];
        }
        // The finished hypotheses: merged with those kept so far, the best nb stay.
        boolean full = allTrue(slotFinished[p]);
        float lengthNorm = (float) Math.pow(step + 1, c.lengthPenalty());
        float[] mergedScore = new float[nb + k];
        boolean[] mergedFinished = new boolean[nb + k];
        int[][] mergedTokens = new int[nb + k][];
        for (int j = 0; j < nb; j++) {
          mergedScore[j] = slotScore[p][j];
          mergedFinished[j] = slotFinished[p][j];
          mergedTokens[j] = slotTokens[p][j];
        }
        for (int i = 0; i < k; i++) {
          boolean justFinished = hits[i] && i < nb;
          float f = acc[top[i]] / lengthNorm;
          if (full && c.earlyStopping() == GenerationConfig.EarlyStopping.TRUE) {
            f += NEG;
          }
          if (!improvable[p]) {
            f += NEG;
          }
          if (!justFinished) {
            f += NEG;
          }
          mergedScore[nb + i] = f;
          mergedFinished[nb + i] = justFinished;
          if (justFinished) {
            mergedTokens[nb + i] = append(batch.tokens.get(p * nb + top[i] / v), top[i] % v);
          }
        }
        int[] best = LogitsProcessing.topIndices(mergedScore, nb);
        for (int j = 0; j < nb; j++) {
          slotScore[p][j] = mergedScore[best[j]];
          slotFinished[p][j] = mergedFinished[best[j]];
          slotTokens[p][j] = mergedTokens[best[j]];
        }
        // Hugging Face's early-stop heuristic, then whether this prompt can change any more.
        int length =
            c.earlyStopping() == GenerationConfig.EarlyStopping.NEVER && c.lengthPenalty() > 0
                ? maxNew[p]
                : step + 1;
        float bestRunning = newRunning[p * nb] / (float) Math.pow(length, c.lengthPenalty());
        boolean allFinished = allTrue(slotFinished[p]);
        float worst = Float.POSITIVE_INFINITY;
        for (float x : slotScore[p]) {
          worst = Math.min(worst, x);
        }
        improvable[p] &= !allFinished || bestRunning > worst;
        frozen[p] =
            !improvable[p]
                || (allFinished && c.earlyStopping() == GenerationConfig.EarlyStopping.TRUE)
                || left == 1;
      }
      batch.select(origin);
      for (int r = 0; r < rows; r++) {
        batch.tokens.get(r).add(next[r]);
      }
      running = newRunning;
      if (allTrue(frozen)) {
        break;
      }
      logits = batch.feedLast();
    }
    int[][] out = new int[b][];
    for (int p = 0; p < b; p++) {
      int best = 0;
      for (int j = 1; j < nb; j++) {
        if (slotScore[p][j] > slotScore[p][best]) {
          best = j;
        }
      }
      out[p] = slotTokens[p][best];
      for (int i = prompts[p].length; i < out[p].length; i++) {
        listener.onToken(p, out[p][i]);
      }
    }
    return out;
  }

  private static boolean allTrue(boolean[] x) {
    for (boolean y : x) {
      if (!y) {
        return false;
      }
    }
    return true;
  }

  private static int[] append(List<Integer> row, int token) {
    int[] r = new int[row.size() + 1];
    for (int i = 0; i < row.size(); i++) {
      r[i] = row.get(i);
    }
    r[row.size()] = token;
    return r;
  }

}
