package io.github.transformers4j.apps.commands.clip;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.clip.ClipEmbedder;
import io.github.transformers4j.clip.ClipModel;
import io.github.transformers4j.clip.ClipTokenizers;
import io.github.transformers4j.clip.image.ClipImageProcessor;
import io.github.transformers4j.tokenizers.formats.ModelFolderTokenizer;
import io.github.transformers4j.training.data.TextTokenizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the CLIP commands read from a {@code --model} folder: the check that it is a CLIP folder,
 * its tokenizer (the built-in CLIP vocabulary when it has no tokenizer files) adapted to the
 * training layer's {@link TextTokenizer}, and its image processor.
 */
public final class ClipFolders {
  /** What a CLIP folder holds, for messages. */
  static final String EXPECTED =
      "a Hugging Face CLIP folder (config.json with model_type clip, model.safetensors,"
          + " preprocessor_config.json, tokenizer files optional)";

  private ClipFolders() {}

  /** Fails with one clear line unless {@code dir} holds a CLIP {@code config.json}. */
  public static void requireClip(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      throw new IllegalArgumentException("--model " + dir + ": no such folder; expected " + EXPECTED);
    }
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("--model " + dir + " is a file; expected " + EXPECTED);
    }
    Path config = dir.resolve("config.json");
    if (!Files.isRegularFile(config)) {
      throw new IllegalArgumentException(
          "--model " + dir + " has no config.json; expected " + EXPECTED);
    }
    String type;
    try {
      JsonElement e = JsonParser.parseString(Files.readString(config, StandardCharsets.UTF_8));
      JsonObject o = e.isJsonObject() ? e.getAsJsonObject() : new JsonObject();
      type = o.has("model_type") && o.get("model_type").isJsonPrimitive()
          ? o.get("model_type").getAsString()
          : null;
    } catch (JsonParseException e) {
      throw new IllegalArgumentException(config + ": not valid JSON (" + e.getMessage() + ")", e);
    }
    if (!ClipModel.ARCHITECTURE.equals(type)) {
      throw new IllegalArgumentException(
          "--model " + dir + " is not a CLIP folder: config.json has model_type "
              + (type == null ? "(none)" : type) + "; expected " + EXPECTED);
    }
  }

  /**
   * The folder's tokenizer ({@code tokenizer.json}, CLIP's {@code vocab.json} + {@code
   * merges.txt}, else the built-in CLIP vocabulary), with CLIP's special tokens.
   */
  public static TextTokenizer tokenizer(Path dir) throws IOException {
    return ClipTokenizers.adapt(ModelFolderTokenizer.load(dir));
  }

  /**
   * An embedder over the folder's model, with its tokenizer when {@code texts} and its image
   * processor when {@code images} (each loaded only when asked for).
   */
  public static ClipEmbedder embedder(
      Ops ops, Path dir, boolean texts, boolean images, PrintWriter err) throws IOException {
    ClipModel clip = ClipModel.load(ops, dir);
    return new ClipEmbedder(
        ops,
        clip,
        texts ? tokenizer(dir) : null,
        images ? processor(dir, clip.config().vision().imageSize(), err) : null);
  }

  /**
   * The folder's {@code preprocessor_config.json}; without one, OpenAI CLIP's settings at the
   * model's image size, said on {@code err}.
   */
  public static ClipImageProcessor processor(Path dir, int imageSize, PrintWriter err)
      throws IOException {
    if (Files.isRegularFile(dir.resolve(ClipImageProcessor.FILE))) {
      return ClipImageProcessor.load(dir);
    }
    err.println(
        "t4j: note: " + dir + " has no " + ClipImageProcessor.FILE + "; using CLIP's (bicubic"
            + " resize and center crop to " + imageSize + ", OpenAI's mean and std)");
    err.flush();
    return ClipImageProcessor.clip(imageSize);
  }
}
