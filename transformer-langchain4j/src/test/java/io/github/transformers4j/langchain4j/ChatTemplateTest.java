package io.github.transformers4j.langchain4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import io.github.transformers4j.api.testing.SharedData;
import io.github.transformers4j.models.config.HfConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Jinja subset of {@link ChatTemplate} against Hugging Face's {@code apply_chat_template}:
 * every template of {@code testdata/chat-templates/expected.json} (whitespace control, {@code
 * trim_blocks} / {@code lstrip_blocks}, namespaces, filtered loops, {@code tojson}, {@code
 * raise_exception}) on every message list, character for character.
 */
class ChatTemplateTest {
  private static final Path EXPECTED = SharedData.require("chat-templates/expected.json");

  @Test
  @SuppressWarnings("unchecked")
  void rendersWhatHuggingFaceRenders() throws Exception {
    Map<String, Object> all = HfConfig.read(EXPECTED);
    Map<String, Object> templates = (Map<String, Object>) all.get("templates");
    Map<String, Object> messages = (Map<String, Object>) all.get("messages");
    Map<String, Object> special = (Map<String, Object>) all.get("special_tokens");
    int rendered = 0;
    int refused = 0;
    for (Object o : (List<Object>) all.get("cases")) {
      Map<String, Object> c = (Map<String, Object>) o;
      String name = c.get("template") + " / " + c.get("messages");
      ChatTemplate t = new ChatTemplate(name, (String) templates.get(c.get("template")), special);
      List<Object> m = new ArrayList<>((List<Object>) messages.get(c.get("messages")));
      if (c.containsKey("error")) {
        IllegalArgumentException e =
            assertThrows(IllegalArgumentException.class, () -> t.render(m, true), name);
        assertTrue(e.getMessage().contains((String) c.get("error")), e.getMessage());
        refused++;
      } else {
        assertEquals(c.get("rendered"), t.render(m, true), name);
        rendered++;
      }
    }
    assertEquals(15, rendered);
    assertEquals(1, refused);
  }

  @Test
  void readsTheFoldersTemplateWithItsSpecialTokens(@TempDir Path dir) throws Exception {
    Files.writeString(
        dir.resolve("tokenizer_config.json"),
        "{\"bos_token\": {\"content\": \"<s>\", \"lstrip\": false},"
            + " \"chat_template\": \"{{ bos_token }}{% for m in messages %}[{{ m.role }}]"
            + "{{ m.content }}{% endfor %}{% if add_generation_prompt %}[assistant]{% endif %}\"}");
    ChatFormat f = ChatFormat.fromFolder(dir).orElseThrow();
    assertEquals(
        "<s>[system]Be brief.[user]Hi[assistant]Hello[user]Bye[assistant]",
        f.render(
            List.of(
                SystemMessage.from("Be brief."),
                UserMessage.from("Hi"),
                AiMessage.from("Hello"),
                UserMessage.from("Bye"))));
    // chat_template.jinja, as transformers saves it now, comes first.
    Files.writeString(dir.resolve("chat_template.jinja"), "{{ messages | length }} messages");
    assertEquals("1 messages", ChatFormat.fromFolder(dir).orElseThrow().render(List.of(UserMessage.from("x"))));
    assertTrue(ChatFormat.fromFolder(dir.resolve("..").resolve("nothing-here")).isEmpty());
  }

  @Test
  void whatTheRendererLacksIsRefusedByNameWhenRead() {
    IllegalArgumentException macro =
        assertThrows(
            IllegalArgumentException.class,
            () -> new ChatTemplate("t.jinja", "{% macro f(x) %}{{ x }}{% endmacro %}", Map.of()));
    assertEquals(
        "t.jinja: chat template: {% macro %} is not supported by this renderer (supported: if,"
            + " for, set)",
        macro.getMessage());
    IllegalArgumentException open =
        assertThrows(
            IllegalArgumentException.class, () -> new ChatTemplate("t.jinja", "a {{ b", Map.of()));
    assertEquals("t.jinja: chat template: '{{' at offset 2 is never closed", open.getMessage());
    IllegalArgumentException unclosed =
        assertThrows(
            IllegalArgumentException.class,
            () -> new ChatTemplate("t.jinja", "{% if x %}a", Map.of()));
    assertEquals("t.jinja: chat template: missing {% endif %}", unclosed.getMessage());
    IllegalArgumentException filter =
        assertThrows(
            IllegalArgumentException.class,
            () -> new ChatTemplate("t.jinja", "{{ x | wordwrap }}", Map.of()).render(List.of(), true));
    assertTrue(filter.getMessage().endsWith("the filter '|wordwrap' is not supported"), filter.getMessage());
  }

  @Test
  void toolMessagesAreRefusedNamingTheirType() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                ChatFormat.plain()
                    .render(List.of(ToolExecutionResultMessage.from("id", "tool", "42"))));
    assertTrue(e.getMessage().startsWith("a TOOL_EXECUTION_RESULT message cannot be rendered"), e.getMessage());
  }
}
