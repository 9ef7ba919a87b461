package io.github.transformers4j.models.weights;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A bounds-checked cursor over one protobuf message in a buffer: just enough wire format (varint,
 * 32- and 64-bit, length-delimited) to walk ONNX files without a protobuf library. Every read is
 * checked against the end of the enclosing message, so a malformed file fails with the byte offset
 * and the field being read, never with an out-of-bounds read.
 */
final class ProtoReader {
  static final int VARINT = 0;
  static final int I64 = 1;
  static final int LEN = 2;
  static final int I32 = 5;

  private final ByteBuffer buf;
  private final String source;
  private final String message;
  private int pos;
  private final int end;
  private int field;
  private int wire;

  /** A reader of the message {@code message} (for errors) in {@code buf[start, end)}. */
  ProtoReader(ByteBuffer buf, String source, String message, int start, int end) {
    this.buf = buf;
    this.source = source;
    this.message = message;
    this.pos = start;
    this.end = end;
  }

  /** Whether another field follows. */
  boolean hasNext() {
    return pos < end;
  }

  /** Reads the next tag; returns its field number ({@link #wire()} gives the wire type). */
  int next() {
    int at = pos;
    long tag = varint("tag");
    field = (int) (tag >>> 3);
    wire = (int) (tag & 7);
    if (tag >>> 3 == 0 || tag >>> 3 > 0x1fffffff) {
      throw error(at, "field number " + (tag >>> 3) + " is invalid");
    }
    if (wire != VARINT && wire != I64 && wire != LEN && wire != I32) {
      throw error(
          at,
          "field "
              + field
              + " has wire type "
              + wire
              + (wire == 3 || wire == 4 ? " (groups are not supported)" : " (invalid)"));
    }
    return field;
  }

  int wire() {
    return wire;
  }

  /** The offset of the next byte to read. */
  int position() {
    return pos;
  }

  /** Reads a varint; {@code what} names it in errors. */
  long varint(String what) {
    int at = pos;
    long result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos >= end) {
        throw error(at, what + ": varint runs past the end of the message at byte " + end);
      }
      byte b = buf.get(pos++);
      result |= (long) (b & 0x7f) << shift;
      if (b >= 0) {
        return result;
      }
    }
    throw error(at, what + ": varint longer than 10 bytes");
  }

  /** Reads a varint field's value, checking that the wire type is a varint. */
  long varintField(String name) {
    expect(VARINT, name);
    return varint(name);
  }

  /**
   * Reads a length-delimited field's extent; returns {@code {start, end}} of its bytes and moves
   * past them.
   */
  int[] lengthDelimited(String name) {
    expect(LEN, name);
    int at = pos;
    long len = varint(name + " length");
    if (len < 0 || len > end - pos) {
      throw error(
          at,
          name
              + ": length "
              + len
              + " runs past the end of the message at byte "
              + end
              + " ("
              + (end - pos)
              + " bytes left)");
    }
    int start = pos;
    pos += (int) len;
    return new int[] {start, pos};
  }

  /** Reads a string field (UTF-8). */
  String string(String name) {
    int[] r = lengthDelimited(name);
    byte[] b = new byte[r[1] - r[0]];
    buf.get(r[0], b);
    return new String(b, StandardCharsets.UTF_8);
  }

  /** A reader of the embedded message in the current length-delimited field. */
  ProtoReader message(String name) {
    int[] r = lengthDelimited(name);
    return new ProtoReader(buf, source, name, r[0], r[1]);
  }

  /** Skips the current field's value. */
  void skip() {
    switch (wire) {
      case VARINT -> varint("field " + field);
      case I64 -> advance(8, "field " + field);
      case I32 -> advance(4, "field " + field);
      default -> lengthDelimited("field " + field);
    }
  }

  /** Reads a fixed 32-bit field value. */
  int fixed32(String name) {
    int at = pos;
    advance(4, name);
    return buf.getInt(at);
  }

  /** Reads a fixed 64-bit field value. */
  long fixed64(String name) {
    int at = pos;
    advance(8, name);
    return buf.getLong(at);
  }

  private void advance(int n, String name) {
    if (end - pos < n) {
      throw error(pos, name + ": " + n + " bytes run past the end of the message at byte " + end);
    }
    pos += n;
  }

  private void expect(int wireType, String name) {
    if (wire != wireType) {
      throw error(
          pos, name + " (field " + field + ") has wire type " + wire + ", expected " + wireType);
    }
  }

  /** An error naming the source, the byte offset and the message being read. */
  IllegalArgumentException error(int at, String detail) {
    return new IllegalArgumentException(
        "onnx " + source + ": malformed protobuf at byte " + at + " in " + message + ": " + detail);
  }
}
