import io.github.transformers4j.it.parity.MiniLmFolder;
import io.github.transformers4j.it.tokenizers.Corpora;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Inputs of bench/spark-embed.sh, run on it's test class path (java single-file source): the
 * all-MiniLM-L6-v2 folder (from langchain4j's jar, as the it tests make it) and the first ROWS
 * sentences of 5 to 60 words of Lucene's Europarl sample, one JSON object {"id", "text"} a line.
 *
 *   java -cp IT_TEST_CLASSPATH PrepareEuroparl.java OUT_DIR ROWS
 */
public class PrepareEuroparl {
  public static void main(String[] args) throws Exception {
    Path out = Path.of(args[0]);
    int rows = Integer.parseInt(args[1]);
    Path model = out.resolve("all-MiniLM-L6-v2");
    if (!Files.isRegularFile(model.resolve("model.safetensors"))) {
      Files.createDirectories(model);
      MiniLmFolder.write(model);
    }
    int n = 0;
    try (BufferedWriter w =
        Files.newBufferedWriter(out.resolve("europarl.jsonl"), StandardCharsets.UTF_8)) {
      for (String line : Corpora.europarl()) {
        String[] parts = line.split("\t");
        if (parts.length < 3) {
          continue;
        }
        for (String s : parts[2].split("(?<=[.?!])\\s+")) {
          s = s.strip();
          int words = s.isEmpty() ? 0 : s.split("\\s+").length;
          if (words < 5 || words > 60 || n >= rows) {
            continue;
          }
          w.write("{\"id\":" + n + ",\"text\":" + json(s) + "}\n");
          n++;
        }
      }
    }
    System.out.println("wrote " + n + " Europarl sentences and " + model);
  }

  private static String json(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
