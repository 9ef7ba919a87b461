package io.github.transformers4j.training;

import com.google.gson.GsonBuilder;
import io.github.transformers4j.api.DType;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.io.AtomicFiles;
import io.github.transformers4j.models.weights.SafeTensors;
import io.github.transformers4j.models.weights.TensorData;
import io.github.transformers4j.training.data.CharTokenizer;
import io.github.transformers4j.training.data.TextTokenizer;
import io.github.transformers4j.training.optim.Parameter;
import io.github.transformers4j.training.optim.ParameterSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The Hugging Face files a training run keeps at the root of its output folder, so that {@code
 * from_pretrained(folder)} in Hugging Face transformers loads what {@code t4j train} wrote: {@code
 * config.json}, {@code model.safetensors} (Hugging Face's parameter names, F32), {@code
 * generation_config.json}, and for a char vocabulary {@code tokenizer.json} (written by {@link
 * CharTokenizer#save}), {@code tokenizer_config.json} and {@code special_tokens_map.json}. Every
 * file is written atomically ({@link AtomicFiles}); the recipes write them at each checkpoint
 * through {@link Trainer#exporting}, before a new run's folder is moved into place, so a finished
 * folder always has them at the step of its checkpoint. {@code checkpoint/} stays for resuming.
 */
public final class HfFolder {
  private HfFolder() {}

  /** The root weights file's name, as Hugging Face names it. */
  public static final String WEIGHTS = "model.safetensors";

  /** The note a folder that Hugging Face cannot load carries. */
  public static final String NOT_LOADABLE = "README.md";

  /**
   * Writes the trainable parameters as {@code model.safetensors}, each renamed by {@code rename}
   * (ours → Hugging Face's; null drops it), plus {@code extra} tensors (a position table that is
   * not a parameter), with the {@code format: pt} metadata Hugging Face checks for.
   */
  public static void writeWeights(
      Path dir, ParameterSet params, UnaryOperator<String> rename, Map<String, TensorData> extra)
      throws IOException {
    Map<String, TensorData> out = new LinkedHashMap<>();
    for (Parameter p : params) {
      String name = rename.apply(p.name());
      if (name != null) {
        Tensor v = p.get();
        out.put(name, new TensorData(v.shape(), v.toFloatArray()));
      }
    }
    out.putAll(extra);
    SafeTensors.write(dir.resolve(WEIGHTS), out, Map.of("format", "pt"), DType.F32);
  }

  /** Writes {@code map} as pretty-printed JSON (nulls kept: Hugging Face reads them as None). */
  public static void writeJson(Path file, Map<String, ?> map) throws IOException {
    AtomicFiles.write(
        file,
        new GsonBuilder()
            .setPrettyPrinting()
            .serializeNulls()
            .disableHtmlEscaping()
            .create()
            .toJson(map)
            .getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Writes the tokenizer files Hugging Face's {@code AutoTokenizer} reads beside a char {@code
   * tokenizer.json}: {@code tokenizer.json} itself (again, so a folder of an older version gets
   * Hugging Face's form at its next checkpoint), {@code tokenizer_config.json} (the fast tokenizer
   * class, no clean-up of spaces, which would change decoded text such as {@code " ."}) and
   * {@code special_tokens_map.json}. A tokenizer file given with {@code --tokenizer} is copied as it
   * is and gets neither.
   *
   * @param maxLength the model's context, as {@code model_max_length}
   */
  public static void writeCharTokenizer(Path dir, CharTokenizer tok, int maxLength)
      throws IOException {
    tok.save(dir.resolve("tokenizer.json"));
    Map<String, Object> specials = specialTokensMap(tok);
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("tokenizer_class", "PreTrainedTokenizerFast");
    config.put("model_max_length", maxLength);
    config.put("clean_up_tokenization_spaces", false);
    config.putAll(specials);
    writeJson(dir.resolve("tokenizer_config.json"), config);
    writeJson(dir.resolve("special_tokens_map.json"), specials);
  }

  /**
   * The special tokens by Hugging Face's roles; {@code [BOS]}/{@code [EOS]} of our recipes also
   * serve as BERT's {@code [CLS]}/{@code [SEP]}.
   */
  static Map<String, Object> specialTokensMap(CharTokenizer tok) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (String s : tok.specialNames()) {
      switch (s) {
        case "[UNK]" -> m.put("unk_token", s);
        case "[PAD]" -> m.put("pad_token", s);
        case "[BOS]" -> {
          m.put("bos_token", s);
          m.put("cls_token", s);
        }
        case "[EOS]" -> {
          m.put("eos_token", s);
          m.put("sep_token", s);
        }
        case "[MASK]" -> m.put("mask_token", s);
        default -> {}
      }
    }
    return m;
  }

  /** {@code id} as a {@code config.json} value: null where the tokenizer has no such token. */
  static Integer idOrNull(int id) {
    return id < 0 ? null : id;
  }

  /** The special token ids of {@code tok} as Hugging Face config fields (null where absent). */
  static Map<String, Object> tokenIds(TextTokenizer tok) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("bos_token_id", idOrNull(tok.specials().bos()));
    m.put("eos_token_id", idOrNull(tok.specials().eos()));
    m.put("pad_token_id", idOrNull(tok.specials().pad()));
    return m;
  }

  /**
   * Marks {@code dir} as not loadable by Hugging Face: a {@code README.md} saying why (the recipe
   * says the same once on stderr when the run starts).
   */
  public static void writeNotLoadable(Path dir, String modelType, String why) throws IOException {
    String text =
        "This folder was written by `t4j train`. Its `model_type` is `"
            + modelType
            + "`, which Hugging Face transformers does not know: it is not loadable with"
            + " `from_pretrained` ("
            + why
            + "). `t4j generate`, `t4j eval` and `Pretrained.load` read it.\n";
    if (!Files.exists(dir.resolve(NOT_LOADABLE)) || ours(dir.resolve(NOT_LOADABLE))) {
      AtomicFiles.write(dir.resolve(NOT_LOADABLE), text.getBytes(StandardCharsets.UTF_8));
    }
  }

  /**
   * Removes a {@link #NOT_LOADABLE} note an earlier run left (the folder is loadable now); a
   * {@code README.md} of the user's stays.
   */
  static void clearNotLoadable(Path dir) throws IOException {
    if (Files.isRegularFile(dir.resolve(NOT_LOADABLE)) && ours(dir.resolve(NOT_LOADABLE))) {
      Files.delete(dir.resolve(NOT_LOADABLE));
    }
  }

  private static boolean ours(Path note) throws IOException {
    return Files.size(note) < 4096
        && Files.readString(note).startsWith("This folder was written by `t4j train`.");
  }
}
