package io.github.transformers4j.it.archfixture.training;

import io.github.transformers4j.it.archfixture.models.BadLayer;

/**
 * Negative-control fixture: training may use models (that edge is allowed); together with {@link
 * BadLayer}'s edge back it forms a package cycle.
 */
public final class BadTrainer {
  public Object step(BadLayer layer) {
    return layer.forward(this);
  }
}
