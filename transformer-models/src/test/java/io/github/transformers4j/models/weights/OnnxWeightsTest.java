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
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OnnxWeights over small ONNX models written here with a minimal protobuf writer; the real MiniLM
 * and BGE files are read in {@code it}'s parity tests.
 */
class OnnxWeightsTest {

  @TempDir Path dir;

  /** A ModelProto with a MatMul weight, a packed float bias, a FLOAT16 and an INT64 tensor. */
  static byte[] model() {
    Proto matmul =
        new Proto()
            .string(1, "/embeddings/LayerNorm/Add_1_output_0")
            .string(1, "onnx::MatMul_787")
            .string(2, "/encoder/layer.0/attention/self/query/MatMul_output_0")
            .string(3, "/encoder/layer.0/attention/self/query/MatMul")
            .string(4, "MatMul");
    Proto add =
        new Proto()
            .string(1, "encoder.layer.0.attention.self.query.bias")
            .string(1, "/encoder/layer.0/attention/self/query/MatMul_output_0")
            .string(2, "out")
            .string(3, "/encoder/layer.0/attention/self/query/Add")
            .string(4, "Add");
    // [in = 2, out = 3]: MatMul layout; HF wants (3, 2).
    ByteBuffer raw = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : new float[] {1, 2, 3, 4, 5, 6}) {
      raw.putFloat(v);
    }
    Proto weight =
        new Proto()
            .packedVarints(1, 2, 3)
            .varint(2, 1)
            .string(8, "onnx::MatMul_787")
            .bytes(9, raw.array());
    ByteBuffer floats = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
    floats.putFloat(0.5f).putFloat(-1f).putFloat(2f);
    Proto bias =
        new Proto()
            .varint(1, 3)
            .varint(2, 1)
            .string(8, "encoder.layer.0.attention.self.query.bias")
            .bytes(4, floats.array());
    Proto half =
        new Proto()
            .varint(1, 2)
            .varint(2, 10)
            .string(8, "h")
            .packedVarints(5, 0x3c00, 0xc100); // 1.0, -2.5 as binary16 bits
    Proto ids =
        new Proto()
            .varint(1, 1)
            .varint(1, 3)
            .varint(2, 7)
            .string(8, "position_ids")
            .varint(7, 0)
            .varint(7, 1)
            .varint(7, -1);
    Proto graph =
        new Proto()
            .message(1, matmul)
            .message(1, add)
            .string(2, "main")
            .message(5, weight)
            .message(5, bias)
            .message(5, half)
            .message(5, ids);
    return new Proto().varint(1, 8).string(2, "pytorch").message(7, graph).bytes();
  }

  @Test
  void readsInitializersUnderHfNamesWithMatMulWeightsTransposed() throws IOException {
    Path f = dir.resolve("m.onnx");
    Files.write(f, model());
    try (OnnxWeights w = OnnxWeights.open(f)) {
      assertEquals(
          List.of(
              "encoder.layer.0.attention.self.query.weight",
              "encoder.layer.0.attention.self.query.bias",
              "h",
              "position_ids"),
          List.copyOf(w.names()));
      String q = "encoder.layer.0.attention.self.query.weight";
      assertEquals(Shape.of(3, 2), w.shape(q));
      assertEquals("onnx::MatMul_787", w.onnxName(q));
      // [[1,2,3],[4,5,6]] transposed
      assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, w.floats(q));
      assertArrayEquals(
          new float[] {0.5f, -1f, 2f}, w.floats("encoder.layer.0.attention.self.query.bias"));
      assertEquals(DType.F16, w.storedAs("h"));
      assertArrayEquals(new float[] {1f, -2.5f}, w.floats("h"));
      assertEquals(Shape.of(1, 3), w.shape("position_ids"));
      assertArrayEquals(new float[] {0, 1, -1}, w.floats("position_ids"));
      assertEquals(2, w.nodes().size());
      assertEquals("MatMul", w.nodes().get(0).opType());
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> w.floats("nope"));
      assertTrue(e.getMessage().contains("no initializer 'nope'"), e.getMessage());
    }
  }

  /** An initializer of data type {@code dtype} holding {@code raw} as its raw_data. */
  private static Proto rawTensor(String name, int dtype, byte[] raw, int n) {
    return new Proto().varint(1, n).varint(2, dtype).string(8, name).bytes(9, raw);
  }

  private static byte[] le(int bytesEach, long... values) {
    ByteBuffer b = ByteBuffer.allocate(bytesEach * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (long v : values) {
      switch (bytesEach) {
        case 1 -> b.put((byte) v);
        case 2 -> b.putShort((short) v);
        case 4 -> b.putInt((int) v);
        default -> b.putLong(v);
      }
    }
    return b.array();
  }

  /**
   * raw_data of every numeric type converts as a cast (unsigned types from their unsigned value,
   * UINT64 above 2^63 too, BOOL to 0 or 1), little-endian, element by element.
   */
  @Test
  void rawDataOfEveryNumericTypeConvertsAsACast() {
    ByteBuffer doubles = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
    doubles.putDouble(1.5).putDouble(-2.25).putDouble(1e10);
    Proto graph =
        new Proto()
            .message(5, rawTensor("u8", 2, le(1, 0, 200, 255), 3))
            .message(5, rawTensor("i8", 3, le(1, 0, -56, 127), 3))
            .message(5, rawTensor("u16", 4, le(2, 1, 0xffff, 40000), 3))
            .message(5, rawTensor("i16", 5, le(2, 1, -1, -30000), 3))
            .message(5, rawTensor("i32", 6, le(4, 7, -7, Integer.MAX_VALUE), 3))
            .message(5, rawTensor("i64", 7, le(8, 5, -5, 1L << 40), 3))
            .message(5, rawTensor("bool", 9, le(1, 0, 1, 7), 3))
            .message(5, rawTensor("f16", 10, le(2, 0x3c00, 0xc100, 0x7bff), 3))
            .message(5, rawTensor("f64", 11, doubles.array(), 3))
            .message(5, rawTensor("u32", 12, le(4, 7, 0xffffffffL, 3_000_000_000L), 3))
            .message(5, rawTensor("u64", 13, le(8, 5, -1, Long.MIN_VALUE), 3))
            .message(5, rawTensor("bf16", 16, le(2, 0x3f80, 0xc040, 0x4049), 3));
    byte[] model = new Proto().varint(1, 8).message(7, graph).bytes();
    try (OnnxWeights w = OnnxWeights.read(model, "types.onnx")) {
      assertArrayEquals(new float[] {0, 200, 255}, w.floats("u8"));
      assertArrayEquals(new float[] {0, -56, 127}, w.floats("i8"));
      assertArrayEquals(new float[] {1, 65535, 40000}, w.floats("u16"));
      assertArrayEquals(new float[] {1, -1, -30000}, w.floats("i16"));
      assertArrayEquals(new float[] {7, -7, 2147483647f}, w.floats("i32"));
      assertArrayEquals(new float[] {5, -5, 1099511627776f}, w.floats("i64"));
      assertArrayEquals(new float[] {0, 1, 1}, w.floats("bool"));
      assertArrayEquals(new float[] {1, -2.5f, 65504}, w.floats("f16"));
      assertArrayEquals(new float[] {1.5f, -2.25f, 1e10f}, w.floats("f64"));
      assertArrayEquals(new float[] {7, 4294967295f, 3e9f}, w.floats("u32"));
      assertArrayEquals(new float[] {5, 18446744073709551615f, 9223372036854775808f}, w.floats("u64"));
      assertArrayEquals(new float[] {1, -3, 3.140625f}, w.floats("bf16"));
      assertEquals(DType.F32, w.storedAs("f64"));
      assertEquals(DType.BF16, w.storedAs("bf16"));
    }
  }

  @Test
  void streamAndFileGiveTheSameWeights() throws IOException {
    try (OnnxWeights a = OnnxWeights.read(new java.io.ByteArrayInputStream(model()), "mem")) {
      assertEquals(4, a.names().size());
      assertTrue(a.toString().contains("mem"));
    }
  }

  @Test
  void truncatedModelNamesTheOffsetAndField() {
    byte[] m = model();
    byte[] cut = Arrays.copyOf(m, m.length - 10);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> OnnxWeights.read(cut, "cut.onnx"));
    assertTrue(
        e.getMessage()
            .matches(
                "onnx cut\\.onnx: malformed protobuf at byte \\d+ in ModelProto:"
                    + " ModelProto\\.graph: length \\d+ runs past the end of the message at byte"
                    + " \\d+.*"),
        e.getMessage());
  }

  @Test
  void rawDataOfTheWrongSizeNamesTheInitializer() {
    Proto t =
        new Proto().varint(1, 2).varint(1, 2).varint(2, 1).string(8, "w").bytes(9, new byte[12]);
    byte[] m = new Proto().message(7, new Proto().message(5, t)).bytes();
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> OnnxWeights.read(m, "x.onnx"));
    assertTrue(
        e.getMessage()
            .contains(
                "initializer 'w' (TensorProto at byte 4) of FLOAT dims [2, 2] needs 16 bytes of"
                    + " raw_data but has 12"),
        e.getMessage());
  }

  @Test
  void otherMalformedModels() {
    assertMessage(new Proto().varint(1, 8).bytes(), "no graph (ModelProto field 7)");
    assertMessage(new byte[] {(byte) 0x3b}, "field 7 has wire type 3 (groups are not supported)");
    assertMessage(
        new byte[] {(byte) 0x08, (byte) 0xff, (byte) 0xff},
        "ModelProto: field 1: varint runs past the end of the message at byte 3");
    Proto ext = new Proto().varint(1, 1).varint(2, 1).string(8, "w").varint(14, 1);
    assertMessage(
        new Proto().message(7, new Proto().message(5, ext)).bytes(),
        "initializer 'w' (TensorProto at byte 4) keeps its data in an external file");
    Proto floats = new Proto().varint(1, 3).varint(2, 1).string(8, "w").bytes(4, new byte[8]);
    assertMessage(
        new Proto().message(7, new Proto().message(5, floats)).bytes(),
        "initializer 'w' (TensorProto at byte 4) dims [3] need 3 elements but it holds 2");
    Proto neg = new Proto().varint(1, -2).varint(2, 1).string(8, "w");
    assertMessage(
        new Proto().message(7, new Proto().message(5, neg)).bytes(),
        "initializer 'w' (TensorProto at byte 4) has dimension 0 = -2 in [-2]");
    Proto noName = new Proto().varint(1, 1).varint(2, 1).bytes(9, new byte[4]);
    assertMessage(new Proto().message(7, new Proto().message(5, noName)).bytes(), "has no name");
  }

  /**
   * Issue 12's SentencePiece hang, fed to the ONNX reader: a length varint near 2^63 after the key
   * of ModelProto.graph (7), of an unknown field (15) and of field 2. Its reader compares the length
   * with the bytes left, so {@code pos + len} never overflows; this keeps it so.
   */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(
      strings = {"3af6ffffffffffffff7f", "7af6ffffffffffffff7f", "12f6ffffffffffffff7f"})
  void lengthNear2To63IsAnErrorNotAHang(String hex) {
    byte[] model = java.util.HexFormat.of().parseHex(hex);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
                    java.time.Duration.ofSeconds(10), () -> OnnxWeights.read(model, "bad.onnx")));
    assertTrue(e.getMessage().startsWith("onnx bad.onnx: malformed protobuf at byte 1"), e.getMessage());
    assertTrue(e.getMessage().contains("runs past the end"), e.getMessage());
  }

  @Test
  void longNamesAndDimsFromTheFileAreCutInMessages() {
    String name = "w".repeat(5000);
    Proto dims = new Proto();
    for (int i = 0; i < 2000; i++) {
      dims.varint(1, 1);
    }
    Proto t = dims.varint(2, 1).string(8, name).bytes(9, new byte[8]);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> OnnxWeights.read(new Proto().message(7, new Proto().message(5, t)).bytes(), "x.onnx"));
    assertTrue(e.getMessage().length() <= 300, e.getMessage().length() + ": " + e.getMessage());
    assertTrue(e.getMessage().contains("needs 4 bytes of raw_data but has 8"), e.getMessage());
  }

  private static void assertMessage(byte[] model, String expected) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> OnnxWeights.read(model, "bad.onnx"));
    assertTrue(e.getMessage().startsWith("onnx bad.onnx: "), e.getMessage());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  @Test
  void randomCorruptionOnlyEverGivesIllegalArgumentExceptions() {
    long seed = 0x0ecc5L;
    Random random = new Random(seed);
    byte[] original = model();
    int accepted = 0;
    for (int iter = 0; iter < 5000; iter++) {
      byte[] b = original.clone();
      if (random.nextInt(4) == 0) {
        b = Arrays.copyOf(b, random.nextInt(b.length));
      } else {
        for (int k = 1 + random.nextInt(3); k > 0; k--) {
          b[random.nextInt(b.length)] = (byte) random.nextInt(256);
        }
      }
      try (OnnxWeights w = OnnxWeights.read(b, "fuzz.onnx")) {
        for (String name : w.names()) {
          assertEquals(w.shape(name).size(), w.floats(name).length);
        }
        accepted++;
      } catch (IllegalArgumentException e) {
        assertTrue(e.getMessage().startsWith("onnx fuzz.onnx: "), e.getMessage());
      } catch (Throwable t) {
        fail("seed " + seed + ", iteration " + iter + ": " + t, t);
      }
    }
    assertTrue(accepted > 100, accepted + " accepted");
  }

  /** A minimal protobuf writer for building test models. */
  static final class Proto {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Proto varint(int field, long value) {
      tag(field, 0);
      raw(value);
      return this;
    }

    Proto bytes(int field, byte[] value) {
      tag(field, 2);
      raw(value.length);
      out.writeBytes(value);
      return this;
    }

    Proto string(int field, String value) {
      return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    Proto message(int field, Proto m) {
      return bytes(field, m.bytes());
    }

    Proto packedVarints(int field, long... values) {
      Proto p = new Proto();
      for (long v : values) {
        p.raw(v);
      }
      return bytes(field, p.bytes());
    }

    byte[] bytes() {
      return out.toByteArray();
    }

    private void tag(int field, int wire) {
      raw(((long) field << 3) | wire);
    }

    private void raw(long v) {
      while ((v & ~0x7fL) != 0) {
        out.write((int) ((v & 0x7f) | 0x80));
        v >>>= 7;
      }
      out.write((int) v);
    }
  }
}
