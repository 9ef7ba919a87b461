package io.github.transformers4j.apps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.Guice;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Every command's {@code --help}: it prints, picocli has nothing to warn about (a {@code %} in a
 * description is a format error it reports on stderr), no word is broken at a dot across lines
 * ({@code config.} / {@code json}), and options are offered only where they do something.
 */
class HelpTest {
  // A file name broken by picocli's line breaking (it may break after a dot): a line ending in "."
  // and the next going on with an extension, e.g. "config." + "json".
  private static final Pattern BROKEN_AT_DOT =
      Pattern.compile("\\.\\R\\s+(json|jsonl|tsv|txt|safetensors|bpe|model|gz|md)\\b");

  /** Every command path below {@code t4j}, e.g. {@code [train, clm]}, the top command first. */
  static List<List<String>> commands() {
    List<List<String>> all = new ArrayList<>();
    collect(T4j.commandLine(Guice.createInjector(new T4jModule(Cli.fakes()))), List.of(), all);
    return all;
  }

  private static void collect(CommandLine c, List<String> path, List<List<String>> all) {
    all.add(path);
    for (Map.Entry<String, CommandLine> e : c.getSubcommands().entrySet()) {
      if (!e.getKey().equals("help")) {
        List<String> sub = new ArrayList<>(path);
        sub.add(e.getKey());
        collect(e.getValue(), sub, all);
      }
    }
  }

  /** {@code t4j <path> --help}: its stdout, with anything printed on stderr (picocli's own too). */
  static String help(List<String> path) {
    List<String> args = new ArrayList<>(path);
    args.add("--help");
    PrintStream oldErr = System.err;
    ByteArrayOutputStream systemErr = new ByteArrayOutputStream();
    Cli.Run r;
    // picocli's warnings go to System.err, not to the command's error writer.
    System.setErr(new PrintStream(systemErr, true, StandardCharsets.UTF_8));
    try {
      r = Cli.run(args.toArray(String[]::new));
    } finally {
      System.setErr(oldErr);
    }
    String where = "t4j " + String.join(" ", args);
    assertEquals(0, r.code(), where + ": " + r);
    assertEquals("", r.err() + systemErr.toString(StandardCharsets.UTF_8), where + " wrote to stderr");
    assertTrue(r.out().startsWith("Usage: t4j"), where + ": " + r);
    return r.out();
  }

  @Test
  void everyHelpIsCleanAndUnbroken() {
    List<List<String>> commands = commands();
    assertTrue(commands.size() >= 15, "commands found: " + commands);
    List<String> problems = new ArrayList<>();
    for (List<String> path : commands) {
      String out = help(path);
      assertFalse(out.contains("[picocli WARN]"), out);
      Matcher m = BROKEN_AT_DOT.matcher(out);
      while (m.find()) {
        int from = out.lastIndexOf('\n', m.start()) + 1;
        int to = out.indexOf('\n', m.end());
        problems.add("t4j " + String.join(" ", path) + ": " + out.substring(from, to));
      }
    }
    assertEquals(List.of(), problems, "words broken at a dot across lines");
  }

  @Test
  void optionsAreOfferedWhereTheyApply() {
    for (String cmd : T4j.HOST_ONLY) {
      for (List<String> path : commands()) {
        if (!path.isEmpty() && path.get(0).equals(cmd)) {
          String out = help(path);
          assertFalse(out.contains("--backend") || out.contains("--threads"), out);
        }
      }
    }
    Cli.Run r = Cli.run("tokenize", "--threads", "2", "-t", "vocab.txt", "hi");
    assertEquals(CliErrors.USAGE, r.code(), r.toString());
    assertTrue(r.err().contains("--threads"), r.toString());

    assertTrue(help(List.of("train", "clm")).contains("--threads"));
    assertFalse(help(List.of("train", "classify")).contains("MLM"));
    // clm evaluation reports loss and perplexity, not accuracy.
    String eval = help(List.of("eval")).replaceAll("\\s+", " ");
    Matcher clm = Pattern.compile("char-level GPT[^;]*;").matcher(eval);
    assertTrue(clm.find(), eval);
    assertFalse(clm.group().contains("accuracy"), clm.group());
  }
}
