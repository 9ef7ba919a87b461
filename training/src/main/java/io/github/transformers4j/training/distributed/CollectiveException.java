package io.github.transformers4j.training.distributed;

/**
 * A collective operation failed: a peer died, closed its connection, sent something unexpected or
 * said nothing within the time-out. The message names this replica, the peer and its address.
 */
public final class CollectiveException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** A failure described by {@code message}. */
  public CollectiveException(String message) {
    super(message);
  }

  /** A failure described by {@code message}, caused by {@code cause}. */
  public CollectiveException(String message, Throwable cause) {
    super(message, cause);
  }
}
