package io.github.transformers4j.training.optim;

/**
 * The learning rate as a function of the step (0-based): linear warmup from 0, then cosine or
 * linear decay to a floor, then the floor. nanoGPT's {@code get_lr} is {@link #cosine}.
 */
@FunctionalInterface
public interface LrSchedule {

  /** The learning rate of step {@code step} (0-based). */
  double at(long step);

  /** A constant rate. */
  static LrSchedule constant(double lr) {
    return step -> lr;
  }

  /**
   * Linear warmup over {@code warmup} steps ({@code lr·(step+1)/warmup}), then a cosine from {@code
   * lr} down to {@code minLr} at {@code decaySteps}, then {@code minLr}.
   */
  static Cosine cosine(double lr, double minLr, long warmup, long decaySteps) {
    return new Cosine(lr, minLr, warmup, decaySteps);
  }

  /**
   * The warmup of a run of {@code steps} steps asked for {@code warmup}: at most a tenth of the
   * steps, so that a short run still spends most of its steps decaying.
   */
  static long cappedWarmup(long warmup, long steps) {
    return Math.max(0, Math.min(warmup, steps / 10));
  }

  /**
   * The cosine schedule as a value: it is saved in a checkpoint ({@link #encode}) so that a resumed
   * run keeps it, whatever {@code --steps} the resuming command line gives.
   *
   * @param lr peak rate
   * @param minLr floor
   * @param warmup linear warmup steps
   * @param decaySteps the step at which the cosine reaches the floor
   */
  record Cosine(double lr, double minLr, long warmup, long decaySteps) implements LrSchedule {
    /** Validates the numbers. */
    public Cosine {
      check(lr, minLr, warmup, decaySteps);
    }

    @Override
    public double at(long step) {
      if (step < warmup) {
        return lr * (step + 1) / warmup;
      }
      if (step > decaySteps) {
        return minLr;
      }
      double ratio = (double) (step - warmup) / Math.max(1, decaySteps - warmup);
      double coeff = 0.5 * (1.0 + Math.cos(Math.PI * ratio));
      return minLr + coeff * (lr - minLr);
    }

    /** {@code cosine lr=0.001 min_lr=1.0E-4 warmup=100 decay_steps=2000}. */
    public String encode() {
      return "cosine lr=" + lr + " min_lr=" + minLr + " warmup=" + warmup + " decay_steps="
          + decaySteps;
    }

    /** The schedule {@link #encode} wrote. */
    public static Cosine parse(String s) {
      java.util.Map<String, String> kv = new java.util.HashMap<>();
      String[] words = s.trim().split("\\s+");
      if (words.length != 5 || !words[0].equals("cosine")) {
        throw new IllegalArgumentException("not a saved cosine schedule: '" + s + "'");
      }
      for (int i = 1; i < words.length; i++) {
        String[] p = words[i].split("=", 2);
        kv.put(p[0], p.length > 1 ? p[1] : "");
      }
      try {
        return new Cosine(
            Double.parseDouble(kv.get("lr")),
            Double.parseDouble(kv.get("min_lr")),
            Long.parseLong(kv.get("warmup")),
            Long.parseLong(kv.get("decay_steps")));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("not a saved cosine schedule: '" + s + "'", e);
      }
    }
  }

  /**
   * Linear warmup as {@link #cosine}, then a straight line to {@code minLr} at {@code decaySteps}.
   */
  static LrSchedule linear(double lr, double minLr, long warmup, long decaySteps) {
    check(lr, minLr, warmup, decaySteps);
    return step -> {
      if (step < warmup) {
        return lr * (step + 1) / warmup;
      }
      if (step > decaySteps) {
        return minLr;
      }
      double ratio = (double) (step - warmup) / Math.max(1, decaySteps - warmup);
      return lr + ratio * (minLr - lr);
    };
  }

  private static void check(double lr, double minLr, long warmup, long decaySteps) {
    if (!(lr > 0) || !(minLr >= 0) || minLr > lr) {
      throw new IllegalArgumentException(
          "schedule: need 0 <= min lr <= lr and lr > 0, got lr " + lr + ", min lr " + minLr);
    }
    if (warmup < 0 || decaySteps < warmup) {
      throw new IllegalArgumentException(
          "schedule: need 0 <= warmup <= decay steps, got warmup "
              + warmup
              + ", decay steps "
              + decaySteps);
    }
  }
}
