package io.github.transformers4j.models.chat;

import io.github.transformers4j.models.config.HfConfig;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A Hugging Face chat template (a model folder's {@code chat_template.jinja}, or {@code
 * tokenizer_config.json}'s {@code chat_template}) rendered as {@code transformers}' {@code
 * apply_chat_template} renders it: Jinja2 with {@code trim_blocks} and {@code lstrip_blocks}.
 *
 * <p>The renderer is the subset of Jinja that chat templates use, written for this project (no
 * Jinja library exists for Java without a large dependency tree): text, {@code {{ expr }}}, {@code
 * {% if/elif/else %}}, {@code {% for x in xs [if cond] %}} (with {@code else} and {@code loop.*}),
 * {@code {% set %}} (also {@code ns.attr} of a {@code namespace()}), comments, whitespace control
 * ({@code -} and {@code +}), Hugging Face's {@code {% generation %}} markers; expressions with
 * literals, lists, tuples, dicts, attribute and item access, slices with steps, {@code + - * / //
 * % ~}, comparisons, {@code in}, {@code and/or/not}, inline {@code if/else}, the tests ({@code
 * defined}, {@code none}, {@code string}, ...), the common filters ({@code trim}, {@code length},
 * {@code tojson}, {@code default}, {@code join}, ...), string and mapping methods ({@code strip()},
 * {@code startswith()}, {@code split()}, {@code get()}, {@code items()}, ...), {@code range()} and
 * {@code raise_exception()}. A template that uses anything else (macros, includes, filter blocks,
 * an unknown filter or test) fails when parsed, naming the construct, rather than rendering a
 * wrong prompt.
 *
 * <p>Both the OpenAI-compatible server and the LangChain4j chat model render through this class;
 * {@link #read(Path)} is the one place that finds a folder's template.
 */
public final class ChatTemplate {
  /** The file {@code transformers} saves a chat template in, next to the tokenizer. */
  public static final String JINJA_FILE = "chat_template.jinja";

  /** The file that holds the special tokens and, in older folders, the template. */
  public static final String TOKENIZER_CONFIG = "tokenizer_config.json";

  /** The special tokens of {@code tokenizer_config.json} a template may use. */
  private static final List<String> SPECIAL_TOKENS =
      List.of(
          "bos_token", "eos_token", "unk_token", "pad_token", "sep_token", "cls_token",
          "mask_token");

  /**
   * A template that is malformed or uses a construct outside the subset, or that raised ({@code
   * raise_exception}, an undefined value used as an object, ...).
   */
  public static final class TemplateException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    TemplateException(String message) {
      super(message);
    }
  }

  private static final Object UNDEFINED =
      new Object() {
        @Override
        public String toString() {
          return "";
        }
      };

  private final String source;
  private final List<Node> body;
  private final Map<String, Object> specialTokens;

  private ChatTemplate(String source, List<Node> body, Map<String, Object> specialTokens) {
    this.source = source;
    this.body = body;
    this.specialTokens = Collections.unmodifiableMap(new LinkedHashMap<>(specialTokens));
  }

  /**
   * Parses {@code template}, with no special tokens.
   *
   * @throws TemplateException naming what is malformed or unsupported
   */
  public static ChatTemplate parse(String template) {
    return new ChatTemplate("chat template", nodes(template), Map.of());
  }

  /**
   * Parses {@code template} read from {@code source} (a file, named in every error), with the
   * special tokens ({@code bos_token}, ...) {@link #render(List, boolean)} defines.
   *
   * @throws TemplateException naming the source and what is malformed or unsupported
   */
  public static ChatTemplate parse(String source, String template, Map<String, ?> specialTokens) {
    try {
      return new ChatTemplate(source, nodes(template), new LinkedHashMap<>(specialTokens));
    } catch (TemplateException e) {
      throw new TemplateException(source + ": chat template: " + e.getMessage());
    }
  }

  private static List<Node> nodes(String template) {
    List<Tok> toks = lex(template);
    Parser p = new Parser(toks);
    List<Node> nodes = p.nodes(List.of());
    if (p.at < toks.size()) {
      throw new TemplateException("unexpected {% " + toks.get(p.at).text + " %}");
    }
    return nodes;
  }

  /**
   * The chat template of a model folder: {@code chat_template.jinja} (as {@code transformers}
   * saves it now), else {@code tokenizer_config.json}'s {@code chat_template}, a string or a list
   * of named templates of which {@code default} is taken; with the special tokens of {@code
   * tokenizer_config.json} (a string, or an {@code AddedToken} object's {@code content}). Empty
   * when the folder has neither.
   *
   * @throws IOException naming the file that cannot be read
   * @throws TemplateException naming the file when its template is malformed or uses a construct
   *     outside the subset, or when {@code chat_template} has an unexpected shape
   * @throws IllegalArgumentException naming {@code tokenizer_config.json} when it is not a JSON
   *     object
   */
  public static Optional<ChatTemplate> read(Path folder) throws IOException {
    Path config = folder.resolve(TOKENIZER_CONFIG);
    Map<String, Object> fields = Files.isRegularFile(config) ? HfConfig.read(config) : Map.of();
    Map<String, Object> tokens = new LinkedHashMap<>();
    for (String name : SPECIAL_TOKENS) {
      Object v = fields.get(name);
      if (v instanceof Map<?, ?> m && m.get("content") instanceof String s) {
        v = s;
      }
      if (v instanceof String s) {
        tokens.put(name, s);
      }
    }
    Path jinja = folder.resolve(JINJA_FILE);
    if (Files.isRegularFile(jinja)) {
      String text;
      try {
        text = Files.readString(jinja, StandardCharsets.UTF_8);
      } catch (CharacterCodingException e) {
        throw new IOException(jinja + ": not UTF-8 text, not a Jinja template", e);
      }
      return Optional.of(parse(jinja.toString(), text, tokens));
    }
    Object t = fields.get("chat_template");
    if (t == null) {
      return Optional.empty();
    }
    if (t instanceof List<?> named) {
      for (Object o : named) {
        if (o instanceof Map<?, ?> m && "default".equals(m.get("name"))
            && m.get("template") instanceof String s) {
          return Optional.of(parse(config + " (chat_template 'default')", s, tokens));
        }
      }
      throw new TemplateException(
          config + ": chat_template is a list without a template named 'default'");
    }
    if (!(t instanceof String s)) {
      throw new TemplateException(
          config + ": chat_template must be a string or a list of named templates, got " + t);
    }
    return Optional.of(parse(config + " (chat_template)", s, tokens));
  }

  /** Where the template came from, as errors name it. */
  public String source() {
    return source;
  }

  /** The special tokens ({@code bos_token}, ...) {@link #render(List, boolean)} defines. */
  public Map<String, Object> specialTokens() {
    return specialTokens;
  }

  /**
   * The prompt for {@code messages} (maps with {@code role} and {@code content}, as {@code
   * apply_chat_template} takes them), with the special tokens defined and, when {@code
   * addGenerationPrompt}, the opening of the assistant's turn.
   *
   * @throws TemplateException when the template raises (a message for the user who sent the
   *     messages, so it does not name the file)
   */
  public String render(List<?> messages, boolean addGenerationPrompt) {
    Map<String, Object> vars = new LinkedHashMap<>(specialTokens);
    vars.put("messages", messages);
    vars.put("add_generation_prompt", addGenerationPrompt);
    return render(vars);
  }

  /**
   * The text for {@code variables} ({@code messages}, {@code add_generation_prompt}, {@code
   * bos_token}, ...): values are strings, numbers, booleans, null, lists and maps.
   *
   * @throws TemplateException when the template raises or does something undefined
   */
  public String render(Map<String, ?> variables) {
    Scope s = new Scope(null);
    s.vars.put("raise_exception", (Fn) args -> {
      throw new TemplateException("the chat template refused the messages: " + str(arg(args, 0)));
    });
    s.vars.put("namespace", (Fn) args -> {
      Namespace ns = new Namespace();
      for (Object a : args) {
        if (a instanceof KeywordArg k) {
          ns.put(k.key(), k.value());
        } else if (a instanceof Map<?, ?> m) {
          m.forEach((k, v) -> ns.put(String.valueOf(k), v));
        }
      }
      return ns;
    });
    s.vars.put("range", (Fn) args -> {
      long from = args.size() > 1 ? integer(args.get(0), "range()") : 0;
      long to = integer(arg(args, args.size() > 1 ? 1 : 0), "range()");
      long step = args.size() > 2 ? integer(args.get(2), "range()") : 1;
      if (step == 0) {
        throw new TemplateException("range() step cannot be zero");
      }
      List<Object> r = new ArrayList<>();
      for (long i = from; step > 0 ? i < to : i > to; i += step) {
        r.add(i);
      }
      return r;
    });
    s.vars.putAll(variables);
    StringBuilder out = new StringBuilder();
    run(body, s, out);
    return out.toString();
  }

  /** {@code namespace(...)}: the one object a template may change, with {@code set ns.x}. */
  private static final class Namespace extends LinkedHashMap<String, Object> {
    private static final long serialVersionUID = 1L;
  }

  private static long integer(Object v, String where) {
    if (v instanceof Long || v instanceof Integer) {
      return ((Number) v).longValue();
    }
    throw new TemplateException(where + " needs an integer, got " + typeName(v));
  }

  // ---- Lexing: text and tags, with trim_blocks, lstrip_blocks and '-' ----

  private enum Kind { TEXT, VAR, BLOCK }

  private record Tok(Kind kind, String text) {}

  private static List<Tok> lex(String src) {
    List<Tok> out = new ArrayList<>();
    int i = 0;
    boolean trimNextNewline = false;
    boolean stripNextWhitespace = false;
    while (i < src.length()) {
      int open = nextTag(src, i);
      String text = src.substring(i, open < 0 ? src.length() : open);
      if (stripNextWhitespace) {
        text = text.stripLeading();
      } else if (trimNextNewline && text.startsWith("\n")) {
        text = text.substring(1);
      } else if (trimNextNewline && text.startsWith("\r\n")) {
        text = text.substring(2);
      }
      if (open < 0) {
        out.add(new Tok(Kind.TEXT, text));
        break;
      }
      char type = src.charAt(open + 1);
      String close = type == '{' ? "}}" : type == '%' ? "%}" : "#}";
      int end = src.indexOf(close, open + 2);
      if (end < 0) {
        throw new TemplateException("a tag opened at offset " + open + " is never closed with " + close);
      }
      String inner = src.substring(open + 2, end);
      boolean leftDash = inner.startsWith("-");
      boolean leftPlus = inner.startsWith("+");
      boolean rightDash = inner.endsWith("-");
      boolean rightPlus = inner.endsWith("+");
      if (leftDash) {
        text = text.stripTrailing();
      } else if (type != '{' && !leftPlus) {
        // lstrip_blocks: spaces and tabs between a line's start (in the source) and a block tag go.
        int j = open;
        while (j > i && (src.charAt(j - 1) == ' ' || src.charAt(j - 1) == '\t')) {
          j--;
        }
        if ((j == 0 || (j - 1 >= i && src.charAt(j - 1) == '\n')) && open - j <= text.length()) {
          text = text.substring(0, text.length() - (open - j));
        }
      }
      if (!text.isEmpty()) {
        out.add(new Tok(Kind.TEXT, text));
      }
      String body = inner.substring(leftDash || leftPlus ? 1 : 0,
          Math.max(leftDash || leftPlus ? 1 : 0, inner.length() - (rightDash || rightPlus ? 1 : 0))).strip();
      if (type == '{') {
        out.add(new Tok(Kind.VAR, body));
      } else if (type == '%') {
        out.add(new Tok(Kind.BLOCK, body));
      }
      stripNextWhitespace = rightDash;
      trimNextNewline = type != '{' && !rightPlus;
      i = end + 2;
    }
    return out;
  }

  private static int nextTag(String s, int from) {
    for (int i = s.indexOf('{', from); i >= 0 && i + 1 < s.length(); i = s.indexOf('{', i + 1)) {
      char c = s.charAt(i + 1);
      if (c == '{' || c == '%' || c == '#') {
        return i;
      }
    }
    return -1;
  }

  // ---- Statements ----

  private interface Node {}

  private record Text(String text) implements Node {}

  private record Output(Expr expr) implements Node {}

  private record If(List<Expr> conditions, List<List<Node>> bodies, List<Node> otherwise)
      implements Node {}

  private record For(List<String> names, Expr items, Expr filter, List<Node> body, List<Node> otherwise)
      implements Node {}

  private record Set(Expr target, String name, Expr value) implements Node {}

  private static final class Parser {
    final List<Tok> toks;
    int at;

    Parser(List<Tok> toks) {
      this.toks = toks;
    }

    /** Nodes until a block tag whose first word is in {@code ends} (left unconsumed). */
    List<Node> nodes(List<String> ends) {
      List<Node> out = new ArrayList<>();
      while (at < toks.size()) {
        Tok t = toks.get(at);
        if (t.kind == Kind.TEXT) {
          out.add(new Text(t.text));
          at++;
          continue;
        }
        if (t.kind == Kind.VAR) {
          out.add(new Output(new ExprParser(t.text).whole()));
          at++;
          continue;
        }
        String word = firstWord(t.text);
        if (ends.contains(word)) {
          return out;
        }
        at++;
        switch (word) {
          case "if" -> out.add(parseIf(t.text.substring(2)));
          case "for" -> out.add(parseFor(t.text.substring(3)));
          case "set" -> out.add(parseSet(t.text.substring(3)));
          case "generation", "endgeneration" -> { } // Hugging Face's marker for assistant masks
          case "endif", "endfor", "elif", "else" ->
              throw new TemplateException("{% " + t.text + " %} without its opening tag");
          default -> throw new TemplateException(
              "the tag {% " + word + " %} is not supported by this renderer"
                  + " (it renders if, for, set and expressions)");
        }
      }
      if (!ends.isEmpty()) {
        throw new TemplateException("the template ends before {% " + ends.get(ends.size() - 1) + " %}");
      }
      return out;
    }

    If parseIf(String cond) {
      List<Expr> conditions = new ArrayList<>();
      List<List<Node>> bodies = new ArrayList<>();
      conditions.add(new ExprParser(cond).whole());
      List<Node> otherwise = List.of();
      while (true) {
        bodies.add(nodes(List.of("elif", "else", "endif")));
        Tok t = toks.get(at++);
        String w = firstWord(t.text);
        if (w.equals("elif")) {
          conditions.add(new ExprParser(t.text.substring(4)).whole());
        } else if (w.equals("else")) {
          otherwise = nodes(List.of("endif"));
          at++;
          break;
        } else {
          break;
        }
      }
      return new If(conditions, bodies, otherwise);
    }

    For parseFor(String spec) {
      ExprParser p = new ExprParser(spec);
      List<String> names = new ArrayList<>();
      names.add(p.name());
      while (p.accept(",")) {
        names.add(p.name());
      }
      p.expectWord("in");
      Expr items = p.or();
      Expr filter = p.acceptWord("if") ? p.or() : null;
      p.end();
      List<Node> body = nodes(List.of("else", "endfor"));
      List<Node> otherwise = List.of();
      if (firstWord(toks.get(at++).text).equals("else")) {
        otherwise = nodes(List.of("endfor"));
        at++;
      }
      return new For(names, items, filter, body, otherwise);
    }

    Set parseSet(String spec) {
      ExprParser p = new ExprParser(spec);
      String name = p.name();
      Expr target = null;
      if (p.accept(".")) {
        target = new Var(name);
        name = p.name();
      }
      p.expect("=");
      Expr value = p.ternary();
      p.end();
      return new Set(target, name, value);
    }
  }

  private static String firstWord(String s) {
    int i = 0;
    while (i < s.length() && Character.isLetter(s.charAt(i))) {
      i++;
    }
    return s.substring(0, i);
  }

  // ---- Expressions ----

  private interface Expr {
    Object eval(Scope s);
  }

  @FunctionalInterface
  private interface Fn {
    Object call(List<Object> args);
  }

  private record Const(Object value) implements Expr {
    public Object eval(Scope s) {
      return value;
    }
  }

  private record Var(String name) implements Expr {
    public Object eval(Scope s) {
      return s.get(name);
    }
  }

  private static final class ExprParser {
    final List<String> t = new ArrayList<>();
    final String src;
    int at;

    ExprParser(String src) {
      this.src = src;
      int i = 0;
      while (i < src.length()) {
        char c = src.charAt(i);
        if (Character.isWhitespace(c)) {
          i++;
        } else if (Character.isLetter(c) || c == '_') {
          int j = i;
          while (j < src.length() && (Character.isLetterOrDigit(src.charAt(j)) || src.charAt(j) == '_')) {
            j++;
          }
          t.add(src.substring(i, j));
          i = j;
        } else if (Character.isDigit(c)) {
          int j = i;
          while (j < src.length() && (Character.isDigit(src.charAt(j)) || src.charAt(j) == '.')) {
            j++;
          }
          t.add(src.substring(i, j));
          i = j;
        } else if (c == '\'' || c == '"') {
          StringBuilder b = new StringBuilder("\u0000");
          int j = i + 1;
          while (j < src.length() && src.charAt(j) != c) {
            char d = src.charAt(j);
            if (d == '\\' && j + 1 < src.length()) {
              char e = src.charAt(++j);
              b.append(switch (e) {
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
          if (j >= src.length()) {
            throw new TemplateException("unterminated string in '" + src + "'");
          }
          t.add(b.toString());
          i = j + 1;
        } else {
          String two = i + 1 < src.length() ? src.substring(i, i + 2) : "";
          if (List.of("==", "!=", "<=", ">=", "//", "**").contains(two)) {
            t.add(two);
            i += 2;
          } else if ("+-*/%~|.,:()[]{}<>=".indexOf(c) >= 0) {
            t.add(String.valueOf(c));
            i++;
          } else {
            throw new TemplateException("unexpected character '" + c + "' in '" + src + "'");
          }
        }
      }
    }

    String peek() {
      return at < t.size() ? t.get(at) : "";
    }

    boolean accept(String s) {
      if (peek().equals(s)) {
        at++;
        return true;
      }
      return false;
    }

    boolean acceptWord(String s) {
      return accept(s);
    }

    void expect(String s) {
      if (!accept(s)) {
        throw new TemplateException("expected '" + s + "' in '" + src + "' but found '" + peek() + "'");
      }
    }

    void expectWord(String s) {
      expect(s);
    }

    String name() {
      String n = peek();
      if (n.isEmpty() || !(Character.isLetter(n.charAt(0)) || n.charAt(0) == '_')) {
        throw new TemplateException("expected a name in '" + src + "' but found '" + n + "'");
      }
      at++;
      return n;
    }

    void end() {
      if (at < t.size()) {
        throw new TemplateException("unexpected '" + peek() + "' in '" + src + "'");
      }
    }

    Expr whole() {
      Expr e = ternary();
      end();
      return e;
    }

    Expr ternary() {
      Expr e = or();
      if (accept("if")) {
        Expr cond = or();
        Expr otherwise = accept("else") ? ternary() : new Const(UNDEFINED);
        Expr then = e;
        return s -> truthy(cond.eval(s)) ? then.eval(s) : otherwise.eval(s);
      }
      return e;
    }

    Expr or() {
      Expr e = and();
      while (accept("or")) {
        Expr l = e;
        Expr r = and();
        e = s -> {
          Object a = l.eval(s);
          return truthy(a) ? a : r.eval(s);
        };
      }
      return e;
    }

    Expr and() {
      Expr e = not();
      while (accept("and")) {
        Expr l = e;
        Expr r = not();
        e = s -> {
          Object a = l.eval(s);
          return truthy(a) ? r.eval(s) : a;
        };
      }
      return e;
    }

    Expr not() {
      if (accept("not")) {
        Expr e = not();
        return s -> !truthy(e.eval(s));
      }
      return compare();
    }

    Expr compare() {
      Expr e = add();
      while (true) {
        String op = peek();
        if (op.equals("not") && at + 1 < t.size() && t.get(at + 1).equals("in")) {
          at += 2;
          Expr l = e;
          Expr r = add();
          e = s -> !contains(r.eval(s), l.eval(s));
        } else if (List.of("==", "!=", "<", ">", "<=", ">=", "in").contains(op)) {
          at++;
          Expr l = e;
          Expr r = add();
          e = s -> compareOp(op, l.eval(s), r.eval(s));
        } else {
          return e;
        }
      }
    }

    Expr add() {
      Expr e = concat();
      while (peek().equals("+") || peek().equals("-")) {
        String op = t.get(at++);
        Expr l = e;
        Expr r = concat();
        e = s -> arithmetic(op, l.eval(s), r.eval(s));
      }
      return e;
    }

    Expr concat() {
      Expr e = mul();
      while (accept("~")) {
        Expr l = e;
        Expr r = mul();
        e = s -> str(l.eval(s)) + str(r.eval(s));
      }
      return e;
    }

    Expr mul() {
      Expr e = unary();
      while (List.of("*", "/", "//", "%").contains(peek())) {
        String op = t.get(at++);
        Expr l = e;
        Expr r = unary();
        e = s -> arithmetic(op, l.eval(s), r.eval(s));
      }
      return e;
    }

    Expr unary() {
      if (accept("-")) {
        Expr e = unary();
        return s -> arithmetic("-", 0L, e.eval(s));
      }
      return postfix();
    }

    Expr postfix() {
      Expr e = primary();
      while (true) {
        if (accept(".")) {
          String n = name();
          Expr obj = e;
          if (accept("(")) {
            List<Expr> args = args(")");
            e = s -> method(obj.eval(s), n, evalAll(args, s));
          } else {
            e = s -> attribute(obj.eval(s), n);
          }
        } else if (accept("[")) {
          Expr obj = e;
          Expr from = peek().equals(":") ? null : ternary();
          if (accept(":")) {
            Expr to = peek().equals("]") || peek().equals(":") ? null : ternary();
            Expr step = accept(":") && !peek().equals("]") ? ternary() : null;
            expect("]");
            e = s -> slice(obj.eval(s), from == null ? null : from.eval(s),
                to == null ? null : to.eval(s), step == null ? null : step.eval(s));
          } else {
            expect("]");
            e = s -> attribute(obj.eval(s), from.eval(s));
          }
        } else if (accept("(")) {
          Expr fn = e;
          List<Expr> args = args(")");
          e = s -> {
            Object f = fn.eval(s);
            if (!(f instanceof Fn call)) {
              throw new TemplateException("the template calls something that is not a function");
            }
            return call.call(evalAll(args, s));
          };
        } else if (accept("|")) {
          String n = name();
          List<Expr> args = accept("(") ? args(")") : List.of();
          Expr v = e;
          checkFilter(n);
          e = s -> filter(n, v.eval(s), evalAll(args, s));
        } else if (accept("is")) {
          boolean negate = accept("not");
          String n = name();
          checkTest(n);
          Expr v = e;
          Expr arg = List.of("equalto", "eq", "sameas").contains(n) ? primary() : null;
          e = s -> negate != test(n, v.eval(s), arg == null ? null : arg.eval(s));
        } else {
          return e;
        }
      }
    }

    List<Expr> args(String close) {
      List<Expr> out = new ArrayList<>();
      if (accept(close)) {
        return out;
      }
      do {
        // Keyword arguments (namespace(x=1), tojson(indent=2)) keep their value only.
        if (at + 1 < t.size() && t.get(at + 1).equals("=") && Character.isLetter(peek().charAt(0))) {
          String key = t.get(at);
          at += 2;
          Expr v = ternary();
          out.add(s -> new KeywordArg(key, v.eval(s)));
        } else {
          out.add(ternary());
        }
      } while (accept(","));
      expect(close);
      return out;
    }

    Expr primary() {
      String tok = peek();
      if (tok.isEmpty()) {
        throw new TemplateException("an expression ends too early in '" + src + "'");
      }
      at++;
      char c = tok.charAt(0);
      if (c == '\u0000') {
        StringBuilder b = new StringBuilder(tok.substring(1));
        while (peek().startsWith("\u0000")) {
          b.append(t.get(at++).substring(1));
        }
        return new Const(b.toString());
      }
      if (Character.isDigit(c)) {
        return new Const(tok.contains(".") ? (Object) Double.parseDouble(tok) : (Object) Long.parseLong(tok));
      }
      if (tok.equals("(")) {
        if (accept(")")) {
          return s -> new ArrayList<>();
        }
        Expr e = ternary();
        if (accept(",")) {
          // A tuple, which a template can only read: a list here.
          List<Expr> items = new ArrayList<>(List.of(e));
          while (!peek().equals(")")) {
            items.add(ternary());
            if (!accept(",")) {
              break;
            }
          }
          expect(")");
          return s -> new ArrayList<>(evalAll(items, s));
        }
        expect(")");
        return e;
      }
      if (tok.equals("[")) {
        List<Expr> items = args("]");
        return s -> new ArrayList<>(evalAll(items, s));
      }
      if (tok.equals("{")) {
        List<Expr[]> pairs = new ArrayList<>();
        if (!accept("}")) {
          do {
            Expr k = ternary();
            expect(":");
            pairs.add(new Expr[] {k, ternary()});
          } while (accept(","));
          expect("}");
        }
        return s -> {
          Map<String, Object> m = new LinkedHashMap<>();
          for (Expr[] p : pairs) {
            m.put(str(p[0].eval(s)), p[1].eval(s));
          }
          return m;
        };
      }
      switch (tok) {
        case "true", "True": return new Const(Boolean.TRUE);
        case "false", "False": return new Const(Boolean.FALSE);
        case "none", "None": return new Const(null);
        default: break;
      }
      if (Character.isLetter(c) || c == '_') {
        return new Var(tok);
      }
      throw new TemplateException("unexpected '" + tok + "' in '" + src + "'");
    }
  }

  private record KeywordArg(String key, Object value) {}

  private static List<Object> evalAll(List<Expr> es, Scope s) {
    List<Object> out = new ArrayList<>(es.size());
    for (Expr e : es) {
      out.add(e.eval(s));
    }
    return out;
  }

  // ---- Evaluation ----

  private static final class Scope {
    final Scope parent;
    final Map<String, Object> vars = new HashMap<>();

    Scope(Scope parent) {
      this.parent = parent;
    }

    Object get(String name) {
      for (Scope s = this; s != null; s = s.parent) {
        if (s.vars.containsKey(name)) {
          return s.vars.get(name);
        }
      }
      return UNDEFINED;
    }
  }

  private static void run(List<Node> nodes, Scope s, StringBuilder out) {
    for (Node n : nodes) {
      if (n instanceof Text t) {
        out.append(t.text);
      } else if (n instanceof Output o) {
        out.append(str(o.expr.eval(s)));
      } else if (n instanceof If f) {
        boolean done = false;
        for (int i = 0; i < f.conditions.size() && !done; i++) {
          if (truthy(f.conditions.get(i).eval(s))) {
            run(f.bodies.get(i), s, out);
            done = true;
          }
        }
        if (!done) {
          run(f.otherwise, s, out);
        }
      } else if (n instanceof Set set) {
        Object v = set.value.eval(s);
        if (set.target == null) {
          s.vars.put(set.name, v);
        } else if (set.target.eval(s) instanceof Namespace ns) {
          ns.put(set.name, v);
        } else {
          throw new TemplateException("{% set " + ((Var) set.target).name() + "." + set.name
              + " %}: " + ((Var) set.target).name() + " is not a namespace()");
        }
      } else if (n instanceof For f) {
        List<Object> items = new ArrayList<>();
        for (Object item : iterate(f.items.eval(s))) {
          if (f.filter == null || truthy(f.filter.eval(bind(s, f.names, item, null)))) {
            items.add(item);
          }
        }
        for (int i = 0; i < items.size(); i++) {
          Map<String, Object> loop = new HashMap<>();
          loop.put("index0", (long) i);
          loop.put("index", (long) i + 1);
          loop.put("revindex0", (long) (items.size() - 1 - i));
          loop.put("revindex", (long) (items.size() - i));
          loop.put("first", i == 0);
          loop.put("last", i == items.size() - 1);
          loop.put("length", (long) items.size());
          loop.put("previtem", i > 0 ? items.get(i - 1) : UNDEFINED);
          loop.put("nextitem", i + 1 < items.size() ? items.get(i + 1) : UNDEFINED);
          run(f.body, bind(s, f.names, items.get(i), loop), out);
        }
        if (items.isEmpty()) {
          run(f.otherwise, s, out);
        }
      }
    }
  }

  private static Scope bind(Scope s, List<String> names, Object item, Map<String, Object> loop) {
    Scope inner = new Scope(s);
    if (names.size() == 1) {
      inner.vars.put(names.get(0), item);
    } else {
      List<Object> parts = iterate(item);
      if (parts.size() != names.size()) {
        throw new TemplateException("cannot unpack " + parts.size() + " values into " + names);
      }
      for (int i = 0; i < names.size(); i++) {
        inner.vars.put(names.get(i), parts.get(i));
      }
    }
    if (loop != null) {
      inner.vars.put("loop", loop);
    }
    return inner;
  }

  private static List<Object> iterate(Object v) {
    if (v instanceof List<?> l) {
      return new ArrayList<>(l);
    }
    if (v instanceof Map<?, ?> m) {
      return new ArrayList<>(m.keySet());
    }
    if (v instanceof String str) {
      List<Object> out = new ArrayList<>();
      str.codePoints().forEach(cp -> out.add(new String(Character.toChars(cp))));
      return out;
    }
    if (v == UNDEFINED || v == null) {
      return List.of();
    }
    throw new TemplateException("cannot loop over " + typeName(v));
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
    if (v instanceof Long l) {
      return l != 0;
    }
    if (v instanceof Double d) {
      return d != 0;
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
    if (v == UNDEFINED) {
      return "";
    }
    if (v == null) {
      return "None";
    }
    if (v instanceof Boolean b) {
      return b ? "True" : "False";
    }
    if (v instanceof String s) {
      return s;
    }
    if (v instanceof Integer || v instanceof Long) {
      return v.toString();
    }
    if (v instanceof Number n) {
      return pythonFloat(n.doubleValue());
    }
    if (v instanceof List<?> || v instanceof Map<?, ?>) {
      return repr(v);
    }
    return String.valueOf(v);
  }

  // Python's repr, which printing a list or dict shows: strings quoted, None, True.
  private static String repr(Object v) {
    if (v instanceof String s) {
      String q = s.contains("'") && !s.contains("\"") ? "\"" : "'";
      StringBuilder b = new StringBuilder(q);
      for (char c : s.toCharArray()) {
        switch (c) {
          case '\\' -> b.append("\\\\");
          case '\n' -> b.append("\\n");
          case '\r' -> b.append("\\r");
          case '\t' -> b.append("\\t");
          default -> b.append(q.charAt(0) == c ? "\\" + c : String.valueOf(c));
        }
      }
      return b.append(q).toString();
    }
    if (v instanceof List<?> l) {
      List<String> parts = new ArrayList<>();
      for (Object o : l) {
        parts.add(repr(o));
      }
      return "[" + String.join(", ", parts) + "]";
    }
    if (v instanceof Map<?, ?> m) {
      List<String> parts = new ArrayList<>();
      m.forEach((k, x) -> parts.add(repr(k) + ": " + repr(x)));
      return "{" + String.join(", ", parts) + "}";
    }
    return str(v);
  }

  // Python's repr of a float: 2.0, 0.5, 1e+20.
  private static String pythonFloat(double d) {
    if (Double.isNaN(d)) {
      return "nan";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "inf" : "-inf";
    }
    if (d == Math.rint(d) && Math.abs(d) < 1e16) {
      return String.format(Locale.ROOT, "%.1f", d);
    }
    String j = Double.toString(d);
    int e = j.indexOf('E');
    if (e < 0) {
      return j;
    }
    String mantissa = j.substring(0, e).replaceAll("\\.0$", "");
    int exp = Integer.parseInt(j.substring(e + 1));
    return mantissa + "e" + (exp < 0 ? "-" : "+") + String.format(Locale.ROOT, "%02d", Math.abs(exp));
  }

  private static String typeName(Object v) {
    return v == null ? "none" : v == UNDEFINED ? "an undefined value" : v instanceof String ? "a string"
        : v instanceof Number ? "a number" : v instanceof List ? "a list" : v instanceof Map ? "a mapping"
        : v instanceof Boolean ? "a boolean" : "a value";
  }

  private static Object arg(List<Object> args, int i) {
    return i < args.size() ? args.get(i) : UNDEFINED;
  }

  private static Object attribute(Object obj, Object key) {
    if (obj instanceof Map<?, ?> m) {
      Object k = key instanceof String ? key : str(key);
      return m.containsKey(k) ? m.get(k) : UNDEFINED;
    }
    if (obj instanceof List<?> l && (key instanceof Long || key instanceof Integer)) {
      int i = ((Number) key).intValue();
      if (i < 0) {
        i += l.size();
      }
      return i >= 0 && i < l.size() ? l.get(i) : UNDEFINED;
    }
    if (obj instanceof String s && key instanceof Long n) {
      int i = (int) (n < 0 ? n + s.length() : n);
      return i >= 0 && i < s.length() ? String.valueOf(s.charAt(i)) : UNDEFINED;
    }
    if (obj == UNDEFINED) {
      // Jinja raises here too: reading into something undefined is a template bug, not ''.
      throw new TemplateException("cannot read '" + str(key) + "' of an undefined value");
    }
    return UNDEFINED;
  }

  // Python's slice semantics, negative steps included (messages[::-1] walks back).
  private static Object slice(Object obj, Object from, Object to, Object step) {
    int size = obj instanceof List<?> l ? l.size() : obj instanceof String s ? s.length() : -1;
    if (size < 0) {
      throw new TemplateException("cannot slice " + typeName(obj));
    }
    long st = step == null ? 1 : integer(step, "a slice step");
    if (st == 0) {
      throw new TemplateException("a slice step cannot be zero");
    }
    List<Integer> picked = new ArrayList<>();
    if (st > 0) {
      int a = bound(from, size, 0, 0);
      int b = bound(to, size, size, 0);
      for (long i = a; i < b; i += st) {
        picked.add((int) i);
      }
    } else {
      int a = bound(from, size, size - 1, -1);
      int b = bound(to, size, -1, -1);
      for (long i = a; i > b; i += st) {
        picked.add((int) i);
      }
    }
    if (obj instanceof String str) {
      StringBuilder r = new StringBuilder();
      picked.forEach(i -> r.append(str.charAt(i)));
      return r.toString();
    }
    List<?> l = (List<?>) obj;
    List<Object> r = new ArrayList<>();
    picked.forEach(i -> r.add(l.get(i)));
    return r;
  }

  // A slice bound: absent, or counted from the end when negative, clamped to [low, size + low].
  private static int bound(Object v, int size, int absent, int low) {
    if (v == null) {
      return absent;
    }
    long i = integer(v, "a slice index");
    i = i < 0 ? i + size : i;
    return (int) Math.max(low, Math.min(size + low, i));
  }

  private static Object method(Object obj, String name, List<Object> args) {
    if (obj instanceof String s) {
      switch (name) {
        case "strip": return args.isEmpty() ? s.strip() : stripChars(s, str(args.get(0)), true, true);
        case "lstrip": return args.isEmpty() ? s.stripLeading() : stripChars(s, str(args.get(0)), true, false);
        case "rstrip": return args.isEmpty() ? s.stripTrailing() : stripChars(s, str(args.get(0)), false, true);
        case "upper": return s.toUpperCase(Locale.ROOT);
        case "lower": return s.toLowerCase(Locale.ROOT);
        case "title": return title(s);
        case "capitalize": return capitalize(s);
        case "startswith": return s.startsWith(str(arg(args, 0)));
        case "endswith": return s.endsWith(str(arg(args, 0)));
        case "replace": return s.replace(str(arg(args, 0)), str(arg(args, 1)));
        case "split": {
          List<Object> parts = new ArrayList<>();
          if (args.isEmpty()) {
            for (String p : s.strip().split("\\s+")) {
              if (!p.isEmpty()) {
                parts.add(p);
              }
            }
          } else {
            String sep = str(args.get(0));
            int from = 0;
            for (int i; (i = s.indexOf(sep, from)) >= 0; from = i + sep.length()) {
              parts.add(s.substring(from, i));
            }
            parts.add(s.substring(from));
          }
          return parts;
        }
        case "find": return (long) s.indexOf(str(arg(args, 0)));
        case "count": {
          String sub = str(arg(args, 0));
          long n = 0;
          for (int i = sub.isEmpty() ? -1 : s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + sub.length())) {
            n++;
          }
          return sub.isEmpty() ? (long) s.length() + 1 : n;
        }
        default: break;
      }
    }
    if (obj instanceof Map<?, ?> m) {
      switch (name) {
        case "items": {
          List<Object> out = new ArrayList<>();
          m.forEach((k, v) -> out.add(new ArrayList<>(java.util.Arrays.asList(k, v))));
          return out;
        }
        case "keys": return new ArrayList<Object>(m.keySet());
        case "values": return new ArrayList<Object>(m.values());
        case "get": {
          Object v = m.get(str(arg(args, 0)));
          return v != null || m.containsKey(str(arg(args, 0))) ? v : args.size() > 1 ? args.get(1) : null;
        }
        default: break;
      }
    }
    throw new TemplateException("the template calls ." + name + "() on " + typeName(obj)
        + ", which this renderer does not support");
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

  private static final List<String> FILTERS =
      List.of("trim", "length", "count", "upper", "lower", "tojson", "string", "first", "last",
          "join", "default", "d", "capitalize", "title", "list", "safe", "int", "float", "items",
          "reverse", "replace");

  private static void checkFilter(String name) {
    if (!FILTERS.contains(name)) {
      throw new TemplateException("the filter |" + name + " is not supported by this"
          + " renderer (it has " + String.join(", ", FILTERS) + ")");
    }
  }

  private static Object filter(String name, Object v, List<Object> args) {
    switch (name) {
      case "trim": return str(v).strip();
      case "length", "count": {
        if (v instanceof String s) {
          return (long) s.codePointCount(0, s.length());
        }
        return (long) iterate(v).size();
      }
      case "upper": return str(v).toUpperCase(Locale.ROOT);
      case "lower": return str(v).toLowerCase(Locale.ROOT);
      case "capitalize": return capitalize(str(v));
      case "title": return title(str(v));
      case "string": return str(v);
      case "safe": return v;
      case "tojson": {
        StringBuilder b = new StringBuilder();
        json(v, b);
        return b.toString();
      }
      case "first": {
        List<Object> l = iterate(v);
        return l.isEmpty() ? UNDEFINED : l.get(0);
      }
      case "last": {
        List<Object> l = iterate(v);
        return l.isEmpty() ? UNDEFINED : l.get(l.size() - 1);
      }
      case "reverse": {
        if (v instanceof String s) {
          return new StringBuilder(s).reverse().toString();
        }
        List<Object> l = iterate(v);
        Collections.reverse(l);
        return l;
      }
      case "list": return iterate(v);
      case "items": return method(v, "items", List.of());
      case "replace": return str(v).replace(str(arg(args, 0)), str(arg(args, 1)));
      case "join": {
        List<String> parts = new ArrayList<>();
        for (Object o : iterate(v)) {
          parts.add(str(o));
        }
        return String.join(args.isEmpty() ? "" : str(args.get(0)), parts);
      }
      case "default", "d": {
        boolean orFalsy = args.size() > 1 && truthy(args.get(1));
        return v == UNDEFINED || (orFalsy && !truthy(v)) ? arg(args, 0) : v;
      }
      case "int": {
        if (v instanceof Number n) {
          return n.longValue();
        }
        try {
          return Long.parseLong(str(v).strip());
        } catch (NumberFormatException e) {
          return 0L;
        }
      }
      case "float": {
        if (v instanceof Number n) {
          return n.doubleValue();
        }
        try {
          return Double.parseDouble(str(v).strip());
        } catch (NumberFormatException e) {
          return 0.0;
        }
      }
      default: throw new TemplateException("the filter |" + name + " is not supported");
    }
  }

  // Python's json.dumps(x, ensure_ascii=False), which transformers' tojson filter calls: ", " and
  // ": " between items.
  private static void json(Object v, StringBuilder b) {
    if (v == null || v == UNDEFINED) {
      b.append("null");
    } else if (v instanceof Boolean x) {
      b.append(x ? "true" : "false");
    } else if (v instanceof Number) {
      b.append(str(v));
    } else if (v instanceof String x) {
      b.append('"');
      for (char c : x.toCharArray()) {
        switch (c) {
          case '"' -> b.append("\\\"");
          case '\\' -> b.append("\\\\");
          case '\n' -> b.append("\\n");
          case '\r' -> b.append("\\r");
          case '\t' -> b.append("\\t");
          case '\b' -> b.append("\\b");
          case '\f' -> b.append("\\f");
          default -> b.append(c < 0x20 ? String.format(Locale.ROOT, "\\u%04x", (int) c) : String.valueOf(c));
        }
      }
      b.append('"');
    } else if (v instanceof Map<?, ?> m) {
      b.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        b.append(first ? "" : ", ");
        json(String.valueOf(e.getKey()), b);
        b.append(": ");
        json(e.getValue(), b);
        first = false;
      }
      b.append('}');
    } else if (v instanceof List<?> l) {
      b.append('[');
      for (int i = 0; i < l.size(); i++) {
        b.append(i == 0 ? "" : ", ");
        json(l.get(i), b);
      }
      b.append(']');
    } else {
      json(str(v), b);
    }
  }

  private static final List<String> TESTS =
      List.of("defined", "undefined", "none", "string", "number", "integer", "float", "mapping",
          "iterable", "sequence", "boolean", "true", "false", "equalto", "eq", "sameas", "even",
          "odd");

  private static void checkTest(String name) {
    if (!TESTS.contains(name)) {
      throw new TemplateException("the test 'is " + name + "' is not supported by this"
          + " renderer (it has " + String.join(", ", TESTS) + ")");
    }
  }

  private static boolean test(String name, Object v, Object arg) {
    return switch (name) {
      case "defined" -> v != UNDEFINED;
      case "undefined" -> v == UNDEFINED;
      case "none" -> v == null;
      case "string" -> v instanceof String;
      case "number" -> v instanceof Number;
      case "integer" -> v instanceof Long || v instanceof Integer;
      case "float" -> v instanceof Double;
      case "mapping" -> v instanceof Map;
      case "iterable" -> v instanceof List || v instanceof Map || v instanceof String;
      case "sequence" -> v instanceof List || v instanceof String || v instanceof Map;
      case "boolean" -> v instanceof Boolean;
      case "true" -> Boolean.TRUE.equals(v);
      case "false" -> Boolean.FALSE.equals(v);
      case "even" -> integer(v, "'is even'") % 2 == 0;
      case "odd" -> integer(v, "'is odd'") % 2 != 0;
      default -> equal(v, arg);
    };
  }

  private static boolean equal(Object a, Object b) {
    if (a instanceof Number x && b instanceof Number y) {
      return x.doubleValue() == y.doubleValue();
    }
    if (a == UNDEFINED || b == UNDEFINED) {
      return a == b;
    }
    return Objects.equals(a, b);
  }

  private static boolean contains(Object container, Object item) {
    if (container instanceof String s) {
      return s.contains(str(item));
    }
    if (container instanceof Map<?, ?> m) {
      return m.containsKey(item);
    }
    for (Object o : iterate(container)) {
      if (equal(o, item)) {
        return true;
      }
    }
    return false;
  }

  private static Object compareOp(String op, Object a, Object b) {
    switch (op) {
      case "==": return equal(a, b);
      case "!=": return !equal(a, b);
      case "in": return contains(b, a);
      default: break;
    }
    int c;
    if (a instanceof Number x && b instanceof Number y) {
      c = Double.compare(x.doubleValue(), y.doubleValue());
    } else if (a instanceof String x && b instanceof String y) {
      c = x.compareTo(y);
    } else {
      throw new TemplateException("cannot compare " + typeName(a) + " with " + typeName(b));
    }
    return switch (op) {
      case "<" -> c < 0;
      case ">" -> c > 0;
      case "<=" -> c <= 0;
      default -> c >= 0;
    };
  }

  private static Object arithmetic(String op, Object a, Object b) {
    if (op.equals("+") && a instanceof String x && b instanceof String y) {
      return x + y;
    }
    if (op.equals("+") && a instanceof List<?> x && b instanceof List<?> y) {
      List<Object> out = new ArrayList<>(x);
      out.addAll(y);
      return out;
    }
    if (op.equals("*") && a instanceof String x && b instanceof Long n) {
      return x.repeat((int) Math.max(0, n));
    }
    if (a instanceof Number x && b instanceof Number y) {
      boolean ints = !(a instanceof Double) && !(b instanceof Double);
      long p = x.longValue();
      long q = y.longValue();
      switch (op) {
        case "+": return ints ? (Object) (p + q) : (Object) (x.doubleValue() + y.doubleValue());
        case "-": return ints ? (Object) (p - q) : (Object) (x.doubleValue() - y.doubleValue());
        case "*": return ints ? (Object) (p * q) : (Object) (x.doubleValue() * y.doubleValue());
        case "/": return x.doubleValue() / y.doubleValue();
        case "//": return ints ? (Object) Math.floorDiv(p, q) : (Object) Math.floor(x.doubleValue() / y.doubleValue());
        case "%": return ints ? (Object) Math.floorMod(p, q) : (Object) (x.doubleValue() % y.doubleValue());
        default: break;
      }
    }
    throw new TemplateException("cannot apply '" + op + "' to " + typeName(a) + " and " + typeName(b));
  }
}
