package io.github.transformers4j.it.archfixture.models;

import io.github.transformers4j.it.archfixture.cpu.FakeCpuBackend;
import io.github.transformers4j.it.archfixture.training.BadTrainer;

/**
 * Negative-control fixture: a layer that names a concrete backend (only apps and it may) and
 * reaches up into training (models may depend on the api only), closing the package cycle models ->
 * training -> models.
 */
public final class BadLayer {
  private final FakeCpuBackend backend = new FakeCpuBackend();

  public Object forward(BadTrainer trainer) {
    return trainer == null ? backend.shape() : trainer;
  }
}
