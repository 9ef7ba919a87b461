package io.github.transformers4j.langchain4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LangChain4j's messages through a folder's chat template (the renderer itself is checked against
 * Hugging Face by transformer-models' {@code ChatTemplateTest}) and the plain transcript.
 */
class ChatFormatTest {
  @Test
  void rendersTheFoldersTemplateWithItsSpecialTokens(@TempDir Path dir) throws Exception {
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
  void aTemplateOutsideTheSubsetIsRefusedNamingTheFile(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("chat_template.jinja"), "{% macro f(x) %}{{ x }}{% endmacro %}");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ChatFormat.fromFolder(dir));
    assertTrue(
        e.getMessage().startsWith(dir.resolve("chat_template.jinja") + ": chat template: the tag {% macro %}"),
        e.getMessage());
  }

  @Test
  void plainIsATranscriptEndingWhereTheAssistantAnswers() {
    assertEquals(
        "System: Be brief.\nUser: Hi\nAssistant: Hello\nUser: Bye\nAssistant:",
        ChatFormat.plain()
            .render(
                List.of(
                    SystemMessage.from("Be brief."),
                    UserMessage.from("Hi"),
                    AiMessage.from("Hello"),
                    UserMessage.from("Bye"))));
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
