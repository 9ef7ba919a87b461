package io.github.transformers4j.langchain4j;

import dev.langchain4j.data.message.ChatMessage;
import io.github.transformers4j.models.config.HfConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A Hugging Face chat template: the Jinja text of {@code chat_template.jinja} or of {@code
 * tokenizer_config.json}'s {@code chat_template}, rendered as {@code apply_chat_template(messages,
 * add_generation_prompt=True, tokenize=False)} does (Jinja with {@code trim_blocks} and {@code
 * lstrip_blocks}; {@code messages}, {@code add_generation_prompt} and the special tokens such as
 * {@code bos_token} and {@code eos_token} defined).
 *
 * <p>The renderer is the subset of Jinja that chat templates use, written for this module (no
 * Jinja library exists for Java without a large dependency tree): text, {@code {{ }}}, {@code {%
 * if/elif/else %}}, {@code {% for %}} (with {@code loop.*}), {@code {% set %}} (also {@code
 * namespace()} attributes), comments and {@code -} whitespace control; literals, lists and dicts,
 * attribute and item access, slices, {@code + - * / // % ~}, comparisons, {@code in}, {@code
 * and/or/not}, {@code x if c else y}, the tests ({@code is defined}, {@code none}, {@code string},
 * ...), the usual filters ({@code trim}, {@code length}, {@code upper}, {@code lower}, {@code
 * tojson}, {@code default}, {@code join}, ...), string and dict methods ({@code strip()}, {@code
 * startswith()}, {@code split()}, {@code get()}, {@code items()}, ...), {@code range()} and {@code
 * raise_exception()}. Anything else (macros, includes, filter blocks) is refused when the
 * template is read, naming the construct, rather than rendered wrong.
 */
final class ChatTemplate {
  static final String JINJA_FILE = "chat_template.jinja";
  static final String TOKENIZER_CONFIG = "tokenizer_config.json";
  private static final List<String> SPECIAL_TOKENS =
      List.of(
          "bos_token", "eos_token", "unk_token", "pad_token", "sep_token", "cls_token",
          "mask_token");

  private final String source;
  private final List<Node> body;
  private final Map<String, Object> specialTokens;

  ChatTemplate(String source, String template, Map<String, Object> specialTokens) {
    this.source = source;
    this.specialTokens = specialTokens;
    try {
      this.body = new Parser(tokenize(template)).parseBody(List.of());
    } catch (TemplateException e) {
      throw new IllegalArgumentException(source + ": chat template: " + e.getMessage(), e);
    }
  }

  /**
   * The folder's template: {@code chat_template.jinja}, else {@code tokenizer_config.json}'s
   * {@code chat_template} (a string, or a list of named templates of which {@code default} is
   * taken), with the special tokens of {@code tokenizer_config.json}; empty when it has none.
   */
  static Optional<ChatTemplate> read(Path folder) throws IOException {
    Path config = folder.resolve(TOKENIZER_CONFIG);
    Map<String, Object> fields = Files.isRegularFile(config) ? HfConfig.read(config) : Map.of();
    Map<String, Object> tokens = new LinkedHashMap<>();
    for (String name : SPECIAL_TOKENS) {
      Object v = fields.get(name);
      if (v instanceof Map<?, ?> m && m.get("content") instanceof String s) {
        v = s; // an AddedToken saved as an object
      }
      if (v instanceof String s) {
        tokens.put(name, s);
      }
    }
    Path jinja = folder.resolve(JINJA_FILE);
    if (Files.isRegularFile(jinja)) {
      return Optional.of(
          new ChatTemplate(jinja.toString(), Files.readString(jinja, StandardCharsets.UTF_8), tokens));
    }
    Object t = fields.get("chat_template");
    if (t == null) {
      return Optional.empty();
    }
    if (t instanceof List<?> named) {
      for (Object o : named) {
        if (o instanceof Map<?, ?> m && "default".equals(m.get("name"))
            && m.get("template") instanceof String s) {
          return Optional.of(new ChatTemplate(config + " (chat_template 'default')", s, tokens));
        }
      }
      throw new IllegalArgumentException(
          config + ": chat_template is a list without a template named 'default'");
    }
    if (!(t instanceof String s)) {
      throw new IllegalArgumentException(config + ": chat_template must be a string, got " + t);
    }
    return Optional.of(new ChatTemplate(config + " (chat_template)", s, tokens));
  }

  /** The prompt for {@code messages}, with the generation prompt added. */
  String render(List<ChatMessage> messages) {
    List<Object> list = new ArrayList<>();
    for (ChatMessage m : messages) {
      Map<String, Object> msg = new LinkedHashMap<>();
      msg.put("role", ChatFormat.role(m));
      msg.put("content", ChatFormat.text(m));
      list.add(msg);
    }
    return render(list, true);
  }

  /** The template over plain values ({@code messages}: maps with role and content). */
  String render(List<Object> messages, boolean addGenerationPrompt) {
    Map<String, Object> vars = new LinkedHashMap<>(specialTokens);
    vars.put("messages", messages);
    vars.put("add_generation_prompt", addGenerationPrompt);
    StringBuilder out = new StringBuilder();
    try {
      new Scope(vars, null).run(body, out);
    } catch (TemplateException e) {
      throw new IllegalArgumentException(source + ": chat template: " + e.getMessage(), e);
    }
    return out.toString();
  }

  // ---------------------------------------------------------------------------------------------
  // Lexing: text and tags, with Jinja's whitespace control and HF's trim_blocks / lstrip_blocks.

  /** A template error: malformed, unsupported, or raised by the template itself. */
  static final class TemplateException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TemplateException(String message) {
      super(message);
    }
  }

  private enum Kind {
    TEXT,
    OUTPUT,
    BLOCK
  }

  private record Tag(Kind kind, String content) {}

  static List<Tag> tokenize(String t) {
    List<Tag> tags = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    int i = 0;
    boolean trimNext = false; // "-}}" / "-%}" before, or trim_blocks' one newline after "%}"
    boolean afterBlock = false;
    while (i < t.length()) {
      int open = t.indexOf('{', i);
      while (open >= 0 && open + 1 < t.length() && "{%#".indexOf(t.charAt(open + 1)) < 0) {
        open = t.indexOf('{', open + 1);
      }
      if (open < 0 || open + 1 >= t.length()) {
        text.append(t, i, t.length());
        i = t.length();
        break;
      }
      char type = t.charAt(open + 1);
      String close = type == '{' ? "}}" : type == '%' ? "%}" : "#}";
      int end = t.indexOf(close, open + 2);
      if (end < 0) {
        throw new TemplateException(
            "'" + t.substring(open, Math.min(t.length(), open + 2)) + "' at offset " + open
                + " is never closed");
      }
      String inner = t.substring(open + 2, end);
      boolean stripBefore = inner.startsWith("-");
      boolean stripAfter = inner.endsWith("-") && inner.length() > 1;
      String chunk = t.substring(i, open);
      // The end of the text before the tag: "{%-" strips all whitespace; lstrip_blocks the
      // spaces and tabs between the line's start and a block or comment tag.
      if (stripBefore) {
        chunk = chunk.stripTrailing();
      } else if (type != '{') {
        int nl = chunk.lastIndexOf('\n');
        String tail = chunk.substring(nl + 1);
        if ((nl >= 0 || i == 0) && tail.chars().allMatch(c -> c == ' ' || c == '\t')) {
          chunk = chunk.substring(0, nl + 1);
        }
      }
      // Its start: "-%}" / "-}}" before it strips all whitespace; trim_blocks one newline.
      if (trimNext) {
        chunk = chunk.stripLeading();
      } else if (afterBlock && chunk.startsWith("\n")) {
        chunk = chunk.substring(1);
      }
      trimNext = false;
      afterBlock = false;
      text.append(chunk);
      if (text.length() > 0) {
        tags.add(new Tag(Kind.TEXT, text.toString()));
        text.setLength(0);
      }
      String body = inner.substring(stripBefore ? 1 : 0, inner.length() - (stripAfter ? 1 : 0));
      if (type == '{') {
        tags.add(new Tag(Kind.OUTPUT, body.strip()));
      } else if (type == '%') {
        tags.add(new Tag(Kind.BLOCK, body.strip()));
        afterBlock = true;
      } else {
        afterBlock = true;
      }
      trimNext = stripAfter;
      i = end + 2;
    }
    if (trimNext && text.length() > 0) {
      String s = text.toString().stripLeading();
      text.setLength(0);
      text.append(s);
    } else if (afterBlock && text.length() > 0 && text.charAt(0) == '\n') {
      text.deleteCharAt(0);
    }
    if (text.length() > 0) {
      tags.add(new Tag(Kind.TEXT, text.toString()));
    }
    return tags;
  }

  // ---------------------------------------------------------------------------------------------
  // Parsing into nodes.

  private sealed interface Node permits TextNode, OutputNode, IfNode, ForNode, SetNode {}

  private record TextNode(String text) implements Node {}

  private record OutputNode(Expr expr) implements Node {}

  private record IfNode(List<Expr> conditions, List<List<Node>> branches, List<Node> otherwise)
      implements Node {}

  private record ForNode(
      List<String> names, Expr iterable, Expr filter, List<Node> body, List<Node> otherwise)
      implements Node {}

  private record SetNode(String name, String attribute, Expr value) implements Node {}

  private static final class Parser {
    private final List<Tag> tags;
    private int at;
    private String stoppedAt;

    Parser(List<Tag> tags) {
      this.tags = tags;
    }

    /** Nodes up to one of the block keywords {@code ends} (consumed; see {@link #stoppedAt}). */
    List<Node> parseBody(List<String> ends) {
      List<Node> nodes = new ArrayList<>();
      while (at < tags.size()) {
        Tag tag = tags.get(at++);
        switch (tag.kind()) {
          case TEXT -> nodes.add(new TextNode(tag.content()));
          case OUTPUT -> nodes.add(new OutputNode(new ExprParser(tag.content()).parseAll()));
          case BLOCK -> {
            String keyword = tag.content().split("\\s+", 2)[0];
            if (ends.contains(keyword)) {
              stoppedAt = tag.content();
              return nodes;
            }
            nodes.add(block(keyword, tag.content()));
          }
        }
      }
      if (!ends.isEmpty()) {
        throw new TemplateException("missing {% " + ends.get(ends.size() - 1) + " %}");
      }
      return nodes;
    }

    private Node block(String keyword, String content) {
      String rest = content.substring(keyword.length()).strip();
      switch (keyword) {
        case "if" -> {
          List<Expr> conditions = new ArrayList<>();
          List<List<Node>> branches = new ArrayList<>();
          List<Node> otherwise = List.of();
          conditions.add(new ExprParser(rest).parseAll());
          while (true) {
            branches.add(parseBody(List.of("elif", "else", "endif")));
            String stop = stoppedAt;
            if (stop.startsWith("elif")) {
              conditions.add(new ExprParser(stop.substring(4).strip()).parseAll());
            } else if (stop.startsWith("else")) {
              otherwise = parseBody(List.of("endif"));
              break;
            } else {
              break;
            }
          }
          return new IfNode(conditions, branches, otherwise);
        }
        case "for" -> {
          ExprParser p = new ExprParser(rest);
          List<String> names = new ArrayList<>();
          names.add(p.name());
          while (p.accept(",")) {
            names.add(p.name());
          }
          p.expectWord("in");
          Expr iterable = p.parseOr();
          Expr filter = null;
          if (p.acceptWord("if")) {
            filter = p.parseOr();
          }
          p.end();
          List<Node> body = parseBody(List.of("else", "endfor"));
          List<Node> otherwise = List.of();
          if (stoppedAt.startsWith("else")) {
            otherwise = parseBody(List.of("endfor"));
          }
          return new ForNode(names, iterable, filter, body, otherwise);
        }
        case "set" -> {
          ExprParser p = new ExprParser(rest);
          String name = p.name();
          String attribute = p.accept(".") ? p.name() : null;
          if (!p.accept("=")) {
            throw new TemplateException("{% set " + rest + " %}: block assignments are not supported");
          }
          Expr value = p.parseAll();
          return new SetNode(name, attribute, value);
        }
        default ->
            throw new TemplateException(
                "{% " + keyword + " %} is not supported by this renderer (supported: if, for, set)");
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Expressions.

  @FunctionalInterface
  private interface Expr {
    Object eval(Scope s);
  }

  /** Jinja's undefined: empty when printed, false when tested. */
  private static final Object UNDEFINED =
      new Object() {
        @Override
        public String toString() {
          return "";
        }
      };

  private static final class ExprParser {
    private final List<String> tokens = new ArrayList<>();
    private final String text;
    private int at;

    ExprParser(String text) {
      this.text = text;
      int i = 0;
      while (i < text.length()) {
        char c = text.charAt(i);
        if (Character.isWhitespace(c)) {
          i++;
        } else if (c == '\'' || c == '"') {
          StringBuilder b = new StringBuilder("'");
          int j = i + 1;
          while (j < text.length() && text.charAt(j) != c) {
            char d = text.charAt(j);
            if (d == '\\' && j + 1 < text.length()) {
              char e = text.charAt(++j);
              b.append(
                  switch (e) {
                    case 'n' -> '\n';
                    case 't' -> '\t';
                    case 'r' -> '\r';
                    default -> e;
                  });
            } else {
              b.append(d);
            }
            j++;
          }
          if (j >= text.length()) {
            throw new TemplateException("unterminated string in '" + text + "'");
          }
          tokens.add(b.toString());
          i = j + 1;
        } else if (Character.isDigit(c)) {
          int j = i;
          while (j < text.length() && (Character.isDigit(text.charAt(j)) || text.charAt(j) == '.')) {
            j++;
          }
          tokens.add(text.substring(i, j));
          i = j;
        } else if (Character.isLetter(c) || c == '_') {
          int j = i;
          while (j < text.length()
              && (Character.isLetterOrDigit(text.charAt(j)) || text.charAt(j) == '_')) {
            j++;
          }
          tokens.add(text.substring(i, j));
          i = j;
        } else {
          String two = i + 1 < text.length() ? text.substring(i, i + 2) : "";
          if (List.of("==", "!=", "<=", ">=", "//", "**").contains(two)) {
            tokens.add(two);
            i += 2;
          } else if ("+-*/%~<>=()[]{}.,:|".indexOf(c) >= 0) {
            tokens.add(String.valueOf(c));
            i++;
          } else {
            throw new TemplateException("unexpected '" + c + "' in '" + text + "'");
          }
        }
      }
    }

    private String peek() {
      return at < tokens.size() ? tokens.get(at) : "";
    }

    boolean accept(String symbol) {
      if (peek().equals(symbol)) {
        at++;
        return true;
      }
      return false;
    }

    boolean acceptWord(String word) {
      return accept(word);
    }

    void expect(String symbol) {
      if (!accept(symbol)) {
        throw new TemplateException("expected '" + symbol + "' in '" + text + "', found '" + peek() + "'");
      }
    }

    void expectWord(String word) {
      expect(word);
    }

    String name() {
      String t = peek();
      if (t.isEmpty() || !(Character.isLetter(t.charAt(0)) || t.charAt(0) == '_')) {
        throw new TemplateException("expected a name in '" + text + "', found '" + t + "'");
      }
      at++;
      return t;
    }

    void end() {
      if (at < tokens.size()) {
        throw new TemplateException("unexpected '" + peek() + "' in '" + text + "'");
      }
    }

    Expr parseAll() {
      Expr e = parseTernary();
      end();
      return e;
    }

    Expr parseTernary() {
      Expr value = parseOr();
      if (acceptWord("if")) {
        Expr condition = parseOr();
        Expr otherwise = acceptWord("else") ? parseTernary() : s -> UNDEFINED;
        return s -> truthy(condition.eval(s)) ? value.eval(s) : otherwise.eval(s);
      }
      return value;
    }

    Expr parseOr() {
      Expr left = parseAnd();
      while (acceptWord("or")) {
        Expr l = left;
        Expr r = parseAnd();
        left = s -> {
          Object a = l.eval(s);
          return truthy(a) ? a : r.eval(s);
        };
      }
      return left;
    }

    Expr parseAnd() {
      Expr left = parseNot();
      while (acceptWord("and")) {
        Expr l = left;
        Expr r = parseNot();
        left = s -> {
          Object a = l.eval(s);
          return !truthy(a) ? a : r.eval(s);
        };
      }
      return left;
    }

    Expr parseNot() {
      if (acceptWord("not")) {
        Expr e = parseNot();
        return s -> !truthy(e.eval(s));
      }
      return parseComparison();
    }

    Expr parseComparison() {
      Expr left = parseConcat();
      while (true) {
        String op = peek();
        if (List.of("==", "!=", "<", ">", "<=", ">=").contains(op)) {
          at++;
          Expr l = left;
          Expr r = parseConcat();
          left = s -> compare(op, l.eval(s), r.eval(s));
        } else if (op.equals("in")) {
          at++;
          Expr l = left;
          Expr r = parseConcat();
          left = s -> contains(r.eval(s), l.eval(s));
        } else if (op.equals("not") && at + 1 < tokens.size() && tokens.get(at + 1).equals("in")) {
          at += 2;
          Expr l = left;
          Expr r = parseConcat();
          left = s -> !contains(r.eval(s), l.eval(s));
        } else if (op.equals("is")) {
          at++;
          boolean negate = acceptWord("not");
          String test = name();
          Expr l = left;
          Expr arg = test.equals("equalto") || test.equals("sameas") ? parsePrimaryPostfix() : null;
          left = s -> negate != test(test, l.eval(s), arg == null ? null : arg.eval(s));
        } else {
          return left;
        }
      }
    }

    Expr parseConcat() {
      Expr left = parseAdditive();
      while (accept("~")) {
        Expr l = left;
        Expr r = parseAdditive();
        left = s -> str(l.eval(s)) + str(r.eval(s));
      }
      return left;
    }

    Expr parseAdditive() {
      Expr left = parseMultiplicative();
      while (true) {
        if (accept("+")) {
          Expr l = left;
          Expr r = parseMultiplicative();
          left = s -> add(l.eval(s), r.eval(s));
        } else if (accept("-")) {
          Expr l = left;
          Expr r = parseMultiplicative();
          left = s -> arithmetic("-", l.eval(s), r.eval(s));
        } else {
          return left;
        }
      }
    }

    Expr parseMultiplicative() {
      Expr left = parseUnary();
      while (true) {
        String op = peek();
        if (List.of("*", "/", "//", "%").contains(op)) {
          at++;
          Expr l = left;
          Expr r = parseUnary();
          left = s -> arithmetic(op, l.eval(s), r.eval(s));
        } else {
          return left;
        }
      }
    }

    Expr parseUnary() {
      if (accept("-")) {
        Expr e = parseUnary();
        return s -> arithmetic("-", 0L, e.eval(s));
      }
      return parseFiltered();
    }

    Expr parseFiltered() {
      Expr value = parsePrimaryPostfix();
      while (accept("|")) {
        String filter = name();
        List<Expr> args = accept("(") ? arguments() : List.of();
        Expr v = value;
        value = s -> filter(filter, v.eval(s), evalAll(args, s));
      }
      return value;
    }

    private List<Expr> arguments() {
      List<Expr> args = new ArrayList<>();
      if (!accept(")")) {
        do {
          if (at + 1 < tokens.size() && tokens.get(at + 1).equals("=")
              && Character.isLetter(peek().charAt(0))) {
            String key = name();
            expect("=");
            Expr value = parseTernary();
            args.add(new Keyword(key, value));
          } else {
            args.add(parseTernary());
          }
        } while (accept(","));
        expect(")");
      }
      return args;
    }

    Expr parsePrimaryPostfix() {
      Expr e = parsePrimary();
      while (true) {
        if (accept(".")) {
          String attribute = name();
          Expr target = e;
          if (accept("(")) {
            List<Expr> args = arguments();
            e = s -> method(target.eval(s), attribute, evalAll(args, s));
          } else {
            e = s -> item(target.eval(s), attribute);
          }
        } else if (accept("[")) {
          Expr target = e;
          Expr from = peek().equals(":") ? null : parseTernary();
          if (accept(":")) {
            Expr to = peek().equals("]") || peek().equals(":") ? null : parseTernary();
            Expr step = accept(":") && !peek().equals("]") ? parseTernary() : null;
            expect("]");
            e = s -> slice(target.eval(s), from == null ? null : from.eval(s),
                to == null ? null : to.eval(s), step == null ? null : step.eval(s));
          } else {
            expect("]");
            e = s -> item(target.eval(s), from.eval(s));
          }
        } else if (peek().equals("(")) {
          at++;
          Expr target = e;
          List<Expr> args = arguments();
          e = s -> call(target.eval(s), evalAll(args, s));
        } else {
          return e;
        }
      }
    }

    Expr parsePrimary() {
      String t = peek();
      if (t.isEmpty()) {
        throw new TemplateException("expression '" + text + "' ends too early");
      }
      at++;
      if (t.charAt(0) == '\'') {
        String value = t.substring(1);
        return s -> value;
      }
      if (Character.isDigit(t.charAt(0))) {
        Object value = t.contains(".") ? (Object) Double.parseDouble(t) : (Object) Long.parseLong(t);
        return s -> value;
      }
      switch (t) {
        case "(" -> {
          Expr e = parseTernary();
          if (accept(",")) {
            List<Expr> items = new ArrayList<>(List.of(e));
            if (!peek().equals(")")) {
              do {
                items.add(parseTernary());
              } while (accept(",") && !peek().equals(")"));
            }
            expect(")");
            return s -> evalAll(items, s);
          }
          expect(")");
          return e;
        }
        case "[" -> {
          List<Expr> items = new ArrayList<>();
          if (!accept("]")) {
            do {
              if (peek().equals("]")) {
                break;
              }
              items.add(parseTernary());
            } while (accept(","));
            expect("]");
          }
          return s -> evalAll(items, s);
        }
        case "{" -> {
          List<Expr[]> entries = new ArrayList<>();
          if (!accept("}")) {
            do {
              if (peek().equals("}")) {
                break;
              }
              Expr k = parseTernary();
              expect(":");
              entries.add(new Expr[] {k, parseTernary()});
            } while (accept(","));
            expect("}");
          }
          return s -> {
            Map<String, Object> m = new LinkedHashMap<>();
            for (Expr[] kv : entries) {
              m.put(str(kv[0].eval(s)), kv[1].eval(s));
            }
            return m;
          };
        }
        case "true", "True" -> {
          return s -> Boolean.TRUE;
        }
        case "false", "False" -> {
          return s -> Boolean.FALSE;
        }
        case "none", "None" -> {
          return s -> null;
        }
        default -> {
          if (!(Character.isLetter(t.charAt(0)) || t.charAt(0) == '_')) {
            throw new TemplateException("unexpected '" + t + "' in '" + text + "'");
          }
          return s -> s.get(t);
        }
      }
    }
  }

  /** {@code name=value} in a call's arguments. */
  private record Keyword(String name, Expr value) implements Expr {
    @Override
    public Object eval(Scope s) {
      return new KeywordValue(name, value.eval(s));
    }
  }

  private record KeywordValue(String name, Object value) {}

  /** {@code namespace(...)}: the one mutable object of Jinja, assigned with {@code set ns.x}. */
  private static final class Namespace extends LinkedHashMap<String, Object> {
    private static final long serialVersionUID = 1L;
  }

  /** A function a template may call. */
  @FunctionalInterface
  private interface Function {
    Object apply(List<Object> args);
  }

  private static List<Object> evalAll(List<Expr> exprs, Scope s) {
    List<Object> values = new ArrayList<>(exprs.size());
    for (Expr e : exprs) {
      values.add(e.eval(s));
    }
    return values;
  }

  // ---------------------------------------------------------------------------------------------
  // Evaluation.

  private static final class Scope {
    private final Map<String, Object> vars;
    private final Scope parent;

    Scope(Map<String, Object> vars, Scope parent) {
      this.vars = vars;
      this.parent = parent;
    }

    Object get(String name) {
      for (Scope s = this; s != null; s = s.parent) {
        if (s.vars.containsKey(name)) {
          return s.vars.get(name);
        }
      }
      return switch (name) {
        case "raise_exception" ->
            (Function) args -> {
              throw new TemplateException("the template refused the messages: " + str(args.get(0)));
            };
        case "range" ->
            (Function)
                args -> {
                  long from = args.size() > 1 ? num(args.get(0)).longValue() : 0;
                  long to = num(args.get(args.size() > 1 ? 1 : 0)).longValue();
                  List<Object> r = new ArrayList<>();
                  for (long i = from; i < to; i++) {
                    r.add(i);
                  }
                  return r;
                };
        case "namespace" ->
            (Function)
                args -> {
                  Namespace ns = new Namespace();
                  for (Object a : args) {
                    if (a instanceof KeywordValue kv) {
                      ns.put(kv.name(), kv.value());
                    }
                  }
                  return ns;
                };
        default -> UNDEFINED;
      };
    }

    /** Jinja's scoping: a {@code set} inside a loop does not leak out of it. */
    void set(String name, Object value) {
      vars.put(name, value);
    }

    void run(List<Node> nodes, StringBuilder out) {
      for (Node n : nodes) {
        if (n instanceof TextNode t) {
          out.append(t.text());
        } else if (n instanceof OutputNode o) {
          out.append(str(o.expr().eval(this)));
        } else if (n instanceof IfNode f) {
          boolean done = false;
          for (int i = 0; i < f.conditions().size() && !done; i++) {
            if (truthy(f.conditions().get(i).eval(this))) {
              run(f.branches().get(i), out);
              done = true;
            }
          }
          if (!done) {
            run(f.otherwise(), out);
          }
        } else if (n instanceof SetNode set) {
          Object value = set.value().eval(this);
          if (set.attribute() == null) {
            set(set.name(), value);
          } else if (get(set.name()) instanceof Namespace ns) {
            ns.put(set.attribute(), value);
          } else {
            throw new TemplateException(
                "{% set " + set.name() + "." + set.attribute() + " %}: " + set.name()
                    + " is not a namespace()");
          }
        } else if (n instanceof ForNode f) {
          loop(f, out);
        }
      }
    }

    private void loop(ForNode f, StringBuilder out) {
      List<Object> items = new ArrayList<>();
      for (Object item : iterate(f.iterable().eval(this))) {
        if (f.filter() == null || truthy(f.filter().eval(child(f.names(), item, null)))) {
          items.add(item);
        }
      }
      if (items.isEmpty()) {
        run(f.otherwise(), out);
        return;
      }
      for (int i = 0; i < items.size(); i++) {
        Map<String, Object> loop = new LinkedHashMap<>();
        loop.put("index", (long) i + 1);
        loop.put("index0", (long) i);
        loop.put("revindex", (long) (items.size() - i));
        loop.put("revindex0", (long) (items.size() - i - 1));
        loop.put("first", i == 0);
        loop.put("last", i == items.size() - 1);
        loop.put("length", (long) items.size());
        loop.put("previtem", i > 0 ? items.get(i - 1) : UNDEFINED);
        loop.put("nextitem", i + 1 < items.size() ? items.get(i + 1) : UNDEFINED);
        child(f.names(), items.get(i), loop).run(f.body(), out);
      }
    }

    private Scope child(List<String> names, Object item, Map<String, Object> loop) {
      Map<String, Object> vars = new LinkedHashMap<>();
      if (names.size() == 1) {
        vars.put(names.get(0), item);
      } else {
        List<Object> parts = iterate(item);
        if (parts.size() != names.size()) {
          throw new TemplateException(
              "cannot unpack " + parts.size() + " values into " + String.join(", ", names));
        }
        for (int i = 0; i < names.size(); i++) {
          vars.put(names.get(i), parts.get(i));
        }
      }
      if (loop != null) {
        vars.put("loop", loop);
      }
      return new Scope(vars, this);
    }
  }

  static boolean truthy(Object v) {
    if (v == null || v == UNDEFINED) {
      return false;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    if (v instanceof String s) {
      return !s.isEmpty();
    }
    if (v instanceof Number n) {
      return n.doubleValue() != 0;
    }
    if (v instanceof List<?> l) {
      return !l.isEmpty();
    }
    if (v instanceof Map<?, ?> m) {
      return !m.isEmpty();
    }
    return true;
  }

  static String str(Object v) {
    if (v == null) {
      return "None";
    }
    if (v instanceof Boolean b) {
      return b ? "True" : "False";
    }
    if (v instanceof Double d && d == Math.rint(d) && !Double.isInfinite(d)) {
      return String.format(Locale.ROOT, "%.1f", d);
    }
    if (v instanceof List<?> || v instanceof Map<?, ?>) {
      return toJson(v, false);
    }
    return v.toString();
  }

  private static Number num(Object v) {
    if (v instanceof Number n) {
      return n;
    }
    if (v instanceof Boolean b) {
      return b ? 1L : 0L;
    }
    throw new TemplateException("expected a number, got " + describe(v));
  }

  private static String describe(Object v) {
    return v == UNDEFINED ? "an undefined value" : v == null ? "none" : "'" + str(v) + "'";
  }

  private static boolean isInteger(Object v) {
    return v instanceof Long || v instanceof Integer || v instanceof Boolean;
  }

  private static Object add(Object a, Object b) {
    if (a instanceof String || b instanceof String) {
      if (!(a instanceof String && b instanceof String)) {
        throw new TemplateException("cannot add " + describe(a) + " and " + describe(b));
      }
      return (String) a + b;
    }
    if (a instanceof List<?> x && b instanceof List<?> y) {
      List<Object> r = new ArrayList<>(x);
      r.addAll(y);
      return r;
    }
    return arithmetic("+", a, b);
  }

  private static Object arithmetic(String op, Object a, Object b) {
    if (op.equals("%") && a instanceof String) {
      throw new TemplateException("string formatting with % is not supported");
    }
    Number x = num(a);
    Number y = num(b);
    if (isInteger(a) && isInteger(b) && !op.equals("/")) {
      long p = x.longValue();
      long q = y.longValue();
      return switch (op) {
        case "+" -> p + q;
        case "-" -> p - q;
        case "*" -> p * q;
        case "//" -> Math.floorDiv(p, q);
        case "%" -> Math.floorMod(p, q);
        default -> throw new TemplateException("unknown operator " + op);
      };
    }
    double p = x.doubleValue();
    double q = y.doubleValue();
    return switch (op) {
      case "+" -> p + q;
      case "-" -> p - q;
      case "*" -> p * q;
      case "/" -> p / q;
      case "//" -> Math.floor(p / q);
      case "%" -> p - q * Math.floor(p / q);
      default -> throw new TemplateException("unknown operator " + op);
    };
  }

  private static boolean equal(Object a, Object b) {
    if (a instanceof Number x && b instanceof Number y) {
      return x.doubleValue() == y.doubleValue();
    }
    if (a == UNDEFINED || b == UNDEFINED) {
      return a == b;
    }
    return a == null ? b == null : a.equals(b);
  }

  private static boolean compare(String op, Object a, Object b) {
    if (op.equals("==")) {
      return equal(a, b);
    }
    if (op.equals("!=")) {
      return !equal(a, b);
    }
    int c;
    if (a instanceof String x && b instanceof String y) {
      c = x.compareTo(y);
    } else {
      c = Double.compare(num(a).doubleValue(), num(b).doubleValue());
    }
    return switch (op) {
      case "<" -> c < 0;
      case ">" -> c > 0;
      case "<=" -> c <= 0;
      default -> c >= 0;
    };
  }

  private static boolean contains(Object container, Object item) {
    if (container instanceof String s) {
      return s.contains(str(item));
    }
    if (container instanceof Map<?, ?> m) {
      return m.containsKey(str(item));
    }
    if (container instanceof List<?> l) {
      return l.stream().anyMatch(x -> equal(x, item));
    }
    throw new TemplateException("'in' needs a string, list or mapping, got " + describe(container));
  }

  private static boolean test(String test, Object v, Object arg) {
    return switch (test) {
      case "defined" -> v != UNDEFINED;
      case "undefined" -> v == UNDEFINED;
      case "none" -> v == null;
      case "string" -> v instanceof String;
      case "number" -> v instanceof Number;
      case "integer" -> v instanceof Long || v instanceof Integer;
      case "float" -> v instanceof Double;
      case "boolean" -> v instanceof Boolean;
      case "true" -> Boolean.TRUE.equals(v);
      case "false" -> Boolean.FALSE.equals(v);
      case "mapping" -> v instanceof Map;
      case "sequence", "iterable" -> v instanceof List || v instanceof String || v instanceof Map;
      case "even" -> num(v).longValue() % 2 == 0;
      case "odd" -> num(v).longValue() % 2 != 0;
      case "equalto", "sameas" -> equal(v, arg);
      default -> throw new TemplateException("the test 'is " + test + "' is not supported");
    };
  }

  private static List<Object> iterate(Object v) {
    if (v instanceof List<?> l) {
      return new ArrayList<>(l);
    }
    if (v instanceof Map<?, ?> m) {
      return new ArrayList<>(m.keySet());
    }
    if (v instanceof String s) {
      List<Object> chars = new ArrayList<>();
      s.codePoints().forEach(c -> chars.add(new String(Character.toChars(c))));
      return chars;
    }
    if (v == UNDEFINED) {
      return List.of();
    }
    throw new TemplateException("cannot iterate over " + describe(v));
  }

  private static Object item(Object target, Object key) {
    if (target instanceof Map<?, ?> m) {
      String k = str(key);
      return m.containsKey(k) ? m.get(k) : UNDEFINED;
    }
    if (target instanceof List<?> l && isInteger(key)) {
      int i = (int) num(key).longValue();
      i = i < 0 ? l.size() + i : i;
      return i >= 0 && i < l.size() ? l.get(i) : UNDEFINED;
    }
    if (target instanceof String s && isInteger(key)) {
      int i = (int) num(key).longValue();
      i = i < 0 ? s.length() + i : i;
      return i >= 0 && i < s.length() ? String.valueOf(s.charAt(i)) : UNDEFINED;
    }
    if (target == UNDEFINED) {
      throw new TemplateException("cannot read '" + str(key) + "' of " + describe(target));
    }
    return UNDEFINED;
  }

  private static Object slice(Object target, Object from, Object to, Object step) {
    List<Object> items = target instanceof String ? null : iterate(target);
    int n = target instanceof String s ? s.length() : items.size();
    long st = step == null ? 1 : num(step).longValue();
    if (st == 0) {
      throw new TemplateException("slice step cannot be zero");
    }
    List<Integer> picked = new ArrayList<>();
    if (st > 0) {
      int a = bound(from, n, 0);
      int b = bound(to, n, n);
      for (int i = a; i < b; i += st) {
        picked.add(i);
      }
    } else {
      int a = from == null ? n - 1 : Math.min(n - 1, bound(from, n, n - 1));
      int b = to == null ? -1 : bound(to, n, -1);
      for (int i = a; i > b; i += st) {
        picked.add(i);
      }
    }
    if (target instanceof String s) {
      StringBuilder r = new StringBuilder();
      picked.forEach(i -> r.append(s.charAt(i)));
      return r.toString();
    }
    List<Object> r = new ArrayList<>();
    picked.forEach(i -> r.add(items.get(i)));
    return r;
  }

  private static int bound(Object v, int n, int fallback) {
    if (v == null) {
      return fallback;
    }
    long i = num(v).longValue();
    i = i < 0 ? n + i : i;
    return (int) Math.max(0, Math.min(n, i));
  }

  private static Object call(Object target, List<Object> args) {
    if (target instanceof Function f) {
      return f.apply(args);
    }
    throw new TemplateException("cannot call " + describe(target) + ": no such function");
  }

  private static Object method(Object target, String name, List<Object> args) {
    if (target instanceof String s) {
      String a = args.isEmpty() ? null : str(args.get(0));
      return switch (name) {
        case "strip" -> a == null ? s.strip() : stripChars(s, a, true, true);
        case "lstrip" -> a == null ? s.stripLeading() : stripChars(s, a, true, false);
        case "rstrip" -> a == null ? s.stripTrailing() : stripChars(s, a, false, true);
        case "upper" -> s.toUpperCase(Locale.ROOT);
        case "lower" -> s.toLowerCase(Locale.ROOT);
        case "title" -> title(s);
        case "capitalize" -> capitalize(s);
        case "startswith" -> s.startsWith(a);
        case "endswith" -> s.endsWith(a);
        case "replace" -> s.replace(a, str(args.get(1)));
        case "split" -> {
          List<Object> parts = new ArrayList<>();
          if (a == null) {
            for (String p : s.strip().split("\\s+")) {
              if (!p.isEmpty()) {
                parts.add(p);
              }
            }
          } else {
            int from = 0;
            for (int i = s.indexOf(a); i >= 0; i = s.indexOf(a, from)) {
              parts.add(s.substring(from, i));
              from = i + a.length();
            }
            parts.add(s.substring(from));
          }
          yield parts;
        }
        case "find" -> (long) s.indexOf(a);
        case "count" -> (long) (s.isEmpty() || a.isEmpty() ? 0 : s.split(java.util.regex.Pattern.quote(a), -1).length - 1);
        default -> throw new TemplateException("the string method '" + name + "()' is not supported");
      };
    }
    if (target instanceof Map<?, ?> m) {
      return switch (name) {
        case "get" -> {
          String k = str(args.get(0));
          yield m.containsKey(k) ? m.get(k) : args.size() > 1 ? args.get(1) : null;
        }
        case "items" -> {
          List<Object> r = new ArrayList<>();
          m.forEach(
              (k, v) -> {
                List<Object> pair = new ArrayList<>();
                pair.add(k);
                pair.add(v);
                r.add(pair);
              });
          yield r;
        }
        case "keys" -> new ArrayList<Object>(m.keySet());
        case "values" -> new ArrayList<Object>(m.values());
        default -> throw new TemplateException("the mapping method '" + name + "()' is not supported");
      };
    }
    throw new TemplateException("cannot call '" + name + "()' on " + describe(target));
  }

  private static String stripChars(String s, String chars, boolean left, boolean right) {
    int a = 0;
    int b = s.length();
    while (left && a < b && chars.indexOf(s.charAt(a)) >= 0) {
      a++;
    }
    while (right && b > a && chars.indexOf(s.charAt(b - 1)) >= 0) {
      b--;
    }
    return s.substring(a, b);
  }

  private static String capitalize(String s) {
    return s.isEmpty() ? s : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1).toLowerCase(Locale.ROOT);
  }

  private static String title(String s) {
    StringBuilder b = new StringBuilder();
    boolean start = true;
    for (char c : s.toCharArray()) {
      b.append(start ? Character.toUpperCase(c) : Character.toLowerCase(c));
      start = !Character.isLetterOrDigit(c);
    }
    return b.toString();
  }

  private static Object filter(String name, Object v, List<Object> args) {
    return switch (name) {
      case "trim" -> str(v).strip();
      case "upper" -> str(v).toUpperCase(Locale.ROOT);
      case "lower" -> str(v).toLowerCase(Locale.ROOT);
      case "capitalize" -> capitalize(str(v));
      case "title" -> title(str(v));
      case "string" -> str(v);
      case "int" -> v instanceof String s ? Long.parseLong(s.strip()) : num(v).longValue();
      case "float" -> num(v).doubleValue();
      case "length", "count" ->
          (long) (v instanceof String s ? s.length() : v instanceof Map<?, ?> m ? m.size() : iterate(v).size());
      case "first" -> iterate(v).isEmpty() ? UNDEFINED : iterate(v).get(0);
      case "last" -> iterate(v).isEmpty() ? UNDEFINED : iterate(v).get(iterate(v).size() - 1);
      case "list" -> iterate(v);
      case "reverse" -> {
        if (v instanceof String s) {
          yield new StringBuilder(s).reverse().toString();
        }
        List<Object> r = iterate(v);
        java.util.Collections.reverse(r);
        yield r;
      }
      case "join" -> {
        String sep = args.isEmpty() ? "" : str(args.get(0));
        StringBuilder b = new StringBuilder();
        boolean first = true;
        for (Object o : iterate(v)) {
          b.append(first ? "" : sep).append(str(o));
          first = false;
        }
        yield b.toString();
      }
      case "default", "d" -> v == UNDEFINED || (args.size() > 1 && truthy(args.get(1)) && !truthy(v))
          ? (args.isEmpty() ? "" : args.get(0))
          : v;
      case "tojson" -> toJson(v, false);
      case "replace" -> str(v).replace(str(args.get(0)), str(args.get(1)));
      case "items" -> method(v, "items", List.of());
      default -> throw new TemplateException("the filter '|" + name + "' is not supported");
    };
  }

  /**
   * JSON as Hugging Face's {@code tojson} filter writes it ({@code json.dumps} with {@code
   * ensure_ascii=False}, keys in their order, no HTML escaping).
   */
  static String toJson(Object v, boolean nested) {
    if (v == null || v == UNDEFINED) {
      return "null";
    }
    if (v instanceof Boolean b) {
      return b ? "true" : "false";
    }
    if (v instanceof Number) {
      return str(v);
    }
    if (v instanceof String s) {
      StringBuilder b = new StringBuilder("\"");
      for (char c : s.toCharArray()) {
        switch (c) {
          case '"' -> b.append("\\\"");
          case '\\' -> b.append("\\\\");
          case '\n' -> b.append("\\n");
          case '\r' -> b.append("\\r");
          case '\t' -> b.append("\\t");
          default -> {
            if (c < 0x20) {
              b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
              b.append(c);
            }
          }
        }
      }
      return b.append('"').toString();
    }
    if (v instanceof List<?> l) {
      StringBuilder b = new StringBuilder("[");
      for (int i = 0; i < l.size(); i++) {
        b.append(i == 0 ? "" : ", ").append(toJson(l.get(i), true));
      }
      return b.append(']').toString();
    }
    if (v instanceof Map<?, ?> m) {
      StringBuilder b = new StringBuilder("{");
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        b.append(first ? "" : ", ").append(toJson(String.valueOf(e.getKey()), true)).append(": ")
            .append(toJson(e.getValue(), true));
        first = false;
      }
      return b.append('}').toString();
    }
    return toJson(v.toString(), nested);
  }
}
