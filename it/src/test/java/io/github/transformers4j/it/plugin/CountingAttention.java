package io.github.transformers4j.it.plugin;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.spi.AttentionProvider;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A third-party attention variant, registered only through this module's test {@code
 * META-INF/services}: scaled dot-product attention written with explicit ops (scores, masked
 * softmax, weighted sum) that counts its calls, so a test can see a model built from a config
 * really used it. Models and the api do not know this class.
 */
public final class CountingAttention implements AttentionProvider {
  /** Calls since the last reset, over all instances (ServiceLoader makes its own instance). */
  public static final AtomicInteger CALLS = new AtomicInteger();

  @Override
  public String name() {
    return "counting";
  }

  @Override
  public Tensor attend(
      Ops ops, Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal, float scale) {
    CALLS.incrementAndGet();
    Tensor p = ops.softmax(ops.scale(ops.matmul(q, k, false, true), scale), mask, causal);
    return ops.matmul(p, v);
  }
}
