package io.github.transformers4j.training.data;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Readers of the training data formats: plain text files and folders, TSV and JSONL pairs, and
 * CoNLL-style token labels; and the seeded train/validation split. Errors name the file and line.
 */
public final class Datasets {
  private Datasets() {}

  /** A (source, target) pair: a translation, or a text and its class label. */
  public record Pair(String source, String target) {}

  /** A sentence of CoNLL tokens with one tag each. */
  public record Tagged(List<String> tokens, List<String> tags) {}

  /**
   * The text of a file, or of every regular file under a folder in path order (each followed by a
   * newline), as UTF-8.
   */
  public static String readText(Path fileOrFolder) throws IOException {
    if (!Files.exists(fileOrFolder)) {
      throw new IOException(fileOrFolder + ": no such file or folder");
    }
    if (Files.isRegularFile(fileOrFolder)) {
      return readUtf8(fileOrFolder);
    }
    StringBuilder sb = new StringBuilder();
    List<Path> files;
    try (Stream<Path> s = Files.walk(fileOrFolder)) {
      files = s.filter(Files::isRegularFile).sorted().toList();
    }
    if (files.isEmpty()) {
      throw new IOException("folder " + fileOrFolder + " holds no files");
    }
    for (Path f : files) {
      sb.append(readUtf8(f)).append('\n');
    }
    return sb.toString();
  }

  /**
   * The text of {@code file} as UTF-8.
   *
   * @throws IOException naming the file when it is missing, a folder, or not UTF-8 text (a binary
   *     file)
   */
  public static String readUtf8(Path file) throws IOException {
    if (!Files.exists(file)) {
      throw new IOException(file + ": no such file");
    }
    if (Files.isDirectory(file)) {
      throw new IOException(file + " is a folder; expected a file");
    }
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new IOException(
          file + ": not UTF-8 text (is it a binary file?); expected a UTF-8 text file", e);
    }
  }

  private static List<String> lines(Path file) throws IOException {
    return readUtf8(file).lines().toList();
  }

  /**
   * Tab-separated pairs, one per line ({@code source<TAB>target}); blank lines are skipped.
   *
   * @throws IOException naming the file and line when a line has no tab
   */
  public static List<Pair> readTsv(Path file) throws IOException {
    return readTsv(file, "source", "target");
  }

  /**
   * Tab-separated pairs, one per line ({@code first<TAB>second}, the names for messages: {@code
   * text<TAB>label} for classification); blank lines are skipped.
   *
   * @throws IOException naming the file and line when a line has no tab
   */
  public static List<Pair> readTsv(Path file, String first, String second) throws IOException {
    List<Pair> out = new ArrayList<>();
    List<String> lines = lines(file);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) {
        continue;
      }
      out.add(tsvPair(line, file + ":" + (i + 1), first, second));
    }
    return out;
  }

  /**
   * The pair of one TSV line ({@code first<TAB>second}, the names for messages).
   *
   * @param where the line's place for messages, such as {@code file:12}
   * @throws IOException naming {@code where} when the line has no tab
   */
  public static Pair tsvPair(String line, String where, String first, String second)
      throws IOException {
    int tab = line.indexOf('\t');
    if (tab < 0) {
      throw new IOException(
          where
              + ": expected "
              + first
              + "<TAB>"
              + second
              + ", found no tab in '"
              + (line.length() > 40 ? line.substring(0, 40) + "..." : line)
              + "'");
    }
    return new Pair(line.substring(0, tab), line.substring(tab + 1));
  }

  /**
   * JSON Lines pairs: one object per line with string (or number) fields {@code sourceField} and
   * {@code targetField}.
   *
   * @throws IOException naming the file, line and field when a line is not such an object
   */
  public static List<Pair> readJsonl(Path file, String sourceField, String targetField)
      throws IOException {
    List<Pair> out = new ArrayList<>();
    List<String> lines = lines(file);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) {
        continue;
      }
      out.add(jsonlPair(line, file + ":" + (i + 1), sourceField, targetField));
    }
    return out;
  }

  /**
   * The pair of one JSON Lines line: an object with string (or number) fields {@code sourceField}
   * and {@code targetField}.
   *
   * @param where the line's place for messages, such as {@code file:12}
   * @throws IOException naming {@code where} and the field when the line is not such an object
   */
  public static Pair jsonlPair(String line, String where, String sourceField, String targetField)
      throws IOException {
    JsonObject o;
    try {
      o = JsonParser.parseString(line).getAsJsonObject();
    } catch (RuntimeException e) {
      throw new IOException(where + ": not a JSON object: " + e.getMessage(), e);
    }
    return new Pair(field(o, sourceField, where), field(o, targetField, where));
  }

  private static String field(JsonObject o, String name, String where) throws IOException {
    JsonElement e = o.get(name);
    if (e == null || !e.isJsonPrimitive()) {
      throw new IOException(
          where
              + ": missing string field '"
              + name
              + "' (have "
              + o.keySet()
              + ")");
    }
    return e.getAsString();
  }

  /**
   * CoNLL-style token labels: one token per line, the token in the first column and its tag in the
   * last (space or tab separated), sentences separated by blank lines, {@code -DOCSTART-} lines
   * skipped.
   */
  public static List<Tagged> readConll(Path file) throws IOException {
    List<Tagged> out = new ArrayList<>();
    List<String> tokens = new ArrayList<>();
    List<String> tags = new ArrayList<>();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (int i = 0; i <= lines.size(); i++) {
      String line = i < lines.size() ? lines.get(i).strip() : "";
      if (line.isEmpty() || line.startsWith("-DOCSTART-")) {
        if (!tokens.isEmpty()) {
          out.add(new Tagged(List.copyOf(tokens), List.copyOf(tags)));
          tokens.clear();
          tags.clear();
        }
        continue;
      }
      String[] cols = line.split("[ \t]+");
      if (cols.length < 2) {
        throw new IOException(
            file + ":" + (i + 1) + ": expected 'token ... tag', found one column: " + line);
      }
      tokens.add(cols[0]);
      tags.add(cols[cols.length - 1]);
    }
    return out;
  }

  /**
   * A seeded split of {@code items}: a shuffled copy whose last {@code valFraction} (at least one
   * item when the fraction is positive) is the validation part.
   */
  public static <T> Split<T> split(List<T> items, double valFraction, long seed) {
    if (!(valFraction >= 0 && valFraction < 1)) {
      throw new IllegalArgumentException(
          "split: validation fraction must be in [0, 1), got " + valFraction);
    }
    int[] order = new int[items.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    new Rng(seed).shuffle(order);
    int nVal = valFraction == 0 ? 0 : Math.max(1, (int) Math.round(items.size() * valFraction));
    List<T> train = new ArrayList<>();
    List<T> val = new ArrayList<>();
    for (int i = 0; i < order.length; i++) {
      (i < order.length - nVal ? train : val).add(items.get(order[i]));
    }
    return new Split<>(train, val);
  }

  /**
   * Tokenized (source, target) pairs for seq2seq: the target gets the tokenizer's end token when
   * it has one, so a decoder learns where to stop.
   */
  public static List<Example> seq2seqExamples(List<Pair> pairs, TextTokenizer tok) {
    int eos = tok.specials().eos();
    List<Example> out = new ArrayList<>();
    for (Pair p : pairs) {
      int[] t = tok.encode(p.target());
      if (eos >= 0) {
        t = java.util.Arrays.copyOf(t, t.length + 1);
        t[t.length - 1] = eos;
      }
      out.add(new Example(tok.encode(p.source()), t));
    }
    return out;
  }

  /**
   * Tokenized (text, label) pairs for sequence classification; {@code labels} lists the label
   * names, whose index is the class id.
   *
   * @throws IllegalArgumentException naming the pair whose label is not in {@code labels}
   */
  public static List<Example> classificationExamples(
      List<Pair> pairs, TextTokenizer tok, List<String> labels) {
    List<Example> out = new ArrayList<>();
    for (int i = 0; i < pairs.size(); i++) {
      int id = labels.indexOf(pairs.get(i).target());
      if (id < 0) {
        throw new IllegalArgumentException(
            "pair " + (i + 1) + ": label '" + pairs.get(i).target() + "' is not one of " + labels);
      }
      out.add(new Example(tok.encode(pairs.get(i).source()), new int[] {id}));
    }
    return out;
  }

  /**
   * Tokenized CoNLL sentences for token classification: words joined by spaces, each word's tag on
   * its first token and -100 (ignored) on its other tokens and on the spaces. Each word is encoded
   * on its own, so {@code tok} must add no template tokens: a {@link CharTokenizer}, or a file
   * loaded with {@code TokenizerFiles.load(file, true)} (bare); a template's [CLS]/[SEP] would
   * otherwise land around every word.
   *
   * @throws IllegalArgumentException naming the sentence and tag when a tag is not in {@code tags}
   */
  public static List<Example> tokenExamples(
      List<Tagged> sentences, TextTokenizer tok, List<String> tags) {
    List<Example> out = new ArrayList<>();
    for (int s = 0; s < sentences.size(); s++) {
      Tagged t = sentences.get(s);
      List<Integer> ids = new ArrayList<>();
      List<Integer> labels = new ArrayList<>();
      for (int w = 0; w < t.tokens().size(); w++) {
        if (w > 0) {
          for (int id : tok.encode(" ")) {
            ids.add(id);
            labels.add(-100);
          }
        }
        int tag = tags.indexOf(t.tags().get(w));
        if (tag < 0) {
          throw new IllegalArgumentException(
              "sentence " + (s + 1) + ": tag '" + t.tags().get(w) + "' is not one of " + tags);
        }
        int[] piece = tok.encode(t.tokens().get(w));
        for (int k = 0; k < piece.length; k++) {
          ids.add(piece[k]);
          labels.add(k == 0 ? tag : -100);
        }
      }
      out.add(
          new Example(
              ids.stream().mapToInt(Integer::intValue).toArray(),
              labels.stream().mapToInt(Integer::intValue).toArray()));
    }
    return out;
  }

  /** The train and validation parts of a split. */
  public record Split<T>(List<T> train, List<T> val) {}

  /** Token stream split as nanoGPT does: the first {@code 1 − valFraction} trains. */
  public static int[][] splitStream(int[] tokens, double valFraction) {
    int n = (int) (tokens.length * (1 - valFraction));
    return new int[][] {
      java.util.Arrays.copyOfRange(tokens, 0, n),
      java.util.Arrays.copyOfRange(tokens, n, tokens.length)
    };
  }

  static UncheckedIOException unchecked(IOException e) {
    return new UncheckedIOException(e);
  }
}
