package io.github.transformers4j.training.distributed;

/**
 * The operations replicas of a data-parallel run perform together. Every replica calls the same
 * operations in the same order; each call returns when every replica has made it (or fails with a
 * {@link CollectiveException} naming the replica that did not, never hangs past the time-out).
 *
 * <p>Determinism: {@link #allReduceSum} gives every replica the same bits, and the same bits from
 * one run to the next with the same number of replicas, so replicas that apply the same optimizer
 * step to the same weights stay identical.
 *
 * <p>Thread safety: one thread per replica calls the operations.
 */
public interface Collective extends AutoCloseable {

  /** This replica's number, 0 to {@code size() - 1}; replica 0 writes checkpoints and metrics. */
  int rank();

  /** Number of replicas. */
  int size();

  /** Replaces {@code data} on every replica with the element-wise sum over all replicas. */
  void allReduceSum(float[] data);

  /**
   * Every replica's {@code mine}, indexed by rank (this replica's own array at {@code rank()}).
   */
  byte[][] allGather(byte[] mine);

  /** Copies replica {@code root}'s {@code data} into every other replica's {@code data}. */
  void broadcast(float[] data, int root);

  /** Returns when every replica has called it. */
  default void barrier() {
    allGather(new byte[0]);
  }

  /** Element-wise mean: {@link #allReduceSum} divided by {@link #size}. */
  default void allReduceMean(float[] data) {
    allReduceSum(data);
    float inv = 1f / size();
    for (int i = 0; i < data.length; i++) {
      data[i] *= inv;
    }
  }

  /** Closes the connections; peers blocked on this replica then fail at once. */
  @Override
  void close();
}
