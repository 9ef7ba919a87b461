package io.github.transformers4j.models.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.transformers4j.api.DType;
import io.github.transformers4j.api.Shape;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SafeTensorsTest {

  @TempDir Path dir;

  // ---------------------------------------------------------------------------------------------
  // Round trips

  private static final float[] SPECIALS = {
    0f,
    -0f,
    1f,
    -2.5f,
    0.1f,
    65504f,
    -65504f,
    0x1p-24f,
    0x1p-14f,
    1023 * 0x1p-24f,
    1e-8f,
    1e38f,
    0x1p-133f,
    Float.MIN_VALUE,
    Float.MAX_VALUE,
    Float.POSITIVE_INFINITY,
    Float.NEGATIVE_INFINITY,
    Float.NaN
  };

  @Test
  void f32RoundTripIsBitExact() throws IOException {
    Path f = dir.resolve("f32.safetensors");
    Map<String, TensorData> in = new LinkedHashMap<>();
    in.put("specials", TensorData.of(SPECIALS.clone(), 2, 9));
    in.put("ramp", TensorData.of(ramp(3 * 5 * 7), 3, 5, 7));
    in.put("scalar", TensorData.of(new float[] {42f}));
    in.put("empty", TensorData.of(new float[0], 0, 4));
    SafeTensors.write(f, in, Map.of("format", "pt", "note", "quotes \" and \\ and ü"), DType.F32);
    try (SafeTensors st = SafeTensors.open(f)) {
      assertEquals(List.of("specials", "ramp", "scalar", "empty"), new ArrayList<>(st.names()));
      assertEquals(Map.of("format", "pt", "note", "quotes \" and \\ and ü"), st.metadata());
      for (Map.Entry<String, TensorData> e : in.entrySet()) {
        assertEquals(e.getValue().shape(), st.shape(e.getKey()));
        assertEquals(DType.F32, st.storedAs(e.getKey()));
        float[] got = st.floats(e.getKey());
        float[] want = e.getValue().values();
        for (int i = 0; i < want.length; i++) {
          assertEquals(Float.floatToIntBits(want[i]), Float.floatToIntBits(got[i]), e.getKey());
        }
      }
      assertEquals(Shape.scalar(), st.shape("scalar"));
    }
  }

  @Test
  void f16RoundTripIsExactWhereRepresentableAndRoundsElsewhere() throws IOException {
    float[] exact = {
      0f,
      -0f,
      1f,
      -2.5f,
      65504f,
      -65504f,
      0x1p-24f,
      0x1p-14f,
      1023 * 0x1p-24f,
      Float.POSITIVE_INFINITY,
      Float.NEGATIVE_INFINITY,
      Float.NaN
    };
    float[] rounded = {65520f, 1e-8f, 1f + 0x1p-11f, 1f + 3 * 0x1p-11f, 0.1f, 1e38f};
    float[] want = {
      Float.POSITIVE_INFINITY, 0f, 1f, 1f + 0x1p-9f, 0.0999755859375f, Float.POSITIVE_INFINITY
    };
    Path f = dir.resolve("f16.safetensors");
    SafeTensors.write(
        f,
        Map.of("exact", TensorData.of(exact, 12), "rounded", TensorData.of(rounded, 2, 3)),
        DType.F16);
    try (SafeTensors st = SafeTensors.open(f)) {
      assertEquals(DType.F16, st.storedAs("exact"));
      assertEquals("F16", st.dtype("exact"));
      assertBits(exact, st.floats("exact"));
      assertBits(want, st.floats("rounded"));
    }
  }

  @Test
  void bf16RoundTripIsExactWhereRepresentableAndRoundsElsewhere() throws IOException {
    float[] exact = {
      0f,
      -0f,
      1f,
      -2.5f,
      0x1p-133f,
      0x1p-126f,
      3.3895314e38f,
      Float.POSITIVE_INFINITY,
      Float.NEGATIVE_INFINITY,
      Float.NaN
    };
    float[] rounded = {1f + 0x1p-8f, 1f + 3 * 0x1p-8f, Float.MIN_VALUE, Float.MAX_VALUE};
    float[] want = {1f, 1f + 0x1p-6f, 0f, Float.POSITIVE_INFINITY};
    Path f = dir.resolve("bf16.safetensors");
    Map<String, TensorData> in = new LinkedHashMap<>();
    in.put("exact", TensorData.of(exact, 10));
    in.put("rounded", TensorData.of(rounded, 4));
    SafeTensors.write(f, in, DType.BF16);
    try (SafeTensors st = SafeTensors.open(f)) {
      assertEquals(DType.BF16, st.storedAs("rounded"));
      assertBits(exact, st.floats("exact"));
      assertBits(want, st.floats("rounded"));
    }
  }

  @Test
  void headerIsPaddedWithSpacesToEightBytes() throws IOException {
    Path f = dir.resolve("pad.safetensors");
    for (int len = 1; len < 12; len++) {
      SafeTensors.write(f, Map.of("x".repeat(len), TensorData.of(new float[] {1}, 1)), DType.F32);
      byte[] bytes = Files.readAllBytes(f);
      long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
      assertEquals(0, n % 8, "header length " + n);
      assertEquals('{', bytes[8]);
      String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
      assertTrue(header.stripTrailing().endsWith("}"), header);
      assertTrue(header.substring(header.lastIndexOf('}') + 1).chars().allMatch(c -> c == ' '));
      assertEquals(8 + n + 4, bytes.length);
    }
  }

  @Test
  void writeIsAtomicAndLeavesNoTemporaryFile() throws IOException {
    Path f = dir.resolve("model.safetensors");
    SafeTensors.write(f, Map.of("a", TensorData.of(new float[] {1, 2}, 2)), DType.F32);
    SafeTensors.write(f, Map.of("b", TensorData.of(new float[] {3}, 1)), DType.F32);
    try (SafeTensors st = SafeTensors.open(f)) {
      assertEquals(List.of("b"), new ArrayList<>(st.names()));
    }
    // A write that fails halfway (a bad name is found while the header is built) keeps the old
    // file and removes its temporary file.
    Map<String, TensorData> bad = new LinkedHashMap<>();
    bad.put("c", TensorData.of(new float[] {4}, 1));
    bad.put("__metadata__", TensorData.of(new float[] {5}, 1));
    assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(f, bad, DType.F32));
    try (SafeTensors st = SafeTensors.open(f);
        Stream<Path> files = Files.list(dir)) {
      assertArrayEquals(new float[] {3}, st.floats("b"));
      assertEquals(List.of(f), files.toList());
    }
    assertThrows(
        IllegalArgumentException.class,
        () -> SafeTensors.write(f, Map.of("d", TensorData.of(new float[] {1}, 1)), DType.I32));
  }

  @Test
  void readsOtherDtypesAsByACast() throws IOException {
    ByteBuffer data = ByteBuffer.allocate(8 * 2 + 8 * 2 + 2 + 1 + 1).order(ByteOrder.LITTLE_ENDIAN);
    data.putDouble(0.5).putDouble(-1e300);
    data.putLong(7).putLong(-3);
    data.putShort((short) -2);
    data.put((byte) 200);
    data.put((byte) 1);
    String header =
        "{\"d\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]},"
            + "\"l\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[16,32]},"
            + "\"s\":{\"dtype\":\"I16\",\"shape\":[1],\"data_offsets\":[32,34]},"
            + "\"u\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[34,35]},"
            + "\"b\":{\"dtype\":\"BOOL\",\"shape\":[1],\"data_offsets\":[35,36]}}";
    Path f = raw("other.safetensors", header, data.array());
    try (SafeTensors st = SafeTensors.open(f)) {
      assertArrayEquals(new float[] {0.5f, Float.NEGATIVE_INFINITY}, st.floats("d"));
      assertArrayEquals(new float[] {7, -3}, st.floats("l"));
      assertEquals(DType.I32, st.storedAs("l"));
      assertEquals("I64", st.dtype("l"));
      assertArrayEquals(new float[] {-2}, st.floats("s"));
      assertArrayEquals(new float[] {200}, st.floats("u"));
      assertArrayEquals(new float[] {1}, st.floats("b"));
    }
  }

  @Test
  void readsInSeveralMappingsWhenATensorIsLarge() throws IOException {
    Path f = dir.resolve("chunks.safetensors");
    float[] values = ramp(1000);
    SafeTensors.write(f, Map.of("w", TensorData.of(values, 10, 100)), DType.F16);
    try (SafeTensors st = SafeTensors.open(f)) {
      float[] whole = st.floats("w");
      for (long chunk : new long[] {2, 6, 14, 1998, 2000, 4096}) {
        assertArrayEquals(whole, st.floats("w", chunk), "chunk " + chunk);
      }
    }
  }

  @Test
  void readsTensorsBeyondTwoGigabytes() throws IOException {
    // A sparse file: two 1.1 GB U8 tensors that are never read, then a small F32 tensor whose
    // bytes start beyond 2^31, where a single whole-file mapping could not reach.
    long pad = 1_100_000_000L;
    String header =
        "{\"pad0\":{\"dtype\":\"U8\",\"shape\":["
            + pad
            + "],\"data_offsets\":[0,"
            + pad
            + "]},\"pad1\":{\"dtype\":\"U8\",\"shape\":["
            + pad
            + "],\"data_offsets\":["
            + pad
            + ","
            + 2 * pad
            + "]},\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":["
            + 2 * pad
            + ","
            + (2 * pad + 12)
            + "]}}";
    Path f = raw("big.safetensors", header, new byte[0]);
    long dataStart = Files.size(f);
    try (RandomAccessFile file = new RandomAccessFile(f.toFile(), "rw")) {
      file.setLength(dataStart + 2 * pad + 12);
      file.seek(dataStart + 2 * pad);
      ByteBuffer w = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
      w.putFloat(1.5f).putFloat(-2f).putFloat(3.25f);
      file.write(w.array());
    }
    try (SafeTensors st = SafeTensors.open(f)) {
      assertArrayEquals(new float[] {1.5f, -2f, 3.25f}, st.floats("w"));
    }
  }

  @Test
  void namesAndClosedFilesFailClearly() throws IOException {
    Path f = dir.resolve("n.safetensors");
    SafeTensors.write(f, Map.of("a", TensorData.of(new float[] {1}, 1)), DType.F32);
    SafeTensors st = SafeTensors.open(f);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> st.floats("b"));
    assertTrue(
        e.getMessage().contains("no tensor 'b'") && e.getMessage().contains("'a'"), e.getMessage());
    st.close();
    assertThrows(IllegalStateException.class, () -> st.floats("a"));
  }

  @Test
  void truncationAfterOpenIsAnIoErrorNamingTheTensor() throws IOException {
    Path f = dir.resolve("t.safetensors");
    SafeTensors.write(f, Map.of("w", TensorData.of(ramp(16), 16)), DType.F32);
    try (SafeTensors st = SafeTensors.open(f)) {
      try (RandomAccessFile file = new RandomAccessFile(f.toFile(), "rw")) {
        file.setLength(file.length() - 4);
      }
      UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> st.floats("w"));
      assertTrue(e.getMessage().contains("tensor 'w'"), e.getMessage());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The real fixture

  @Test
  void readsTheTinyGpt2Fixture() throws IOException {
    Path f = io.github.transformers4j.api.testing.SharedData.require("models/tiny-random-gpt2/model.safetensors");
    try (SafeTensors st = SafeTensors.open(f)) {
      assertEquals(64, st.names().size());
      assertEquals("transformer.wte.weight", st.names().iterator().next());
      assertEquals("pt", st.metadata().get("format"));
      assertEquals(Shape.of(1000, 32), st.shape("transformer.wte.weight"));
      assertEquals(Shape.of(32, 96), st.shape("transformer.h.0.attn.c_attn.weight"));
      float[] proj = st.floats("transformer.h.4.mlp.c_proj.weight");
      assertEquals(128 * 32, proj.length);
      // Values read independently with Python's struct module.
      assertArrayEquals(
          new float[] {-0.009689397178590298f, -0.017612136900424957f, -0.00803966261446476f},
          new float[] {proj[0], proj[1], proj[2]});
      double sum = 0;
      for (float v : st.floats("transformer.wte.weight")) {
        sum += v;
      }
      assertEquals(0.07420032310841407, sum, 1e-9);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Malformed files

  static Stream<Arguments> malformed() {
    String w16 = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}";
    return Stream.of(
        Arguments.of(
            "too short",
            bytes(1, 2, 3, 4, 5),
            "the file has 5 bytes, too few for the 8-byte header length"),
        Arguments.of(
            "header length beyond the file",
            withLength(1000, "{}", 0),
            "header length 1000 runs past the end of the file (10 bytes, so at most 2)"),
        Arguments.of(
            "header length negative as a signed long",
            withLength(-1, "{}", 0),
            "header length 18446744073709551615 runs past the end of the file"),
        Arguments.of("bad JSON", file("{\"w\":{\"dtype\":\"F32\",", 0), "malformed JSON"),
        Arguments.of("not an object", file("[1, 2]", 0), "does not start with '{' but with '['"),
        Arguments.of("trailing garbage", file("{} x", 0), "malformed JSON"),
        Arguments.of(
            "invalid UTF-8",
            withBytes(new byte[] {'{', '"', (byte) 0xc3, '"', '}'}),
            "not valid UTF-8"),
        Arguments.of(
            "unknown dtype",
            file("{\"w\":{\"dtype\":\"F8_E4M3\",\"shape\":[2],\"data_offsets\":[0,2]}}", 2),
            "tensor 'w': unsupported dtype 'F8_E4M3' (readable: [F64, F32, F16, BF16,"),
        Arguments.of(
            "negative dimension",
            file("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1,2],\"data_offsets\":[0,8]}}", 8),
            "tensor 'w': dimension 0 of shape [-1, 2] is negative"),
        Arguments.of(
            "too many elements",
            file("{\"w\":{\"dtype\":\"U8\",\"shape\":[65536,65536],\"data_offsets\":[0,8]}}", 8),
            "tensor 'w': shape [65536, 65536] has more than 2147483647 elements"),
        Arguments.of(
            "offsets mismatched with shape",
            file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,12]}}", 12),
            "tensor 'w': data_offsets [0, 12] span 12 bytes but shape [2, 2] of F32 needs 16"),
        Arguments.of(
            "offsets reversed",
            file("{\"w\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[16,0]}}", 16),
            "tensor 'w': data_offsets [16, 0] must satisfy 0 <= begin <= end"),
        Arguments.of(
            "three offsets",
            file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}", 8),
            "tensor 'w': 'data_offsets' must be [begin, end], found [0, 4, 8]"),
        Arguments.of(
            "fractional offset",
            file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4.5]}}", 8),
            "tensor 'w': 'data_offsets' holds 4.5, not a 64-bit integer"),
        Arguments.of(
            "truncated data",
            file(w16, 10),
            "safetensors header: tensor 'w' ends at byte 81 but the file has 75"),
        Arguments.of(
            "offsets beyond the file",
            file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4000,4004]}}", 4),
            "tensor 'w' ends at byte 4072 but the file has 72"),
        Arguments.of(
            "overlapping",
            file(
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                    + "\"b\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[8,24]}}",
                24),
            "tensor 'b' at data_offsets [8, 24] overlaps tensor 'a' at [0, 16]"),
        Arguments.of(
            "gap",
            file(
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                    + "\"b\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[20,36]}}",
                36),
            "data bytes [16, 20) belong to no tensor (before 'b')"),
        Arguments.of("trailing data", file(w16, 20), "4 trailing bytes belong to no tensor"),
        Arguments.of(
            "duplicate tensor",
            file(
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                    + "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
                8),
            "tensor 'w' appears twice"),
        Arguments.of(
            "missing offsets",
            file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4),
            "tensor 'w': missing 'data_offsets'"),
        Arguments.of(
            "unknown field",
            file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"x\":1}}", 4),
            "tensor 'w': unknown field 'x' (expected dtype, shape, data_offsets)"),
        Arguments.of(
            "shape of strings",
            file("{\"w\":{\"dtype\":\"F32\",\"shape\":[\"2\"],\"data_offsets\":[0,8]}}", 8),
            "tensor 'w': 'shape' must hold integers, found STRING"),
        Arguments.of(
            "metadata not strings",
            file("{\"__metadata__\":{\"k\":1}}", 0),
            "'__metadata__' entry 'k' must be a string, found NUMBER"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformed")
  void malformedFilesFailNamingTheFileAndTensor(String what, byte[] content, String expected)
      throws IOException {
    Path f = dir.resolve("bad.safetensors");
    Files.write(f, content);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> SafeTensors.open(f).close(), what);
    assertTrue(e.getMessage().contains(expected), what + ": " + e.getMessage());
    assertTrue(e.getMessage().contains(f.toString()), "names the file: " + e.getMessage());
    assertTrue(e.getMessage().startsWith("safetensors header: "), e.getMessage());
  }

  // ---------------------------------------------------------------------------------------------
  // Fuzz

  @Test
  void randomCorruptionOnlyEverGivesIllegalArgumentOrIoExceptions() throws IOException {
    long seed = 0x5afe7e45L;
    Random random = new Random(seed);
    Path good = dir.resolve("good.safetensors");
    Map<String, TensorData> in = new LinkedHashMap<>();
    in.put("h.0.attn.c_attn.weight", TensorData.of(ramp(24), 4, 6));
    in.put("h.0.attn.c_attn.bias", TensorData.of(ramp(6), 6));
    in.put("ln_f.weight", TensorData.of(ramp(4), 4));
    SafeTensors.write(good, in, Map.of("format", "pt"), DType.BF16);
    byte[] original = Files.readAllBytes(good);
    Path f = dir.resolve("fuzz.safetensors");
    int accepted = 0;
    int rejected = 0;
    for (int iter = 0; iter < 1500; iter++) {
      byte[] b = corrupt(original, random);
      Files.write(f, b);
      try (SafeTensors st = SafeTensors.open(f)) {
        for (String name : st.names()) {
          float[] v = st.floats(name);
          assertEquals(st.shape(name).size(), v.length);
        }
        accepted++;
      } catch (IllegalArgumentException | IOException | UncheckedIOException e) {
        rejected++;
      } catch (Throwable t) {
        fail("seed " + seed + ", iteration " + iter + ": " + t, t);
      }
    }
    assertTrue(rejected > 500 && accepted > 5, accepted + " accepted, " + rejected + " rejected");
  }

  private static byte[] corrupt(byte[] original, Random random) {
    byte[] b = original.clone();
    long headerEnd = 8 + ByteBuffer.wrap(original).order(ByteOrder.LITTLE_ENDIAN).getLong();
    switch (random.nextInt(5)) {
      case 0 -> { // truncate anywhere
        return java.util.Arrays.copyOf(b, random.nextInt(b.length));
      }
      case 1 -> { // a random header length
        ByteBuffer.wrap(b)
            .order(ByteOrder.LITTLE_ENDIAN)
            .putLong(0, random.nextBoolean() ? random.nextLong() : random.nextInt(b.length + 16));
      }
      case 2 -> { // flip bytes in the header: digits, quotes, brackets and random bytes
        String alphabet = "0123456789-\"{}[],:. eE";
        for (int k = 1 + random.nextInt(3); k > 0; k--) {
          int at = 8 + random.nextInt((int) headerEnd - 8);
          b[at] =
              random.nextBoolean()
                  ? (byte) alphabet.charAt(random.nextInt(alphabet.length()))
                  : (byte) random.nextInt(256);
        }
      }
      case 3 -> { // replace a digit in the header by another, keeping the JSON well formed
        int at = 8 + random.nextInt((int) headerEnd - 8);
        for (int i = at; i < headerEnd; i++) {
          if (Character.isDigit(b[i])) {
            b[i] = (byte) ('0' + random.nextInt(10));
            break;
          }
        }
      }
      default -> { // corrupt the data bytes only: must still read
        for (int k = 0; k < 4 && b.length > headerEnd; k++) {
          b[(int) headerEnd + random.nextInt((int) (b.length - headerEnd))] =
              (byte) random.nextInt(256);
        }
      }
    }
    return b;
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  private static float[] ramp(int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (i - n / 2f) * 0.37f;
    }
    return v;
  }

  private static void assertBits(float[] want, float[] got) {
    assertEquals(want.length, got.length);
    for (int i = 0; i < want.length; i++) {
      assertEquals(
          Float.floatToIntBits(want[i]),
          Float.floatToIntBits(got[i]),
          "element " + i + ": want " + want[i] + ", got " + got[i]);
    }
  }

  private Path raw(String name, String header, byte[] data) throws IOException {
    Path f = dir.resolve(name);
    Files.write(f, file(header, data));
    return f;
  }

  private static byte[] bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) values[i];
    }
    return b;
  }

  /** A file with the header (unpadded) and {@code dataBytes} zero bytes of data. */
  private static byte[] file(String header, int dataBytes) {
    return file(header, new byte[dataBytes]);
  }

  private static byte[] file(String header, byte[] data) {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    return concat(h.length, h, data);
  }

  private static byte[] withLength(long headerLength, String header, int dataBytes) {
    return concat(headerLength, header.getBytes(StandardCharsets.UTF_8), new byte[dataBytes]);
  }

  private static byte[] withBytes(byte[] header) {
    return concat(header.length, header, new byte[0]);
  }

  private static byte[] concat(long headerLength, byte[] header, byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(headerLength);
    out.writeBytes(len.array());
    out.writeBytes(header);
    out.writeBytes(data);
    return out.toByteArray();
  }
}
