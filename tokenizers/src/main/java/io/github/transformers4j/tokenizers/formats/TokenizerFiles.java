package io.github.transformers4j.tokenizers.formats;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.github.transformers4j.tokenizers.Tokenizer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Loads a tokenizer from whatever file a model ships: {@code tokenizer.json}, GPT-2's {@code
 * encoder.json} + {@code vocab.bpe} (or {@code vocab.json} + {@code merges.txt}), BERT's {@code
 * vocab.txt}, a SentencePiece {@code .model}, CLIP's {@code bpe_simple_vocab_16e6.txt.gz}, or a
 * model folder holding some of them ({@link ModelFolderTokenizer} picks the family). Errors name
 * the file and what is wrong with it.
 */
public final class TokenizerFiles {
  private TokenizerFiles() {}

  /** Loads the tokenizer at {@code path} (a file or a folder), by its file type. */
  public static Tokenizer load(Path path) throws IOException {
    if (!Files.exists(path)) {
      throw new IOException(path + ": no such file");
    }
    if (Files.isDirectory(path)) {
      return ModelFolderTokenizer.load(path);
    }
    String name = path.getFileName().toString();
    Path dir = path.toAbsolutePath().getParent();
    if (name.equals("encoder.json") || name.equals("vocab.json")) {
      Path merges = dir.resolve(name.equals("encoder.json") ? "vocab.bpe" : "merges.txt");
      if (!Files.exists(merges)) {
        Path other = dir.resolve(name.equals("encoder.json") ? "merges.txt" : "vocab.bpe");
        merges = Files.exists(other) ? other : merges;
      }
      return gpt2(path, merges);
    }
    if (name.equals("vocab.bpe") || name.equals("merges.txt")) {
      Path enc = dir.resolve(name.equals("vocab.bpe") ? "encoder.json" : "vocab.json");
      return gpt2(enc, path);
    }
    if (name.endsWith(".json")) {
      return HfTokenizerJson.load(path);
    }
    if (name.endsWith(".model")) {
      return SentencePieceModel.load(path);
    }
    if (name.endsWith(".txt.gz")) {
      return clip(path);
    }
    if (name.endsWith(".txt")) {
      return bert(path);
    }
    throw new IOException(
        path + ": unknown tokenizer file type (expected tokenizer.json, encoder.json, vocab.json,"
            + " vocab.bpe, merges.txt, vocab.txt, *.model or *.txt.gz)");
  }

  /** GPT-2 from {@code encoder.json} (token → id) and {@code vocab.bpe} (merges). */
  public static Tokenizer gpt2(Path encoderJson, Path mergesFile) throws IOException {
    Map<String, Integer> vocab = readJsonVocab(encoderJson);
    if (!Files.exists(mergesFile)) {
      throw new IOException(mergesFile + ": no such file (GPT-2 merges for " + encoderJson + ")");
    }
    List<String[]> merges = readMerges(mergesFile);
    if (merges.isEmpty()) {
      // Without merges every text would silently be tokenized character by character.
      throw new IOException(
          mergesFile + ": no merges (the file is empty or holds only its #version line)");
    }
    try {
      return StandardTokenizers.gpt2(vocab, merges);
    } catch (IllegalArgumentException e) {
      throw new IOException(Messages.clip(mergesFile + ": " + e.getMessage()), e);
    }
  }

  /**
   * The UTF-8 text of {@code file}, which is expected to be {@code what} ("a tokenizer.json"); a
   * folder, a missing file and bytes that are not UTF-8 are errors naming the file.
   */
  static String readText(Path file, String what) throws IOException {
    requireFile(file, what);
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new IOException(file + ": not UTF-8 text, not " + what, e);
    }
  }

  private static void requireFile(Path file, String what) throws IOException {
    if (Files.isDirectory(file)) {
      throw new IOException(file + ": is a folder, expected " + what);
    }
    if (!Files.exists(file)) {
      throw new IOException(file + ": no such file (expected " + what + ")");
    }
  }

  /** BERT from {@code vocab.txt} (one token per line, id = line number); cased or not by content. */
  public static Tokenizer bert(Path vocabTxt) throws IOException {
    Map<String, Integer> vocab = readVocabTxt(vocabTxt);
    try {
      return StandardTokenizers.bert(vocab, StandardTokenizers.looksUncased(vocab));
    } catch (IllegalArgumentException e) {
      throw new IOException(vocabTxt + ": " + e.getMessage(), e);
    }
  }

  /** CLIP from {@code bpe_simple_vocab_16e6.txt.gz}: the first 48,894 merges, as OpenAI's code. */
  public static Tokenizer clip(Path gz) throws IOException {
    requireFile(gz, "a gzip-compressed merges file");
    try (InputStream in = Files.newInputStream(gz)) {
      return clip(in, gz.toString());
    }
  }

  /**
   * CLIP from the bytes of a {@code bpe_simple_vocab_16e6.txt.gz} read from {@code gz}
   * (closed when done); {@code source} names it in errors.
   */
  public static Tokenizer clip(InputStream gz, String source) throws IOException {
    List<String[]> merges;
    try (InputStream in = new GZIPInputStream(gz);
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      r.readLine(); // OpenAI's code skips the first line (a version line, here behind a tar name)
      merges = readMerges(r, source, 49152 - 256 - 2);
    } catch (java.util.zip.ZipException e) {
      throw new IOException(source + ": not a gzip file (" + e.getMessage() + ")", e);
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new IOException(source + ": not UTF-8 text inside the gzip, not a merges file", e);
    }
    try {
      return StandardTokenizers.clip(merges);
    } catch (IllegalArgumentException e) {
      throw new IOException(source + ": " + e.getMessage(), e);
    }
  }

  /** Reads {@code vocab.txt}: token per line, id = line number. */
  public static Map<String, Integer> readVocabTxt(Path file) throws IOException {
    requireFile(file, "a vocab.txt");
    Map<String, Integer> vocab = new LinkedHashMap<>();
    int line = 0;
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      for (String s = r.readLine(); s != null; s = r.readLine()) {
        String t = s.strip();
        if (t.isEmpty() && s.isEmpty()) {
          line++;
          continue;
        }
        if (vocab.putIfAbsent(s.endsWith("\r") ? s.substring(0, s.length() - 1) : s, line) != null) {
          throw new IOException(
              file + ": line " + (line + 1) + ": token " + Messages.quote(s) + " appears twice");
        }
        line++;
        if (line >= io.github.transformers4j.tokenizers.TokenModel.MAX_ID) {
          throw new IOException(
              file + ": more than " + io.github.transformers4j.tokenizers.TokenModel.MAX_ID
                  + " lines, more tokens than any vocabulary has");
        }
      }
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new IOException(file + ": not UTF-8 text, not a vocab.txt", e);
    }
    if (vocab.isEmpty()) {
      throw new IOException(file + ": empty vocabulary");
    }
    return vocab;
  }

  /** Reads a token → id JSON object ({@code encoder.json}, {@code vocab.json}). */
  public static Map<String, Integer> readJsonVocab(Path file) throws IOException {
    JsonElement root;
    try {
      root = JsonParser.parseString(readText(file, "a JSON vocabulary of token \u2192 id"));
    } catch (JsonParseException e) {
      throw new IOException(Messages.clip(file + ": malformed JSON (" + Messages.json(e) + ")"), e);
    }
    if (!root.isJsonObject()) {
      throw new IOException(file + ": expected a JSON object of token → id");
    }
    JsonObject o = root.getAsJsonObject();
    if (o.has("model") && o.get("model").isJsonObject()) {
      throw new IOException(file + ": this is a tokenizer.json, not an encoder.json");
    }
    try {
      return vocabulary(o, "token");
    } catch (IllegalArgumentException e) {
      throw new IOException(Messages.clip(file + ": " + e.getMessage()), e);
    }
  }

  /**
   * A token → id JSON object, strictly: each id an integral number in {@code [0,
   * TokenModel.MAX_ID)} (not 1.5, not "7", not 2^40) and no id given to two tokens; {@code where}
   * names the object in errors.
   */
  static Map<String, Integer> vocabulary(JsonObject o, String where) {
    Map<String, Integer> vocab = new LinkedHashMap<>();
    Map<Integer, String> byId = new java.util.HashMap<>();
    for (Map.Entry<String, JsonElement> e : o.entrySet()) {
      int id = JsonNumbers.tokenId(e.getValue(), where + " " + Messages.quote(e.getKey()) + ": id");
      String other = byId.putIfAbsent(id, e.getKey());
      if (other != null) {
        throw new IllegalArgumentException(
            where + "s " + Messages.quote(other) + " and " + Messages.quote(e.getKey())
                + " have the same id " + id);
      }
      vocab.put(e.getKey(), id);
    }
    return vocab;
  }

  /** Reads a merges file, one "a b" per line, skipping a {@code #version} line. */
  public static List<String[]> readMerges(Path file) throws IOException {
    requireFile(file, "a merges file");
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return readMerges(r, file.toString(), Integer.MAX_VALUE);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new IOException(file + ": no such file", e);
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new IOException(file + ": not UTF-8 text, not a merges file", e);
    }
  }

  /** Reads merges from {@code r}, at most {@code max}; {@code source} names it in errors. */
  static List<String[]> readMerges(BufferedReader r, String source, int max) throws IOException {
    List<String[]> merges = new ArrayList<>();
    int line = 0;
    for (String s = r.readLine(); s != null && merges.size() < max; s = r.readLine()) {
      line++;
      if (line == 1 && s.startsWith("#version")) { // GPT-2's vocab.bpe starts so
        continue;
      }
      if (s.isEmpty()) {
        continue;
      }
      String[] parts = s.split(" ");
      if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
        throw new IOException(
            source + ": line " + line + ": " + Messages.quote(s)
                + " is not a merge 'a b' (two tokens and one space)");
      }
      merges.add(parts);
    }
    return merges;
  }
}
