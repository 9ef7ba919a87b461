package io.github.transformers4j.training.checkpoint;

import io.github.transformers4j.api.DType;
import io.github.transformers4j.api.Shape;
import io.github.transformers4j.models.weights.SafeTensors;
import io.github.transformers4j.models.weights.TensorData;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;


/**
 * Checkpoint tensors as plain shapes and arrays, stored as {@code F32} safetensors through
 * {@link SafeTensors} (atomic writes, validated reads).
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
    Map<String, TensorData> data = new LinkedHashMap<>();
    tensors.forEach((name, e) -> data.put(name, new TensorData(Shape.of(e.shape()), e.data())));
    SafeTensors.write(file, data, metadata, DType.F32);
  }

  /**
   * Reads a safetensors file through the validating reader of {@code models.weights}.
   *
   * @throws IOException naming the file and the tensor when the file cannot be read or its header
   *     is malformed
   */
  public static Contents read(Path file) throws IOException {
    try (SafeTensors st = SafeTensors.open(file)) {
      Map<String, Entry> tensors = new LinkedHashMap<>();
      for (String name : st.names()) {
        tensors.put(name, new Entry(st.shape(name).dims(), st.floats(name)));
      }
      return new Contents(tensors, new LinkedHashMap<>(st.metadata()));
    } catch (IllegalArgumentException e) {
      // A malformed checkpoint is an I/O failure for the trainer: it cannot resume from it.
      throw new IOException(e.getMessage(), e);
    }
  }
}
