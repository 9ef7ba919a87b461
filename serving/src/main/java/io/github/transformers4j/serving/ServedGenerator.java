package io.github.transformers4j.serving;

import io.github.transformers4j.api.spi.TextTokenizer;
import io.github.transformers4j.models.chat.ChatTemplate;
import io.github.transformers4j.models.generation.GenerationConfig;
import io.github.transformers4j.models.nn.PretrainedModel;

/**
 * A decoder or encoder-decoder folder served for {@code /v1/completions} and {@code
 * /v1/chat/completions}. The model is shared read-only by the worker threads; each generation
 * opens its own decoding session (its own KV cache).
 *
 * @param name the folder's name, the {@code model} of requests
 * @param model the loaded model, in evaluation mode
 * @param tokenizer the folder's tokenizer, or {@code null} when it has none this library reads
 * @param tokenizerProblem why there is no tokenizer, or {@code null}
 * @param settings the folder's generation settings ({@code generation_config.json}: stop tokens,
 *     penalties, forced tokens), as {@code t4j generate} applies them
 * @param vocab the model's vocabulary size
 * @param template the folder's chat template, with its special tokens, or {@code null}
 * @param templateProblem why chat completions are refused, or {@code null}
 */
record ServedGenerator(
    String name,
    PretrainedModel model,
    TextTokenizer tokenizer,
    String tokenizerProblem,
    GenerationConfig settings,
    int vocab,
    ChatTemplate template,
    String templateProblem) {}
