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
  static LrSchedule cosine(double lr, double minLr, long warmup, long decaySteps) {
    check(lr, minLr, warmup, decaySteps);
    return step -> {
      if (step < warmup) {
        return lr * (step + 1) / warmup;
      }
      if (step > decaySteps) {
        return minLr;
      }
      double ratio = (double) (step - warmup) / Math.max(1, decaySteps - warmup);
      double coeff = 0.5 * (1.0 + Math.cos(Math.PI * ratio));
      return minLr + coeff * (lr - minLr);
    };
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
