package io.github.transformers4j.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.transformers4j.api.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The chat-template renderer against transformers 5.18's own rendering of four template shapes
 * (ChatML, Zephyr, Llama-2, and one exercising whitespace control, namespaces, filters and tests)
 * on four conversations, with and without the generation prompt
 * ({@code testdata/serving/chat_templates.json}, made by {@code make_fixtures.py}).
 */
class ChatTemplateTest {
  private static final Path FIXTURE = SharedData.require("serving/chat_templates.json");

  static Stream<Arguments> cases() throws Exception {
    JsonObject root = JsonParser.parseString(Files.readString(FIXTURE)).getAsJsonObject();
    List<Arguments> out = new ArrayList<>();
    for (var e : root.getAsJsonArray("cases")) {
      JsonObject c = e.getAsJsonObject();
      String name = c.get("template").getAsString();
      int conversation = c.get("conversation").getAsInt();
      out.add(Arguments.of(
          name + " conversation " + conversation + (c.get("add_generation_prompt").getAsBoolean() ? " +prompt" : ""),
          root.getAsJsonObject("templates").get(name).getAsString(),
          root.getAsJsonArray("conversations").get(conversation).toString(),
          c.get("add_generation_prompt").getAsBoolean(),
          c.has("rendered") ? c.get("rendered").getAsString() : null,
          c.has("error") ? c.get("error").getAsString() : null));
    }
    return out.stream();
  }

  @SuppressWarnings("unchecked")
  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void rendersAsTransformersDoes(
      String name, String template, String messagesJson, boolean generationPrompt, String want,
      String error) {
    Map<String, Object> vars = new LinkedHashMap<>();
    // Gson reads numbers as doubles; the conversations hold strings only.
    vars.put("messages", new Gson().fromJson(messagesJson, List.class));
    vars.put("add_generation_prompt", generationPrompt);
    vars.put("bos_token", "<s>");
    vars.put("eos_token", "</s>");
    ChatTemplate t = ChatTemplate.parse(template);
    if (error != null) {
      ChatTemplate.TemplateException e =
          assertThrows(ChatTemplate.TemplateException.class, () -> t.render(vars));
      assertTrue(e.getMessage().contains(error), e::getMessage);
    } else {
      assertEquals(want, t.render(vars));
    }
  }

  @Test
  void unsupportedConstructsFailWhenParsedNamingThem() {
    var macro = assertThrows(ChatTemplate.TemplateException.class,
        () -> ChatTemplate.parse("{% macro f() %}x{% endmacro %}"));
    assertTrue(macro.getMessage().contains("{% macro %}"), macro::getMessage);
    var filter = assertThrows(ChatTemplate.TemplateException.class,
        () -> ChatTemplate.parse("{{ x | wordwrap }}"));
    assertTrue(filter.getMessage().contains("|wordwrap"), filter::getMessage);
    var open = assertThrows(ChatTemplate.TemplateException.class,
        () -> ChatTemplate.parse("{% if x %}never closed"));
    assertTrue(open.getMessage().contains("endif"), open::getMessage);
  }
}
