/**
 * Data-parallel training: a {@link io.github.transformers4j.training.distributed.Collective} (the
 * gradient exchange among replicas), its TCP ring implementation {@link
 * io.github.transformers4j.training.distributed.RingCollective}, and {@link
 * io.github.transformers4j.training.distributed.DataParallel}, the trainer's side of it. Who starts
 * the replicas and how they learn each other's addresses is the caller's business (Spark's barrier
 * tasks in {@code transformer-spark}, threads in the tests).
 */
package io.github.transformers4j.training.distributed;
