/**
 * Chat templates: the Jinja a model folder ships ({@code chat_template.jinja} or {@code
 * tokenizer_config.json}'s {@code chat_template}) rendered into the prompt a chat model continues,
 * as Hugging Face's {@code apply_chat_template} renders it.
 */
package io.github.transformers4j.models.chat;
