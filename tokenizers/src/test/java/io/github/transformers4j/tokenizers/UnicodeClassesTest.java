package io.github.transformers4j.tokenizers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.HashSet;
import java.util.Set;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;

/**
 * {@link Unicode}'s classes against Hugging Face tokenizers 0.23 ({@code
 * testdata/tokenizers/unicode/make_classes.py}): which code points its WhitespaceSplit splits at,
 * its BertNormalizer pads as CJK or removes as control chars, and its BertPreTokenizer isolates as
 * punctuation; all of U+0000..U+00FF, both ends of every range and their neighbours, and 3000
 * random assigned code points. A code point Java 17's Unicode tables do not assign yet (Rust's are
 * newer) is left out of the control and punctuation checks, and counted.
 */
class UnicodeClassesTest {
  static Set<Integer> set(JsonObject o, String key) {
    Set<Integer> s = new HashSet<>();
    for (JsonElement e : o.getAsJsonArray(key)) {
      s.add(e.getAsInt());
    }
    return s;
  }

  @Test
  void classesAreHuggingFacesOnEveryRangeEnd() throws IOException {
    JsonObject o =
        JsonParser.parseString(
                Files.readString(
                    Fixtures.tokenizers("unicode/classes.json"), StandardCharsets.UTF_8))
            .getAsJsonObject();
    JsonArray points = o.getAsJsonArray("points");
    String[] names = {"white_space", "cjk", "bert_punctuation", "bert_control"};
    IntPredicate[] tests = {
      Unicode::isWhiteSpace, Unicode::isCjk, Unicode::isBertPunctuation, Unicode::isBertControl
    };
    int newer = 0;
    for (int k = 0; k < names.length; k++) {
      Set<Integer> in = set(o, names[k]);
      for (JsonElement e : points) {
        int cp = e.getAsInt();
        boolean byCategory = k >= 2;
        if (k == 3 && (cp == 0 || cp == 0xFFFD)) {
          continue; // clean_text removes these two whatever their class: the file cannot say
        }
        if (byCategory && Character.getType(cp) == Character.UNASSIGNED) {
          newer++;
          continue;
        }
        assertEquals(
            in.contains(cp),
            tests[k].test(cp),
            names[k] + " of U+" + Integer.toHexString(cp).toUpperCase());
      }
    }
    // Few are newer than Java 17's tables (Unicode 13); most are checked.
    assertTrue(newer < points.size() / 20, newer + " of " + points.size() + " unassigned in Java");
  }

  @Test
  void asciiLettersAndDigitsAreJavasOwn() {
    for (int c = 0; c < 0x80; c++) {
      assertEquals(Character.isLetter(c), Unicode.isLetter(c), "letter " + c);
      assertEquals(Character.isDigit(c), Unicode.isNumber(c), "number " + c);
    }
    // Beyond ASCII, N is Nd, Nl and No: a digit, a Roman numeral, a superscript two.
    assertTrue(Unicode.isNumber(0x0663) && Unicode.isNumber(0x2163) && Unicode.isNumber(0x00B2));
  }
}
