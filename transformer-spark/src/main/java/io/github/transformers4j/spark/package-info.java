/**
 * Transformers4J on Apache Spark: batch inference as Spark ML transformers ({@code spark.ml}),
 * data-parallel training in barrier mode ({@code spark.train}) and the {@code spark-submit} entry
 * points.
 *
 * <p>Spark is class-path software, so this module has no {@code module-info.java}; its jar names
 * itself {@code io.github.transformers4j.spark} through {@code Automatic-Module-Name}.
 */
package io.github.transformers4j.spark;
