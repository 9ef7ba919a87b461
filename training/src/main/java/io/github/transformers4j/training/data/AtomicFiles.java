package io.github.transformers4j.training.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Atomic file replacement: write a temporary file beside the target, force it to disk, then rename
 * it over the target, so a reader (or a resumed run after a crash) sees the old file or the new
 * one, never a torn one.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** Replaces {@code target} with {@code bytes} atomically. */
  public static void write(Path target, byte[] bytes) throws IOException {
    write(target, new ByteBuffer[] {ByteBuffer.wrap(bytes)});
  }

  /** Replaces {@code target} with the concatenation of {@code parts} atomically. */
  public static void write(Path target, ByteBuffer[] parts) throws IOException {
    Path abs = target.toAbsolutePath();
    Path dir = abs.getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, "." + abs.getFileName() + ".", ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        for (ByteBuffer b : parts) {
          while (b.hasRemaining()) {
            ch.write(b);
          }
        }
        ch.force(true);
      }
      try {
        Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
      }
      syncDirectory(dir);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Makes the rename durable where the platform allows opening a directory (Linux does). */
  private static void syncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // Windows cannot open a directory; the rename is still atomic, only not yet durable.
    }
  }
}
