package io.github.transformers4j.models.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.api.testing.SharedData;
import io.github.transformers4j.models.config.HfConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The chat-template renderer against transformers 5.18's {@code apply_chat_template}: every
 * template of {@code testdata/chat-templates/expected.json} (ChatML, Zephyr's and Llama 2's
 * shapes, whitespace control, {@code trim_blocks} / {@code lstrip_blocks}, namespaces, filtered
 * and reversed loops, slices, tests, filters, {@code tojson}, Python's printing of values, {@code
 * raise_exception}) on every message list, with and without the generation prompt, character for
 * character.
 */
class ChatTemplateTest {
  private static final Path EXPECTED = SharedData.require("chat-templates/expected.json");

  @SuppressWarnings("unchecked")
  static Stream<Arguments> cases() throws Exception {
    Map<String, Object> all = HfConfig.read(EXPECTED);
    Map<String, Object> templates = (Map<String, Object>) all.get("templates");
    Map<String, Object> messages = (Map<String, Object>) all.get("messages");
    Map<String, Object> special = (Map<String, Object>) all.get("special_tokens");
    List<Arguments> out = new ArrayList<>();
    for (Object o : (List<Object>) all.get("cases")) {
      Map<String, Object> c = (Map<String, Object>) o;
      boolean prompt = (Boolean) c.get("add_generation_prompt");
      out.add(
          Arguments.of(
              c.get("template") + " / " + c.get("messages") + (prompt ? " +prompt" : ""),
              templates.get(c.get("template")),
              special,
              messages.get(c.get("messages")),
              prompt,
              c.get("rendered"),
              c.get("error")));
    }
    return out.stream();
  }

  @Test
  void theFixtureCoversEveryPairBothWays() throws Exception {
    // 9 templates x 8 message lists x (with, without the generation prompt); 8 of them raise.
    assertEquals(144, cases().count());
    assertEquals(8, cases().filter(a -> a.get()[6] != null).count());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void rendersWhatTransformersRenders(
      String name, String template, Map<String, Object> special, List<Object> messages,
      boolean prompt, String want, String error) {
    ChatTemplate t = ChatTemplate.parse(name, template, special);
    if (error != null) {
      ChatTemplate.TemplateException e =
          assertThrows(ChatTemplate.TemplateException.class, () -> t.render(messages, prompt));
      assertTrue(e.getMessage().startsWith("the chat template refused the messages: "), e::getMessage);
      assertTrue(e.getMessage().contains(error), e::getMessage);
    } else {
      assertEquals(want, t.render(messages, prompt));
    }
  }

  @Test
  void theVariablesFormRendersAsTheMessagesForm() {
    ChatTemplate t =
        ChatTemplate.parse("t", "{{ bos_token }}{{ messages[0].content }}{{ x }}", Map.of("bos_token", "<s>"));
    Map<String, Object> vars = new LinkedHashMap<>(t.specialTokens());
    vars.put("messages", List.of(Map.of("role", "user", "content", "hi")));
    vars.put("x", 1.5);
    assertEquals("<s>hi1.5", t.render(vars));
    assertEquals("<s>hi", t.render(List.of(Map.of("role", "user", "content", "hi")), true));
  }

  @Test
  void readsTheFoldersTemplateWithItsSpecialTokens(@TempDir Path dir) throws Exception {
    assertTrue(ChatTemplate.read(dir).isEmpty());
    Files.writeString(
        dir.resolve("tokenizer_config.json"),
        "{\"bos_token\": {\"content\": \"<s>\", \"lstrip\": false}, \"eos_token\": \"</s>\","
            + " \"chat_template\": \"{{ bos_token }}{% for m in messages %}[{{ m.role }}]"
            + "{{ m.content }}{% endfor %}{% if add_generation_prompt %}[assistant]{% endif %}\"}");
    List<Object> messages =
        List.of(Map.of("role", "system", "content", "Be brief."), Map.of("role", "user", "content", "Hi"));
    ChatTemplate fromConfig = ChatTemplate.read(dir).orElseThrow();
    assertEquals("<s>[system]Be brief.[user]Hi[assistant]", fromConfig.render(messages, true));
    assertEquals(Map.of("bos_token", "<s>", "eos_token", "</s>"), fromConfig.specialTokens());
    assertEquals(dir.resolve("tokenizer_config.json") + " (chat_template)", fromConfig.source());
    // chat_template.jinja, as transformers saves it now, comes first, with the config's tokens.
    Files.writeString(dir.resolve("chat_template.jinja"), "{{ eos_token }}{{ messages | length }}");
    assertEquals("</s>2", ChatTemplate.read(dir).orElseThrow().render(messages, false));
    Files.write(dir.resolve("chat_template.jinja"), new byte[] {'{', '{', (byte) 0xff, '}', '}'});
    var e = assertThrows(java.io.IOException.class, () -> ChatTemplate.read(dir));
    assertEquals(dir.resolve("chat_template.jinja") + ": not UTF-8 text, not a Jinja template", e.getMessage());
  }

  @Test
  void aListOfNamedTemplatesGivesItsDefault(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("tokenizer_config.json");
    Files.writeString(
        config,
        "{\"chat_template\": [{\"name\": \"tool_use\", \"template\": \"T\"},"
            + " {\"name\": \"default\", \"template\": \"D\"}]}");
    assertEquals("D", ChatTemplate.read(dir).orElseThrow().render(List.of(), true));
    Files.writeString(config, "{\"chat_template\": [{\"name\": \"tool_use\", \"template\": \"T\"}]}");
    var e = assertThrows(ChatTemplate.TemplateException.class, () -> ChatTemplate.read(dir));
    assertEquals(config + ": chat_template is a list without a template named 'default'", e.getMessage());
    Files.writeString(config, "{\"chat_template\": 3}");
    e = assertThrows(ChatTemplate.TemplateException.class, () -> ChatTemplate.read(dir));
    assertTrue(e.getMessage().startsWith(config + ": chat_template must be a string"), e::getMessage);
  }

  @Test
  void whatTheRendererLacksIsRefusedByNameWhenParsed(@TempDir Path dir) throws Exception {
    assertEquals(
        "t.jinja: chat template: the tag {% macro %} is not supported by this renderer (it renders"
            + " if, for, set and expressions)",
        refusal("{% macro f(x) %}{{ x }}{% endmacro %}"));
    assertTrue(refusal("{{ x | wordwrap }}").contains("the filter |wordwrap is not supported"));
    assertTrue(refusal("{{ x is divisibleby(3) }}").contains("the test 'is divisibleby' is not supported"));
    assertEquals(
        "t.jinja: chat template: a tag opened at offset 2 is never closed with }}", refusal("a {{ b"));
    assertEquals(
        "t.jinja: chat template: the template ends before {% endif %}", refusal("{% if x %}a"));
    assertEquals("t.jinja: chat template: {% endfor %} without its opening tag", refusal("{% endfor %}"));
    // Read from a folder, the error names the file.
    Files.writeString(dir.resolve("chat_template.jinja"), "{% include 'x' %}");
    var e = assertThrows(ChatTemplate.TemplateException.class, () -> ChatTemplate.read(dir));
    assertTrue(
        e.getMessage().startsWith(dir.resolve("chat_template.jinja") + ": chat template: the tag {% include %}"),
        e::getMessage);
  }

  @Test
  void mistakesAtRenderTimeNameWhatWentWrong() {
    ChatTemplate undefined = ChatTemplate.parse("t", "{{ nothing.content }}", Map.of());
    var e = assertThrows(ChatTemplate.TemplateException.class, () -> undefined.render(List.of(), true));
    assertEquals("cannot read 'content' of an undefined value", e.getMessage());
    ChatTemplate notNamespace =
        ChatTemplate.parse("t", "{% for m in messages %}{% set m.role = 'x' %}{% endfor %}", Map.of());
    e = assertThrows(
        ChatTemplate.TemplateException.class,
        () -> notNamespace.render(List.of(Map.of("role", "user")), true));
    assertEquals("{% set m.role %}: m is not a namespace()", e.getMessage());
    ChatTemplate zeroStep = ChatTemplate.parse("t", "{{ messages[::0] }}", Map.of());
    e = assertThrows(ChatTemplate.TemplateException.class, () -> zeroStep.render(List.of(), true));
    assertEquals("a slice step cannot be zero", e.getMessage());
  }

  private static String refusal(String template) {
    return assertThrows(
            ChatTemplate.TemplateException.class, () -> ChatTemplate.parse("t.jinja", template, Map.of()))
        .getMessage();
  }
}
