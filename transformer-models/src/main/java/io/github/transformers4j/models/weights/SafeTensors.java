package io.github.transformers4j.models.weights;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import io.github.transformers4j.api.DType;
import io.github.transformers4j.api.Shape;
import io.github.transformers4j.api.io.AtomicFiles;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads and writes Hugging Face safetensors files: an 8-byte little-endian header length, a JSON
 * header naming each tensor's dtype, shape and byte range, then the raw little-endian data.
 *
 * <p>Reading validates the whole header before any data is touched, with the rules of the reference
 * implementation (and clearer messages): the header length lies within the file and the header is
 * strict UTF-8 JSON; each tensor has a known dtype, non-negative dimensions and a byte range {@code
 * [begin, end)} whose length is {@code elements × dtype size}; the ranges lie inside the data
 * section and tile it without overlap or gap. A malformed or truncated file therefore fails at
 * {@link #open} with an {@link IllegalArgumentException} naming the file and the tensor, never with
 * an out-of-bounds read. Data is memory-mapped per tensor when it is read, so a file larger than 2
 * GB (the limit of one mapping) works and only what is asked for is paged in.
 *
 * <p>{@code F32}, {@code F16} and {@code BF16} are converted exactly to {@code F32}; {@code F64} is
 * rounded to {@code F32}; the integer dtypes and {@code BOOL} (which real checkpoints hold as
 * buffers such as BERT's {@code position_ids}) are converted as by a cast. Other dtypes ({@code
 * F8_*}, unsigned 16-64 bit, complex) are rejected.
 */
public final class SafeTensors implements Weights {

  /** The largest header accepted, the reference implementation's limit. */
  public static final long MAX_HEADER_BYTES = 100_000_000L;

  /** The key of the free-form string map in the header. */
  public static final String METADATA_KEY = "__metadata__";

  /** At most this many bytes are mapped at once (a mapping is limited to 2 GB). */
  private static final long MAX_MAPPING_BYTES = 1L << 30;

  /** The dtypes read, by their safetensors names, with their element sizes. */
  enum Kind {
    F64(8, DType.F32),
    F32(4, DType.F32),
    F16(2, DType.F16),
    BF16(2, DType.BF16),
    I64(8, DType.I32),
    I32(4, DType.I32),
    I16(2, DType.I32),
    I8(1, DType.I32),
    U8(1, DType.I32),
    BOOL(1, DType.I32);

    final int size;
    final DType nearest;

    Kind(int size, DType nearest) {
      this.size = size;
      this.nearest = nearest;
    }

    static Kind parse(String name) {
      for (Kind k : values()) {
        if (k.name().equals(name)) {
          return k;
        }
      }
      return null;
    }

    /** Converts {@code count} elements from {@code buf} (little-endian) into {@code out[off..]}. */
    void decode(ByteBuffer buf, float[] out, int off, int count) {
      switch (this) {
        case F32 -> buf.asFloatBuffer().get(out, off, count);
        case F16 -> {
          for (int i = 0; i < count; i++) {
            out[off + i] = DType.f16ToFloat(buf.getShort(2 * i));
          }
        }
        case BF16 -> {
          for (int i = 0; i < count; i++) {
            out[off + i] = DType.bf16ToFloat(buf.getShort(2 * i));
          }
        }
        case F64 -> {
          for (int i = 0; i < count; i++) {
            out[off + i] = (float) buf.getDouble(8 * i);
          }
        }
        case I64 -> {
          for (int i = 0; i < count; i++) {
            out[off + i] = buf.getLong(8 * i);
          }
        }
        case I32 -> {
          for (int i = 0; i < count; i++) {
            out[off + i] = buf.getInt(4 * i);
          }
        }
        case I16 -> {
          for (int i = 0; i < count; i++) {
            out[off + i] = buf.getShort(2 * i);
          }
        }
        case I8 -> {
          for (int i = 0; i < count; i++) {
            out[off + i] = buf.get(i);
          }
        }
        case U8 -> {
          for (int i = 0; i < count; i++) {
            out[off + i] = buf.get(i) & 0xff;
          }
        }
        case BOOL -> {
          for (int i = 0; i < count; i++) {
            out[off + i] = buf.get(i) != 0 ? 1f : 0f;
          }
        }
      }
    }
  }

  /** One tensor of the header; {@code begin} and {@code end} are absolute file positions. */
  private record Entry(String name, Kind kind, Shape shape, long begin, long end) {}

  private final Path file;
  private final FileChannel channel;
  private final Map<String, Entry> tensors;
  private final Map<String, String> metadata;
  private volatile boolean closed;

  private SafeTensors(
      Path file, FileChannel channel, Map<String, Entry> tensors, Map<String, String> metadata) {
    this.file = file;
    this.channel = channel;
    this.tensors = tensors;
    this.metadata = metadata;
  }

  /**
   * Opens a safetensors file and validates its header; the data is read (mapped) per tensor by
   * {@link #floats}.
   *
   * @throws IllegalArgumentException naming the file and the tensor or field when the file is
   *     malformed
   * @throws IOException when the file cannot be read
   */
  public static SafeTensors open(Path file) throws IOException {
    FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
    try {
      long fileSize = channel.size();
      Header header = readHeader(file, channel, fileSize);
      return new SafeTensors(file, channel, header.tensors, header.metadata);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /** The file read. */
  public Path file() {
    return file;
  }

  /** The header's {@code __metadata__} map (empty when absent), unmodifiable. */
  public Map<String, String> metadata() {
    return metadata;
  }

  /** Tensor names in the order of their data in the file. */
  @Override
  public Set<String> names() {
    return Collections.unmodifiableSet(tensors.keySet());
  }

  @Override
  public Shape shape(String name) {
    return entry(name).shape;
  }

  /**
   * The storage type: exact for {@code F32}, {@code F16}, {@code BF16} and {@code I32}; the nearest
   * compute type ({@code F32} for {@code F64}, {@code I32} for the other integers and {@code BOOL})
   * otherwise. {@link #dtype} gives the exact safetensors name.
   */
  @Override
  public DType storedAs(String name) {
    return entry(name).kind.nearest;
  }

  /** The safetensors dtype name of tensor {@code name}, such as {@code "BF16"} or {@code "I64"}. */
  public String dtype(String name) {
    return entry(name).kind.name();
  }

  /**
   * {@inheritDoc}
   *
   * @throws UncheckedIOException naming the file and tensor when the mapping fails (for example
   *     because the file was truncated after it was opened)
   */
  @Override
  public float[] floats(String name) {
    return floats(name, MAX_MAPPING_BYTES);
  }

  /** {@link #floats(String)} mapping at most {@code maxMappingBytes} at a time (for tests). */
  float[] floats(String name, long maxMappingBytes) {
    Entry e = entry(name);
    float[] out = new float[e.shape.size()];
    try {
      if (channel.size() < e.end) {
        throw new IOException("the file now has " + channel.size() + " bytes");
      }
      long perMapping = Math.max(1, maxMappingBytes / e.kind.size);
      long pos = e.begin;
      int done = 0;
      while (done < out.length) {
        int count = (int) Math.min(out.length - done, perMapping);
        MappedByteBuffer buf =
            channel.map(FileChannel.MapMode.READ_ONLY, pos, (long) count * e.kind.size);
        buf.order(ByteOrder.LITTLE_ENDIAN);
        e.kind.decode(buf, out, done, count);
        done += count;
        pos += (long) count * e.kind.size;
      }
    } catch (IOException ex) {
      throw new UncheckedIOException(
          "safetensors "
              + file
              + ": cannot read tensor '"
              + name
              + "' at bytes ["
              + e.begin
              + ", "
              + e.end
              + "): "
              + ex.getMessage(),
          ex);
    }
    return out;
  }

  @Override
  public void close() {
    closed = true;
    try {
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException("safetensors " + file + ": close failed", e);
    }
  }

  @Override
  public String toString() {
    return "SafeTensors[" + file + ", " + tensors.size() + " tensors]";
  }

  private Entry entry(String name) {
    if (closed) {
      throw new IllegalStateException("safetensors " + file + " is closed");
    }
    Entry e = tensors.get(name);
    if (e == null) {
      throw new IllegalArgumentException(
          "safetensors "
              + file
              + ": no tensor '"
              + name
              + "' (it has "
              + tensors.size()
              + " tensors"
              + (tensors.isEmpty() ? "" : ", such as '" + first() + "'")
              + ")");
    }
    return e;
  }

  private String first() {
    return tensors.keySet().iterator().next();
  }

  // ---------------------------------------------------------------------------------------------
  // Header validation

  private record Header(Map<String, Entry> tensors, Map<String, String> metadata) {}

  private static IllegalArgumentException bad(Path file, String detail) {
    return new IllegalArgumentException("safetensors header: " + detail + " (" + file + ")");
  }

  private static Header readHeader(Path file, FileChannel channel, long fileSize)
      throws IOException {
    if (fileSize < 8) {
      throw bad(file, "the file has " + fileSize + " bytes, too few for the 8-byte header length");
    }
    ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    readFully(channel, lenBuf, 0);
    long n = lenBuf.getLong(0); // unsigned in the format: a negative long is a huge length
    if (n < 0 || n > fileSize - 8) {
      throw bad(
          file,
          "header length "
              + Long.toUnsignedString(n)
              + " runs past the end of the file ("
              + fileSize
              + " bytes, so at most "
              + (fileSize - 8)
              + ")");
    }
    if (n > MAX_HEADER_BYTES) {
      throw bad(file, "header length " + n + " exceeds the limit of " + MAX_HEADER_BYTES);
    }
    if (n < 2) {
      throw bad(file, "header length " + n + " is too short for a JSON object");
    }
    ByteBuffer headerBytes = ByteBuffer.allocate((int) n);
    readFully(channel, headerBytes, 8);
    headerBytes.flip();
    String json = decodeUtf8(file, headerBytes);
    if (json.charAt(0) != '{') {
      throw bad(file, "the header does not start with '{' but with " + quoteChar(json.charAt(0)));
    }
    long dataStart = 8 + n;
    Header header;
    try {
      header = parse(file, json, dataStart, fileSize);
    } catch (IOException | IllegalStateException | NumberFormatException e) {
      // Gson's syntax errors (MalformedJsonException, EOFException) and type mismatches.
      throw bad(file, "malformed JSON: " + e.getMessage());
    }
    checkTiling(file, header.tensors, dataStart, fileSize);
    return header;
  }

  private static void readFully(FileChannel channel, ByteBuffer buf, long position)
      throws IOException {
    long pos = position;
    while (buf.hasRemaining()) {
      int r = channel.read(buf, pos);
      if (r < 0) {
        throw new IOException("unexpected end of file at byte " + pos);
      }
      pos += r;
    }
  }

  private static String decodeUtf8(Path file, ByteBuffer bytes) {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    try {
      CharBuffer chars = decoder.decode(bytes);
      return chars.toString();
    } catch (CharacterCodingException e) {
      throw bad(file, "the header is not valid UTF-8 text");
    }
  }

  private static String quoteChar(char c) {
    return c >= 0x20 && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
  }

  private static Header parse(Path file, String json, long dataStart, long fileSize)
      throws IOException {
    Map<String, Entry> byHeaderOrder = new LinkedHashMap<>();
    Map<String, String> metadata = null;
    try (JsonReader in = new JsonReader(new StringReader(json))) {
      in.setStrictness(Strictness.STRICT);
      in.beginObject();
      while (in.hasNext()) {
        String name = in.nextName();
        if (name.equals(METADATA_KEY)) {
          if (metadata != null) {
            throw bad(file, "'" + METADATA_KEY + "' appears twice");
          }
          metadata = parseMetadata(file, in);
          continue;
        }
        if (byHeaderOrder.containsKey(name)) {
          throw bad(file, "tensor '" + name + "' appears twice");
        }
        byHeaderOrder.put(name, parseTensor(file, in, name, dataStart, fileSize));
      }
      in.endObject();
      if (in.peek() != JsonToken.END_DOCUMENT) {
        throw bad(file, "unexpected " + in.peek() + " after the header object at " + in.getPath());
      }
    }
    // File order: by data offset; zero-size tensors keep their header order among equals.
    List<Entry> entries = new ArrayList<>(byHeaderOrder.values());
    entries.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
    Map<String, Entry> ordered = new LinkedHashMap<>();
    for (Entry e : entries) {
      ordered.put(e.name, e);
    }
    return new Header(
        Collections.unmodifiableMap(ordered),
        metadata == null ? Map.of() : Collections.unmodifiableMap(metadata));
  }

  private static Map<String, String> parseMetadata(Path file, JsonReader in) throws IOException {
    if (in.peek() != JsonToken.BEGIN_OBJECT) {
      throw bad(file, "'" + METADATA_KEY + "' must be an object of strings, found " + in.peek());
    }
    Map<String, String> m = new LinkedHashMap<>();
    in.beginObject();
    while (in.hasNext()) {
      String key = in.nextName();
      if (in.peek() != JsonToken.STRING) {
        throw bad(
            file,
            "'" + METADATA_KEY + "' entry '" + key + "' must be a string, found " + in.peek());
      }
      if (m.put(key, in.nextString()) != null) {
        throw bad(file, "'" + METADATA_KEY + "' entry '" + key + "' appears twice");
      }
    }
    in.endObject();
    return m;
  }

  private static Entry parseTensor(
      Path file, JsonReader in, String name, long dataStart, long fileSize) throws IOException {
    String t = "tensor '" + name + "'";
    if (in.peek() != JsonToken.BEGIN_OBJECT) {
      throw bad(
          file, t + " must be an object with dtype, shape and data_offsets, found " + in.peek());
    }
    String dtype = null;
    long[] dims = null;
    long[] offsets = null;
    in.beginObject();
    while (in.hasNext()) {
      String key = in.nextName();
      switch (key) {
        case "dtype" -> {
          if (dtype != null || in.peek() != JsonToken.STRING) {
            throw bad(file, t + ": 'dtype' must be one string");
          }
          dtype = in.nextString();
        }
        case "shape" -> {
          if (dims != null) {
            throw bad(file, t + ": 'shape' appears twice");
          }
          dims = longArray(file, in, t, "shape");
        }
        case "data_offsets" -> {
          if (offsets != null) {
            throw bad(file, t + ": 'data_offsets' appears twice");
          }
          offsets = longArray(file, in, t, "data_offsets");
        }
        default ->
            throw bad(
                file, t + ": unknown field '" + key + "' (expected dtype, shape, data_offsets)");
      }
    }
    in.endObject();
    if (dtype == null || dims == null || offsets == null) {
      throw bad(
          file,
          t
              + ": missing "
              + (dtype == null ? "'dtype'" : dims == null ? "'shape'" : "'data_offsets'"));
    }
    Kind kind = Kind.parse(dtype);
    if (kind == null) {
      throw bad(
          file,
          t
              + ": unsupported dtype '"
              + dtype
              + "' (readable: "
              + Arrays.toString(Kind.values())
              + ")");
    }
    int[] intDims = new int[dims.length];
    long elements = 1;
    for (int i = 0; i < dims.length; i++) {
      if (dims[i] < 0) {
        throw bad(
            file, t + ": dimension " + i + " of shape " + Arrays.toString(dims) + " is negative");
      }
      if (dims[i] > Integer.MAX_VALUE) {
        throw bad(
            file,
            t
                + ": dimension "
                + i
                + " of shape "
                + Arrays.toString(dims)
                + " exceeds "
                + Integer.MAX_VALUE);
      }
      intDims[i] = (int) dims[i];
      elements = elements * dims[i];
      if (elements > Integer.MAX_VALUE) {
        // float[] limit; checking per step also keeps the product from overflowing a long.
        throw bad(
            file,
            t
                + ": shape "
                + Arrays.toString(dims)
                + " has more than "
                + Integer.MAX_VALUE
                + " elements");
      }
    }
    if (offsets.length != 2) {
      throw bad(
          file, t + ": 'data_offsets' must be [begin, end], found " + Arrays.toString(offsets));
    }
    long begin = offsets[0];
    long end = offsets[1];
    if (begin < 0 || end < begin) {
      throw bad(
          file, t + ": data_offsets [" + begin + ", " + end + "] must satisfy 0 <= begin <= end");
    }
    long expected = elements * kind.size;
    if (end - begin != expected) {
      throw bad(
          file,
          t
              + ": data_offsets ["
              + begin
              + ", "
              + end
              + "] span "
              + (end - begin)
              + " bytes but shape "
              + Arrays.toString(dims)
              + " of "
              + kind
              + " needs "
              + expected);
    }
    if (end > fileSize - dataStart) {
      throw bad(file, t + " ends at byte " + (dataStart + end) + " but the file has " + fileSize);
    }
    return new Entry(name, kind, Shape.of(intDims), dataStart + begin, dataStart + end);
  }

  private static long[] longArray(Path file, JsonReader in, String t, String field)
      throws IOException {
    if (in.peek() != JsonToken.BEGIN_ARRAY) {
      throw bad(file, t + ": '" + field + "' must be an array of integers, found " + in.peek());
    }
    List<Long> values = new ArrayList<>();
    in.beginArray();
    while (in.hasNext()) {
      if (in.peek() != JsonToken.NUMBER) {
        throw bad(file, t + ": '" + field + "' must hold integers, found " + in.peek());
      }
      String s = in.nextString();
      try {
        values.add(Long.parseLong(s));
      } catch (NumberFormatException e) {
        throw bad(file, t + ": '" + field + "' holds " + s + ", not a 64-bit integer");
      }
      if (values.size() > 64) {
        throw bad(file, t + ": '" + field + "' has more than 64 entries");
      }
    }
    in.endArray();
    long[] out = new long[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i);
    }
    return out;
  }

  /** The byte ranges must tile the data section exactly, as the reference implementation asks. */
  private static void checkTiling(
      Path file, Map<String, Entry> ordered, long dataStart, long fileSize) {
    long at = dataStart;
    Entry previous = null;
    for (Entry e : ordered.values()) {
      if (e.begin < at) {
        throw bad(
            file,
            "tensor '"
                + e.name
                + "' at data_offsets ["
                + (e.begin - dataStart)
                + ", "
                + (e.end - dataStart)
                + "] overlaps tensor '"
                + previous.name
                + "' at ["
                + (previous.begin - dataStart)
                + ", "
                + (previous.end - dataStart)
                + "]");
      }
      if (e.begin > at) {
        throw bad(
            file,
            "data bytes ["
                + (at - dataStart)
                + ", "
                + (e.begin - dataStart)
                + ") belong to no tensor (before '"
                + e.name
                + "')");
      }
      previous = e;
      at = e.end;
    }
    if (at != fileSize) {
      throw bad(
          file,
          "the tensors end at byte "
              + at
              + " but the file has "
              + fileSize
              + " bytes ("
              + (fileSize - at)
              + " trailing bytes belong to no tensor)");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Writing

  /**
   * Writes tensors to a safetensors file atomically: the bytes go to a temporary file in the same
   * directory, which is flushed to disk and then renamed over {@code file}, so a crash leaves
   * either the old file or the complete new one, never a torn file. The layout is Hugging Face's:
   * the header in the map's order, padded with spaces to a multiple of 8 bytes, then the data in
   * the same order.
   *
   * @param tensors tensors by name, written in iteration order
   * @param metadata the header's {@code __metadata__} strings (may be empty)
   * @param dtype the storage type: {@code F32}, {@code F16} or {@code BF16} (rounded to nearest
   *     even; values beyond the range become infinities)
   */
  public static void write(
      Path file, Map<String, TensorData> tensors, Map<String, String> metadata, DType dtype)
      throws IOException {
    Kind kind =
        switch (dtype) {
          case F32 -> Kind.F32;
          case F16 -> Kind.F16;
          case BF16 -> Kind.BF16;
          default ->
              throw new IllegalArgumentException(
                  "safetensors " + file + ": cannot write dtype " + dtype + " (F32, F16, BF16)");
        };
    byte[] header = headerBytes(file, tensors, metadata, kind);
    AtomicFiles.write(
        file,
        out -> {
          ByteBuffer buf = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
          buf.putLong(header.length);
          writeBytes(out, buf, header);
          for (TensorData t : tensors.values()) {
            float[] v = t.values();
            for (int i = 0; i < v.length; i++) {
              if (buf.remaining() < 4) {
                drain(out, buf);
              }
              switch (kind) {
                case F32 -> buf.putFloat(v[i]);
                case F16 -> buf.putShort(FloatFormats.floatToF16(v[i]));
                default -> buf.putShort(FloatFormats.floatToBf16(v[i]));
              }
            }
          }
          drain(out, buf);
        });
  }

  /** {@link #write} without metadata. */
  public static void write(Path file, Map<String, TensorData> tensors, DType dtype)
      throws IOException {
    write(file, tensors, Map.of(), dtype);
  }

  private static byte[] headerBytes(
      Path file, Map<String, TensorData> tensors, Map<String, String> metadata, Kind kind)
      throws IOException {
    StringWriter sw = new StringWriter();
    try (JsonWriter w = new JsonWriter(sw)) {
      w.beginObject();
      if (metadata != null && !metadata.isEmpty()) {
        w.name(METADATA_KEY).beginObject();
        for (Map.Entry<String, String> m : metadata.entrySet()) {
          w.name(m.getKey()).value(m.getValue());
        }
        w.endObject();
      }
      long offset = 0;
      for (Map.Entry<String, TensorData> t : tensors.entrySet()) {
        String name = t.getKey();
        if (name == null || name.isEmpty() || name.equals(METADATA_KEY)) {
          throw new IllegalArgumentException(
              "safetensors " + file + ": invalid tensor name '" + name + "'");
        }
        if (t.getValue() == null) {
          throw new IllegalArgumentException(
              "safetensors " + file + ": tensor '" + name + "' has no data");
        }
        Shape shape = t.getValue().shape();
        long bytes = (long) shape.size() * kind.size;
        w.name(name).beginObject();
        w.name("dtype").value(kind.name());
        w.name("shape").beginArray();
        for (int d : shape.dims()) {
          w.value(d);
        }
        w.endArray();
        w.name("data_offsets").beginArray().value(offset).value(offset + bytes).endArray();
        w.endObject();
        offset += bytes;
      }
      w.endObject();
    }
    byte[] json = sw.toString().getBytes(StandardCharsets.UTF_8);
    // Pad with spaces so the data starts 8-byte aligned, as Hugging Face's writer does.
    int padded = (json.length + 7) & ~7;
    byte[] header = Arrays.copyOf(json, padded);
    Arrays.fill(header, json.length, padded, (byte) ' ');
    return header;
  }

  private static void writeBytes(FileChannel out, ByteBuffer buf, byte[] bytes) throws IOException {
    int at = 0;
    while (at < bytes.length) {
      if (!buf.hasRemaining()) {
        drain(out, buf);
      }
      int n = Math.min(buf.remaining(), bytes.length - at);
      buf.put(bytes, at, n);
      at += n;
    }
  }

  private static void drain(FileChannel out, ByteBuffer buf) throws IOException {
    buf.flip();
    while (buf.hasRemaining()) {
      out.write(buf);
    }
    buf.clear();
  }
}
