package io.github.transformers4j.tokenizers.formats;

import java.nio.charset.StandardCharsets;

/**
 * A minimal protobuf wire-format reader (varints, fixed 32/64-bit, length-delimited fields), enough
 * for SentencePiece's {@code ModelProto} without a protobuf library. Errors say at which byte the
 * message is malformed.
 */
final class ProtoReader {
  private final byte[] buf;
  private int pos;
  private final int end;
  private final String source;
  private final String message;

  /** A reader of {@code buf[from, to)}, the message {@code message} of {@code source} (for errors). */
  ProtoReader(byte[] buf, int from, int to, String source, String message) {
    this.buf = buf;
    this.pos = from;
    this.end = to;
    this.source = source;
    this.message = message;
  }

  boolean hasMore() {
    return pos < end;
  }

  /**
   * Reads a field key; returns {@code fieldNumber << 3 | wireType}. A field number of 0 or above
   * protobuf's 2^29 - 1 is malformed (a truncating cast would turn it into a real field).
   */
  int key() {
    int at = pos;
    long k = varint();
    if (k >>> 3 == 0 || k >>> 3 > 0x1fffffffL) {
      throw error(at, "field number " + (k >>> 3) + " is invalid");
    }
    return (int) k;
  }

  long varint() {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos >= end) {
        throw error(pos, "truncated varint");
      }
      byte b = buf[pos++];
      v |= (long) (b & 0x7f) << shift;
      if (b >= 0) {
        return v;
      }
    }
    throw error(pos, "varint longer than 10 bytes");
  }

  int fixed32() {
    need(4);
    int v =
        (buf[pos] & 0xff)
            | (buf[pos + 1] & 0xff) << 8
            | (buf[pos + 2] & 0xff) << 16
            | (buf[pos + 3] & 0xff) << 24;
    pos += 4;
    return v;
  }

  float float32() {
    return Float.intBitsToFloat(fixed32());
  }

  /** A length-delimited field as a sub-reader. */
  ProtoReader message(String name) {
    int len = length();
    ProtoReader r = new ProtoReader(buf, pos, pos + len, source, name);
    pos += len;
    return r;
  }

  byte[] bytes() {
    int len = length();
    byte[] b = java.util.Arrays.copyOfRange(buf, pos, pos + len);
    pos += len;
    return b;
  }

  String string() {
    int len = length();
    String s = new String(buf, pos, len, StandardCharsets.UTF_8);
    pos += len;
    return s;
  }

  /**
   * A length prefix, checked against the bytes left: compared as {@code len > end - pos}, since
   * {@code pos + len} overflows for a length near 2^63 and would let {@code pos} walk backwards
   * (a 10-byte file then looped forever).
   */
  private int length() {
    int at = pos;
    long len = varint();
    if (len < 0 || len > end - pos) {
      throw error(
          at,
          "length "
              + Long.toUnsignedString(len)
              + " runs past the end of the message at byte "
              + end
              + " ("
              + (end - pos)
              + " bytes left)");
    }
    return (int) len;
  }

  private void need(int n) {
    if (end - pos < n) {
      throw error(pos, n + " bytes run past the end of the message at byte " + end);
    }
  }

  /** An error naming the file, the byte offset and the message being read. */
  IllegalArgumentException error(int at, String detail) {
    return new IllegalArgumentException(
        source + ": malformed protobuf at byte " + at + " in " + message + ": " + detail);
  }

  /** Skips a field of {@code wireType}. */
  void skip(int wireType) {
    switch (wireType) {
      case 0:
        varint();
        break;
      case 1:
        need(8);
        pos += 8;
        break;
      case 2:
        int len = length(); // read before adding: `pos += length()` would use the old pos
        pos += len;
        break;
      case 5:
        need(4);
        pos += 4;
        break;
      default:
        throw error(pos, "unsupported wire type " + wireType);
    }
  }
}
