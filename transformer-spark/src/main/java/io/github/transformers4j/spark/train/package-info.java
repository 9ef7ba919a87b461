/**
 * Data-parallel training as Spark barrier tasks: {@link
 * io.github.transformers4j.spark.train.BarrierTraining} runs N replicas of the trainer, one per
 * barrier task, which exchange their ring addresses through {@code BarrierTaskContext.allGather}
 * and sum their gradients every step over {@code training.distributed}'s TCP ring: the char GPT
 * ({@code train clm}) and, through {@link io.github.transformers4j.spark.train.RecipeTraining}, the
 * training module's mlm, seq2seq and classify recipes; {@link
 * io.github.transformers4j.spark.train.SparkTrainMain} is their {@code spark-submit} entry point.
 */
package io.github.transformers4j.spark.train;
