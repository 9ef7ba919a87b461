package io.github.transformers4j.langchain4j;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import io.github.transformers4j.models.chat.ChatTemplate;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How chat messages become the one prompt a generator continues. {@link T4jChatModel} uses the
 * folder's chat template ({@code chat_template} of {@code tokenizer_config.json}, rendered with
 * {@code add_generation_prompt} as Hugging Face's {@code apply_chat_template} does) when it has
 * one; a folder without one is refused unless the builder is given a format explicitly, such as
 * {@link #plain()}.
 */
@FunctionalInterface
public interface ChatFormat {

  /**
   * The prompt for {@code messages}, ending where the assistant's answer begins.
   *
   * @throws IllegalArgumentException naming a message this format cannot render
   */
  String render(List<ChatMessage> messages);

  /**
   * A plain transcript, for models trained without a chat format: one line per message, {@code
   * "System: "}, {@code "User: "} or {@code "Assistant: "} followed by its text and a newline,
   * then {@code "Assistant:"}, which the model continues. Tool messages are refused.
   */
  static ChatFormat plain() {
    return messages -> {
      StringBuilder b = new StringBuilder();
      for (ChatMessage m : messages) {
        b.append(role(m).substring(0, 1).toUpperCase(java.util.Locale.ROOT))
            .append(role(m).substring(1))
            .append(": ")
            .append(text(m))
            .append('\n');
      }
      return b.append("Assistant:").toString();
    };
  }

  /**
   * The chat template of {@code folder} ({@link ChatTemplate#read}: {@code chat_template.jinja},
   * else {@code tokenizer_config.json}'s {@code chat_template}), if it has one.
   *
   * @throws IllegalArgumentException naming the file when the template is malformed or uses a
   *     construct the renderer does not implement
   * @throws IOException naming the file that cannot be read
   */
  static Optional<ChatFormat> fromFolder(Path folder) throws IOException {
    return ChatTemplate.read(folder).map(t -> messages -> t.render(maps(messages), true));
  }

  /** The messages as {@code apply_chat_template} takes them: maps of role and content. */
  private static List<Object> maps(List<ChatMessage> messages) {
    List<Object> list = new ArrayList<>();
    for (ChatMessage m : messages) {
      Map<String, Object> msg = new LinkedHashMap<>();
      msg.put("role", role(m));
      msg.put("content", text(m));
      list.add(msg);
    }
    return list;
  }

  /** The role name Hugging Face's templates expect: system, user or assistant. */
  static String role(ChatMessage m) {
    if (m instanceof SystemMessage) {
      return "system";
    }
    if (m instanceof UserMessage) {
      return "user";
    }
    if (m instanceof AiMessage) {
      return "assistant";
    }
    throw new IllegalArgumentException(
        "a " + m.type() + " message cannot be rendered: only system, user and assistant messages"
            + " with text are supported (no tools)");
  }

  /** The message's text; a user message must be text only, an assistant message without tools. */
  static String text(ChatMessage m) {
    if (m instanceof SystemMessage s) {
      return s.text();
    }
    if (m instanceof UserMessage u) {
      if (!u.hasSingleText()) {
        throw new IllegalArgumentException(
            "a user message with " + u.contents().size() + " parts or non-text content cannot be"
                + " rendered: only text is supported");
      }
      return u.singleText();
    }
    if (m instanceof AiMessage a) {
      if (a.hasToolExecutionRequests()) {
        throw new IllegalArgumentException(
            "an assistant message with tool calls cannot be rendered: tools are not supported");
      }
      return a.text() == null ? "" : a.text();
    }
    return role(m); // throws, naming the type
  }
}
