package io.github.transformers4j.api.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Named points inside the writes that must survive a crash (a checkpoint swap, an atomic rename),
 * where a crash test can stop the process to kill it there: the moment a random kill would rarely
 * hit. Does nothing unless the system property {@code t4j.crashtest.holdAt} names the point
 * ({@code checkpoint.swap}, or {@code atomic.rename:<file name>}); then the process creates the
 * file {@code t4j.crashtest.marker} names and waits there forever, for the test to kill it.
 * {@code t4j.crashtest.skip=N} lets the first N passes go by. Only tests set these properties.
 */
public final class CrashPoints {
  private static int passes;

  private CrashPoints() {}

  /** Holds here forever when the crash test asked for {@code point}; otherwise returns. */
  public static void reached(String point) {
    String wanted = System.getProperty("t4j.crashtest.holdAt");
    if (wanted == null || !wanted.equals(point)) {
      return;
    }
    synchronized (CrashPoints.class) {
      if (passes++ < Integer.getInteger("t4j.crashtest.skip", 0)) {
        return;
      }
    }
    String marker = System.getProperty("t4j.crashtest.marker");
    try {
      if (marker != null) {
        Files.writeString(Path.of(marker), point);
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("crash test: cannot write the marker " + marker, e);
    }
    while (true) {
      try {
        Thread.sleep(1000);
      } catch (InterruptedException e) {
        // only a kill ends this
      }
    }
  }
}
