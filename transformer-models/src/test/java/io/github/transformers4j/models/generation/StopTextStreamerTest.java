package io.github.transformers4j.models.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.api.spi.TextTokenizer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The streamer against a naive oracle (decode everything, cut at the first stop sequence) over a
 * byte-level tokenizer whose tokens end inside characters, with randomized texts and stops.
 */
class StopTextStreamerTest {
  /** One token per UTF-8 byte; id 256 is a special token that decoding skips. */
  static final class Bytes implements TextTokenizer {
    static final int SPECIAL = 256;

    @Override
    public int[] encodeIds(String text) {
      byte[] b = text.getBytes(StandardCharsets.UTF_8);
      int[] ids = new int[b.length];
      for (int i = 0; i < b.length; i++) {
        ids[i] = b[i] & 0xff;
      }
      return ids;
    }

    @Override
    public String decodeIds(int[] ids, boolean skipSpecialTokens) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      for (int id : ids) {
        if (id != SPECIAL) {
          out.write(id);
        }
      }
      return out.toString(StandardCharsets.UTF_8); // a cut character decodes as U+FFFD
    }

    @Override
    public int vocabularySize() {
      return 257;
    }

    @Override
    public int tokenId(String token) {
      return -1;
    }
  }

  private static final String[] PIECES = {"a", "b", "E", "N", "D", " ", "\u00e9", "\u20ac", "\ud83d\ude00"};

  @Test
  void streamedTextIsTheOraclesCutTextPieceByPiece() {
    long seed = new SplittableRandom().nextLong();
    SplittableRandom r = new SplittableRandom(seed);
    for (int trial = 0; trial < 500; trial++) {
      StringBuilder b = new StringBuilder();
      for (int i = r.nextInt(0, 30); i > 0; i--) {
        b.append(PIECES[r.nextInt(PIECES.length)]);
      }
      String text = b.toString();
      List<String> stops = new ArrayList<>();
      for (int i = r.nextInt(0, 3); i > 0; i--) {
        StringBuilder s = new StringBuilder();
        for (int j = r.nextInt(1, 4); j > 0; j--) {
          s.append(PIECES[r.nextInt(PIECES.length)]);
        }
        stops.add(s.toString());
      }
      int cut = -1;
      for (String s : stops) {
        int at = text.indexOf(s);
        cut = at >= 0 && (cut < 0 || at < cut) ? at : cut;
      }
      String want = cut >= 0 ? text.substring(0, cut) : text;
      String what = "seed " + seed + " trial " + trial + ": '" + text + "' stops " + stops;

      List<String> pieces = new ArrayList<>();
      StopTextStreamer st = new StopTextStreamer(new Bytes(), stops, pieces::add);
      boolean ended = false;
      for (int id : new Bytes().encodeIds(text)) {
        assertTrue(want.startsWith(String.join("", pieces)), what);
        if (st.add(id)) {
          ended = true;
          break;
        }
        if (r.nextInt(4) == 0) {
          assertFalse(st.add(Bytes.SPECIAL), what);
        }
      }
      assertEquals(cut >= 0, st.finish(), what);
      assertEquals(cut >= 0, st.stoppedBySequence(), what);
      assertEquals(want, String.join("", pieces), what);
      assertEquals(want, st.text(), what);
      assertTrue(pieces.stream().noneMatch(p -> p.isEmpty() || p.contains("\uFFFD")), what);
      if (!ended) {
        assertTrue(st.tokenCount() >= text.getBytes(StandardCharsets.UTF_8).length, what);
      }
    }
  }

  @Test
  void aLongerStopThatBeginsEarlierWinsOverAShorterOneFoundFirst() {
    // Found by the random test (seed 1130959964286348486): "b" appears in "E€b" before "€ba" is
    // whole, but "€ba" begins earlier, so the text ends before the "€".
    List<String> pieces = new ArrayList<>();
    StopTextStreamer st = new StopTextStreamer(new Bytes(), List.of("b", "\u20acba"), pieces::add);
    boolean ended = false;
    for (int id : new Bytes().encodeIds("E\u20acba\u00e9")) {
      if (st.add(id)) {
        ended = true;
        break;
      }
    }
    assertTrue(ended);
    assertEquals("E", String.join("", pieces));
    // And when the longer one does not complete, the shorter one ends the text.
    List<String> other = new ArrayList<>();
    StopTextStreamer st2 = new StopTextStreamer(new Bytes(), List.of("b", "\u20acba"), other::add);
    for (int id : new Bytes().encodeIds("E\u20acbb")) {
      if (st2.add(id)) {
        break;
      }
    }
    st2.finish();
    assertEquals("E\u20ac", String.join("", other));
  }

  @Test
  void whatMayBeginAStopSequenceWaits() {
    List<String> pieces = new ArrayList<>();
    StopTextStreamer st = new StopTextStreamer(new Bytes(), List.of("END"), pieces::add);
    for (int id : new Bytes().encodeIds("abEN")) {
      assertFalse(st.add(id));
    }
    assertEquals(List.of("a", "b"), pieces);
    assertFalse(st.add('x'));
    assertEquals("abENx", st.text());
    assertTrue(st.add('E') | st.add('N') | st.add('D'));
    assertEquals("abENx", st.text());
    assertEquals('D', st.lastToken());
    assertEquals(8, st.tokenCount());
  }

  @Test
  void aCharacterCutAtTheEndIsHandedOnAsDecoded() {
    List<String> pieces = new ArrayList<>();
    StopTextStreamer st = new StopTextStreamer(new Bytes(), List.of(), pieces::add);
    byte[] euro = "\u20ac".getBytes(StandardCharsets.UTF_8);
    assertFalse(st.add('a'));
    assertFalse(st.add(euro[0] & 0xff));
    assertEquals(List.of("a"), pieces);
    assertFalse(st.finish());
    assertEquals("a\uFFFD", st.text()); // the decoding of every token, as a plain answer is
  }

  @Test
  void anEmptyStopSequenceIsRefused() {
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new StopTextStreamer(new Bytes(), List.of("x", ""), s -> {}));
    assertEquals("a stop sequence is empty", e.getMessage());
  }
}
