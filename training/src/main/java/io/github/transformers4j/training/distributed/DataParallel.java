package io.github.transformers4j.training.distributed;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.training.optim.GradientBuffer;
import io.github.transformers4j.training.optim.Parameter;
import io.github.transformers4j.training.optim.ParameterSet;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The trainer's side of data parallelism over a {@link Collective}: the same start weights on every
 * replica, the gradient sum every step, the step's statistics, and the data positions that a
 * checkpoint stores for every replica.
 *
 * <p>Each replica scales its micro-batch gradients by {@code 1/(N·A)} ({@code N} replicas, {@code
 * A} micro-batches each) before {@link #sumGradients}, so the sum is the gradient a single replica
 * accumulating {@code N·A} micro-batches would compute; every replica then applies the same
 * optimizer step to the same weights.
 */
public final class DataParallel {
  /** Key of the replica count in a checkpoint's data state. */
  public static final String REPLICAS_KEY = "replicas";

  private final Collective collective;
  private float[] flat = new float[0];
  private long exchangeNanos;
  private long exchanges;

  /** Data parallelism over {@code collective}. */
  public DataParallel(Collective collective) {
    this.collective = collective;
  }

  /**
   * Wall time spent in {@link #sumGradients} and {@link #sum} so far: the communication part of a
   * step, including the wait for slower replicas.
   */
  public long communicationNanos() {
    return exchangeNanos;
  }

  /** Number of gradient exchanges so far (one per optimizer step). */
  public long exchanges() {
    return exchanges;
  }

  /** This replica's rank. */
  public int rank() {
    return collective.rank();
  }

  /** Number of replicas. */
  public int replicas() {
    return collective.size();
  }

  /**
   * Checks that every replica trains a model of the same parameters, then copies replica 0's
   * weights to the others, so that replicas start identical however they were initialized.
   *
   * @throws IllegalStateException naming the replica whose parameters differ
   */
  public void broadcastParameters(Ops ops, ParameterSet params) {
    String sig = signature(params);
    byte[][] all = collective.allGather(sig.getBytes(StandardCharsets.UTF_8));
    for (int r = 0; r < all.length; r++) {
      String other = new String(all[r], StandardCharsets.UTF_8);
      if (!other.equals(sig)) {
        throw new IllegalStateException(
            "data parallel: replica "
                + r
                + " trains other parameters than replica "
                + rank()
                + " ("
                + brief(other)
                + " vs "
                + brief(sig)
                + "); every replica must build the same model");
      }
    }
    float[] buf = ensure((int) params.count());
    int at = 0;
    for (Parameter p : params) {
      float[] v = p.get().toFloatArray();
      System.arraycopy(v, 0, buf, at, v.length);
      at += v.length;
    }
    collective.broadcast(buf, 0);
    if (rank() != 0) {
      at = 0;
      for (Parameter p : params) {
        Tensor cur = p.get();
        int n = cur.size();
        float[] v = new float[n];
        System.arraycopy(buf, at, v, 0, n);
        at += n;
        p.set(ops.tensor(v, cur.shape().dims()));
      }
    }
  }

  private static String signature(ParameterSet params) {
    StringBuilder sb = new StringBuilder();
    for (Parameter p : params) {
      sb.append(p.name()).append(java.util.Arrays.toString(p.get().shape().dims())).append(';');
    }
    return sb.toString();
  }

  private static String brief(String sig) {
    return sig.split(";").length + " tensors" + (sig.length() > 80 ? "" : ": " + sig);
  }

  private float[] ensure(int n) {
    if (flat.length != n) {
      flat = new float[n];
    }
    return flat;
  }

  /**
   * Replaces every replica's gradients with their sum over the replicas. A parameter that received
   * a gradient on any replica gets one (zeros where it had none); one that received none anywhere
   * stays absent, as it would in a single run.
   */
  public void sumGradients(ParameterSet params, GradientBuffer grads) {
    int total = params.size();
    for (Parameter p : params) {
      total += p.get().size();
    }
    float[] buf = ensure(total);
    java.util.Arrays.fill(buf, 0f);
    int at = params.size(); // presence flags first, then the values in parameter order
    int i = 0;
    for (Parameter p : params) {
      float[] g = grads.get(p.name());
      int n = p.get().size();
      if (g != null) {
        buf[i] = 1f;
        System.arraycopy(g, 0, buf, at, n);
      }
      at += n;
      i++;
    }
    long t0 = System.nanoTime();
    collective.allReduceSum(buf);
    exchangeNanos += System.nanoTime() - t0;
    exchanges++;
    at = params.size();
    i = 0;
    Map<String, float[]> sums = grads.asMap();
    Map<String, float[]> result = new LinkedHashMap<>();
    for (Parameter p : params) {
      int n = p.get().size();
      if (buf[i] > 0) {
        float[] g = sums.get(p.name());
        if (g == null) {
          g = new float[n];
        }
        System.arraycopy(buf, at, g, 0, n);
        result.put(p.name(), g);
      }
      at += n;
      i++;
    }
    sums.clear();
    sums.putAll(result);
  }

  /**
   * The element-wise sums of {@code values} over the replicas, added in rank order in double (the
   * same bits on every replica).
   */
  public double[] sum(double... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 8);
    for (double v : values) {
      b.putDouble(v);
    }
    long t0 = System.nanoTime();
    byte[][] all = collective.allGather(b.array());
    exchangeNanos += System.nanoTime() - t0;
    double[] s = new double[values.length];
    for (byte[] bytes : all) {
      ByteBuffer r = ByteBuffer.wrap(bytes);
      for (int i = 0; i < s.length; i++) {
        s[i] += r.getDouble();
      }
    }
    return s;
  }

  /**
   * Every replica's data position in one map for a checkpoint: replica {@code r}'s keys prefixed
   * {@code "r<r>."}, and the replica count under {@link #REPLICAS_KEY}.
   */
  public Map<String, Long> gatherStates(Map<String, Long> mine) {
    StringBuilder sb = new StringBuilder();
    mine.forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
    byte[][] all = collective.allGather(sb.toString().getBytes(StandardCharsets.UTF_8));
    Map<String, Long> merged = new LinkedHashMap<>();
    merged.put(REPLICAS_KEY, (long) all.length);
    for (int r = 0; r < all.length; r++) {
      for (String line : new String(all[r], StandardCharsets.UTF_8).split("\n")) {
        if (!line.isEmpty()) {
          int eq = line.lastIndexOf('=');
          merged.put("r" + r + "." + line.substring(0, eq), Long.parseLong(line.substring(eq + 1)));
        }
      }
    }
    return merged;
  }

  /**
   * Replica {@code rank}'s part of a checkpoint's data state written by a run of {@code replicas}
   * replicas (a single run's state as it is).
   *
   * @throws IllegalArgumentException when the checkpoint was written by another number of
   *     replicas: each replica's data position belongs to its shard
   */
  public static Map<String, Long> stateOf(Map<String, Long> saved, int rank, int replicas) {
    Long n = saved.get(REPLICAS_KEY);
    long had = n == null ? 1 : n;
    if (had != replicas) {
      throw new IllegalArgumentException(
          "resume: the checkpoint was trained by "
              + had
              + (had == 1 ? " replica" : " replicas")
              + " but this run has "
              + replicas
              + "; each replica's data position belongs to its shard, so resume with "
              + had);
    }
    if (n == null) {
      return saved;
    }
    String prefix = "r" + rank + ".";
    Map<String, Long> mine = new LinkedHashMap<>();
    saved.forEach(
        (k, v) -> {
          if (k.startsWith(prefix)) {
            mine.put(k.substring(prefix.length()), v);
          }
        });
    return mine;
  }
}
