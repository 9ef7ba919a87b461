/**
 * Training in Java: objectives (causal LM, masked LM, sequence-to-sequence, classification),
 * optimizers and schedules, the data pipeline, the trainer and exact-resume checkpoints.
 */
module io.github.transformers4j.training {
  requires transitive io.github.transformers4j.api;
  requires transitive io.github.transformers4j.models;

  // exports io.github.transformers4j.training once the issue that fills it lands (an empty package cannot be exported).
}
