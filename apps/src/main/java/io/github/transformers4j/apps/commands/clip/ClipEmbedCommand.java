package io.github.transformers4j.apps.commands.clip;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.apps.cli.BackendChoice;
import io.github.transformers4j.apps.cli.VectorJson;
import io.github.transformers4j.clip.ClipEmbedder;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code t4j clip embed}: the L2-normalized CLIP embeddings of images and texts, one JSON array a
 * line, images first, each group in the order given; printed as {@code t4j embed} prints.
 */
@Command(
    name = "embed",
    mixinStandardHelpOptions = true,
    description = {
      "CLIP embeddings of images and texts: one JSON array per input (L2-normalized projected"
          + " features), images first, each in the order given."
    })
public final class ClipEmbedCommand implements Callable<Integer> {
  private final BackendChoice choice;

  @Spec private CommandSpec spec;

  @Option(
      names = "--model",
      required = true,
      paramLabel = "DIR",
      description = {
        "A Hugging Face CLIP folder: config.json,",
        "model.safetensors, preprocessor_config.json;",
        "without tokenizer files the built-in CLIP",
        "vocabulary is used."
      })
  Path model;

  @Option(names = "--image", paramLabel = "FILE", description = "An image (PNG, JPEG, BMP, GIF); repeatable.")
  List<Path> images = new ArrayList<>();

  @Option(names = "--text", paramLabel = "TEXT", description = "A text; repeatable.")
  List<String> texts = new ArrayList<>();

  @Option(
      names = "--truncate",
      description =
          "Cut a text longer than the text tower's positions (77 for CLIP) to them, keeping its"
              + " end-of-text id; without it such a text is an error.")
  boolean truncate;

  /** The command over the global backend choice. */
  @Inject
  public ClipEmbedCommand(BackendChoice choice) {
    this.choice = choice;
  }

  @Override
  public Integer call() throws Exception {
    if (images.isEmpty() && texts.isEmpty()) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "nothing to embed: give at least one --image FILE or --text TEXT");
    }
    ClipFolders.requireClip(model);
    PrintWriter out = spec.commandLine().getOut();
    try (ComputeBackend backend = choice.create()) {
      Ops ops = new Ops(backend);
      ClipEmbedder embedder =
          ClipFolders.embedder(
              ops, model, !texts.isEmpty(), !images.isEmpty(), spec.commandLine().getErr());
      if (truncate) {
        embedder = embedder.truncating();
      }
      if (!images.isEmpty()) {
        for (float[] v : embedder.embedImages(images)) {
          out.println(VectorJson.format(v));
        }
        out.flush();
      }
      if (!texts.isEmpty()) {
        for (float[] v : embedder.embedTexts(texts)) {
          out.println(VectorJson.format(v));
        }
      }
      out.flush();
    }
    return 0;
  }

}
