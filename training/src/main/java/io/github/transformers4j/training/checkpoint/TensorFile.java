package io.github.transformers4j.training.checkpoint;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.github.transformers4j.training.data.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A minimal safetensors writer and reader for {@code F32} tensors, for checkpoints: an 8-byte
 * little-endian header length, a JSON header ({@code dtype}, {@code shape}, {@code data_offsets}
 * per tensor, string {@code __metadata__}), then the data. Written atomically. It reads only F32;
 * models load foreign checkpoints through {@code models.weights}.
 */
public final class TensorFile {
  private TensorFile() {}

  /** A tensor's shape and row-major values. */
  public record Entry(int[] shape, float[] data) {
    /** Checks that the shape holds the data. */
    public Entry {
      long n = 1;
      for (int d : shape) {
        n *= d;
      }
      if (n != data.length) {
        throw new IllegalArgumentException(
            "tensor entry: shape "
                + java.util.Arrays.toString(shape)
                + " holds "
                + n
                + " values, got "
                + data.length);
      }
    }
  }

  /** The tensors and metadata of a file. */
  public record Contents(Map<String, Entry> tensors, Map<String, String> metadata) {}

  /** Writes {@code tensors} (in map order) and {@code metadata} to {@code file} atomically. */
  public static void write(Path file, Map<String, Entry> tensors, Map<String, String> metadata)
      throws IOException {
    JsonObject header = new JsonObject();
    if (!metadata.isEmpty()) {
      JsonObject meta = new JsonObject();
      metadata.forEach(meta::addProperty);
      header.add("__metadata__", meta);
    }
    long offset = 0;
    for (Map.Entry<String, Entry> e : tensors.entrySet()) {
      JsonObject t = new JsonObject();
      t.addProperty("dtype", "F32");
      JsonArray shape = new JsonArray();
      for (int d : e.getValue().shape()) {
        shape.add(d);
      }
      t.add("shape", shape);
      JsonArray offs = new JsonArray();
      long bytes = 4L * e.getValue().data().length;
      offs.add(offset);
      offs.add(offset + bytes);
      offset += bytes;
      t.add("data_offsets", offs);
      header.add(e.getKey(), t);
    }
    byte[] json = new Gson().toJson(header).getBytes(StandardCharsets.UTF_8);
    int pad = (8 - json.length % 8) % 8; // keeps the data 8-byte aligned, as the format suggests
    ByteBuffer head = ByteBuffer.allocate(8 + json.length + pad).order(ByteOrder.LITTLE_ENDIAN);
    head.putLong(json.length + pad).put(json);
    for (int i = 0; i < pad; i++) {
      head.put((byte) ' ');
    }
    head.flip();
    ByteBuffer[] parts = new ByteBuffer[tensors.size() + 1];
    parts[0] = head;
    int i = 1;
    for (Entry e : tensors.values()) {
      ByteBuffer b = ByteBuffer.allocate(4 * e.data().length).order(ByteOrder.LITTLE_ENDIAN);
      b.asFloatBuffer().put(e.data());
      parts[i++] = b;
    }
    AtomicFiles.write(file, parts);
  }

  /**
   * Reads an F32 safetensors file.
   *
   * @throws IOException naming the file and the tensor when the header is malformed, a dtype is not
   *     F32 or a tensor's bytes lie outside the file
   */
  public static Contents read(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < 8) {
        throw new IOException(file + ": " + size + " bytes is too short for a safetensors file");
      }
      ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(ch, lenBuf, 0);
      long n = lenBuf.flip().getLong();
      if (n <= 0 || n > size - 8 || n > 100_000_000) {
        throw new IOException(file + ": header length " + n + " does not fit a file of " + size);
      }
      ByteBuffer hb = ByteBuffer.allocate((int) n);
      readFully(ch, hb, 8);
      JsonObject header =
          new Gson().fromJson(new String(hb.array(), StandardCharsets.UTF_8), JsonObject.class);
      Map<String, Entry> tensors = new LinkedHashMap<>();
      Map<String, String> meta = new LinkedHashMap<>();
      long base = 8 + n;
      for (Map.Entry<String, JsonElement> e : header.entrySet()) {
        if (e.getKey().equals("__metadata__")) {
          e.getValue()
              .getAsJsonObject()
              .entrySet()
              .forEach(m -> meta.put(m.getKey(), m.getValue().getAsString()));
          continue;
        }
        JsonObject t = e.getValue().getAsJsonObject();
        String dtype = t.get("dtype").getAsString();
        if (!dtype.equals("F32")) {
          throw new IOException(
              file + ": tensor '" + e.getKey() + "' is " + dtype + "; checkpoints hold F32 only");
        }
        JsonArray sh = t.getAsJsonArray("shape");
        int[] shape = new int[sh.size()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
          shape[i] = sh.get(i).getAsInt();
          count *= shape[i];
        }
        long start = t.getAsJsonArray("data_offsets").get(0).getAsLong();
        long end = t.getAsJsonArray("data_offsets").get(1).getAsLong();
        if (end - start != 4 * count || base + end > size || start < 0) {
          throw new IOException(
              file
                  + ": tensor '"
                  + e.getKey()
                  + "' spans bytes "
                  + start
                  + ".."
                  + end
                  + " of data, which does not hold "
                  + count
                  + " floats inside a file of "
                  + size);
        }
        ByteBuffer data = ByteBuffer.allocate((int) (end - start)).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, data, base + start);
        float[] f = new float[(int) count];
        data.flip().asFloatBuffer().get(f);
        tensors.put(e.getKey(), new Entry(shape, f));
      }
      return new Contents(tensors, meta);
    } catch (RuntimeException e) {
      throw new IOException(file + ": not a valid safetensors file: " + e.getMessage(), e);
    }
  }

  private static void readFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
    while (b.hasRemaining()) {
      int r = ch.read(b, pos + b.position());
      if (r < 0) {
        throw new IOException("unexpected end of file at byte " + (pos + b.position()));
      }
    }
  }
}
