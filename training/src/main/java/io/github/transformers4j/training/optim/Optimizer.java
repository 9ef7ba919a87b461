package io.github.transformers4j.training.optim;

import java.util.Map;

/**
 * Updates parameters from their gradients. A step reads each parameter's value, computes the new
 * value on the host and {@link Parameter#set sets} it; the state (moments) is named so that a
 * checkpoint can store it as tensors and restore it exactly.
 */
public interface Optimizer {

  /**
   * One update of every parameter of {@code params} that has a gradient in {@code grads}, with
   * learning rate {@code lr}.
   */
  void step(ParameterSet params, GradientBuffer grads, double lr);

  /** Number of steps taken (the bias-correction counter). */
  long steps();

  /** The state as named arrays (e.g. {@code exp_avg.h.0.attn.c_attn.weight}), live. */
  Map<String, float[]> state();

  /**
   * Replaces the state with {@code state} (as {@link #state} names it) after {@code steps} steps.
   *
   * @throws IllegalArgumentException naming an entry that is missing or of the wrong length
   */
  void restore(Map<String, float[]> state, long steps, ParameterSet params);
}
