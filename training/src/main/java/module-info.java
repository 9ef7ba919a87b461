/**
 * Training in Java: objectives (causal LM, masked LM, sequence-to-sequence, classification),
 * optimizers and schedules, the data pipeline, the trainer and exact-resume checkpoints.
 */
module io.github.transformers4j.training {
  requires transitive io.github.transformers4j.api;
  requires transitive io.github.transformers4j.models;
  requires com.google.gson;
  // For the loss-curve PNG only: Java2D draws it off screen (the PNG encoder is our own).
  requires java.desktop;

  exports io.github.transformers4j.training;
  exports io.github.transformers4j.training.checkpoint;
  exports io.github.transformers4j.training.data;
  exports io.github.transformers4j.training.distributed;
  exports io.github.transformers4j.training.metrics;
  exports io.github.transformers4j.training.models;
  exports io.github.transformers4j.training.objectives;
  exports io.github.transformers4j.training.optim;
  exports io.github.transformers4j.training.spi;
  exports io.github.transformers4j.training.study;

  // Gson reads the checkpoint state record reflectively.
  opens io.github.transformers4j.training.checkpoint to
      com.google.gson;

  uses io.github.transformers4j.training.spi.ObjectiveProvider;

  provides io.github.transformers4j.training.spi.ObjectiveProvider with
      io.github.transformers4j.training.objectives.builtin.BuiltinObjectives.Clm,
      io.github.transformers4j.training.objectives.builtin.BuiltinObjectives.Mlm,
      io.github.transformers4j.training.objectives.builtin.BuiltinObjectives.Seq2SeqProvider,
      io.github.transformers4j.training.objectives.builtin.BuiltinObjectives.Classify,
      io.github.transformers4j.training.objectives.builtin.BuiltinObjectives.Tokens;
}
