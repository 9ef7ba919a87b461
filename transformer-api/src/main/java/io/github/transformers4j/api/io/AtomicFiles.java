package io.github.transformers4j.api.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Atomic file replacement for the writes that matter (checkpoints, weights, vocabularies): the
 * bytes go to a temporary file beside the target, which is forced to disk and then renamed over
 * the target, so a reader, or a run resumed after a crash, sees the old file or the complete new
 * one, never a torn one.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** Writes the content of a file to an open channel. */
  @FunctionalInterface
  public interface Body {
    /** Writes everything; the channel is forced and closed by the caller. */
    void writeTo(FileChannel out) throws IOException;
  }

  /** Replaces {@code target} with {@code bytes} atomically. */
  public static void write(Path target, byte[] bytes) throws IOException {
    write(target, new ByteBuffer[] {ByteBuffer.wrap(bytes)});
  }

  /** Replaces {@code target} with the concatenation of {@code parts} atomically. */
  public static void write(Path target, ByteBuffer[] parts) throws IOException {
    write(
        target,
        out -> {
          for (ByteBuffer b : parts) {
            writeFully(out, b);
          }
        });
  }

  /** Replaces {@code target} with what {@code body} writes, atomically. */
  public static void write(Path target, Body body) throws IOException {
    Path abs = target.toAbsolutePath();
    Path dir = abs.getParent();
    Files.createDirectories(dir);
    Path tmp = createTemp(dir, abs.getFileName().toString());
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        body.writeTo(ch);
        ch.force(true);
      }
      CrashPoints.reached("atomic.rename:" + abs.getFileName());
      try {
        Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
      }
      syncDirectory(dir);
      deleteStaleTemps(dir, abs.getFileName().toString());
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * Deletes the temporary files of earlier writes of {@code name} whose process is gone (killed
   * between creating and renaming them), so crashes do not pile up copies beside the target.
   */
  private static void deleteStaleTemps(Path dir, String name) {
    String prefix = "." + name + ".";
    try (java.util.stream.Stream<Path> s = Files.list(dir)) {
      for (Path p : s.toList()) {
        String n = p.getFileName().toString();
        if (!n.startsWith(prefix) || !n.endsWith(".tmp")) {
          continue;
        }
        String[] parts = n.substring(prefix.length(), n.length() - 4).split("\\.");
        if (parts.length != 2) {
          continue;
        }
        try {
          long pid = Long.parseLong(parts[0]);
          Long.parseLong(parts[1]);
          if (pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).isEmpty()) {
            Files.deleteIfExists(p);
          }
        } catch (NumberFormatException e) {
          // not one of ours
        }
      }
    } catch (IOException | UncheckedIOException e) {
      // a leftover stays; the next write tries again
    }
  }

  private static Path createTemp(Path dir, String name) throws IOException {
    // Not Files.createTempFile: that makes the file owner-only (0600), and the rename would carry
    // those permissions to the target. CREATE_NEW keeps the usual umask-derived mode.
    long pid = ProcessHandle.current().pid();
    for (int attempt = 0; ; attempt++) {
      Path tmp = dir.resolve("." + name + "." + pid + "." + System.nanoTime() + ".tmp");
      try {
        Files.newByteChannel(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
        return tmp;
      } catch (FileAlreadyExistsException e) {
        if (attempt > 100) {
          throw e;
        }
      }
    }
  }

  /** Writes all remaining bytes of {@code b}. */
  public static void writeFully(FileChannel out, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      out.write(b);
    }
  }

  /** Makes a rename durable where the platform can open a directory (Linux can). */
  public static void syncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // Windows cannot open a directory: the rename is still atomic, only not yet durable.
    }
  }
}
