package io.github.transformers4j.spark.train;

import java.io.Serializable;

/**
 * What one barrier task reports back to the driver.
 *
 * @param rank the replica
 * @param stageAttempt Spark's attempt number of the barrier stage (0 on the first try)
 * @param startStep the step it started from (0, or the checkpoint's step on a rerun)
 * @param endStep the step it ended at
 * @param losses the loss of every step it ran (averaged over all replicas)
 * @param seconds wall time of its training loop
 * @param exchangeSeconds of which spent exchanging gradients and statistics
 * @param shardChars the size of its shard of the data: characters ({@code train clm}) or
 *     non-blank lines ({@code train mlm|seq2seq|classify})
 */
public record ReplicaReport(
    int rank,
    int stageAttempt,
    long startStep,
    long endStep,
    double[] losses,
    double seconds,
    double exchangeSeconds,
    long shardChars)
    implements Serializable {}
