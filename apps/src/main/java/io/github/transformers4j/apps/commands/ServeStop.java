package io.github.transformers4j.apps.commands;

import jakarta.inject.Singleton;
import java.util.concurrent.CountDownLatch;

/**
 * When a running {@code t4j serve} stops: {@link #stop()} (called by the JVM's shutdown hook on
 * Ctrl-C or SIGTERM, or by an application or test that runs the command in-process).
 */
@Singleton
public final class ServeStop {
  private final CountDownLatch stopped = new CountDownLatch(1);

  /** Asks the server to finish its requests in flight and stop. */
  public void stop() {
    stopped.countDown();
  }

  /** Waits for {@link #stop()}. */
  void await() throws InterruptedException {
    stopped.await();
  }
}
