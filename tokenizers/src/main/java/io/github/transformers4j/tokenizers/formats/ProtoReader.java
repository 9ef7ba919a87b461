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
  private final String what;

  ProtoReader(byte[] buf, int from, int to, String what) {
    this.buf = buf;
    this.pos = from;
    this.end = to;
    this.what = what;
  }

  boolean hasMore() {
    return pos < end;
  }

  /** Reads a field key; returns {@code fieldNumber << 3 | wireType}. */
  int key() {
    long k = varint();
    return (int) k;
  }

  long varint() {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos >= end) {
        throw new IllegalArgumentException(what + ": truncated varint at byte " + pos);
      }
      byte b = buf[pos++];
      v |= (long) (b & 0x7f) << shift;
      if (b >= 0) {
        return v;
      }
    }
    throw new IllegalArgumentException(what + ": malformed varint at byte " + pos);
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
    ProtoReader r = new ProtoReader(buf, pos, pos + len, what + " " + name);
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

  private int length() {
    long len = varint();
    if (len < 0 || pos + len > end) {
      throw new IllegalArgumentException(
          what + ": field of " + len + " bytes at byte " + pos + " runs past the end (" + end + ")");
    }
    return (int) len;
  }

  private void need(int n) {
    if (pos + n > end) {
      throw new IllegalArgumentException(what + ": truncated at byte " + pos);
    }
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
        throw new IllegalArgumentException(
            what + ": unsupported wire type " + wireType + " at byte " + pos);
    }
  }
}
