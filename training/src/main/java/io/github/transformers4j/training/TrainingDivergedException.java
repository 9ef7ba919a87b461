package io.github.transformers4j.training;

/** A loss became NaN or infinite: the run stops and names the step and the batch. */
public final class TrainingDivergedException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final long step;

  TrainingDivergedException(long step, String message) {
    super(message);
    this.step = step;
  }

  /** The 1-based step whose loss was not finite. */
  public long step() {
    return step;
  }
}
