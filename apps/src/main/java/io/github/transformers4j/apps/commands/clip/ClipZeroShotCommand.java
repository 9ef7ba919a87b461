package io.github.transformers4j.apps.commands.clip;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.apps.cli.BackendChoice;
import io.github.transformers4j.clip.ClipEmbedder;
import io.github.transformers4j.clip.ZeroShot;
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
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code t4j clip zero-shot}: classifies images among labels with a CLIP model ({@link ZeroShot}):
 * one JSON line per image with the best label and every label's probability.
 */
@Command(
    name = "zero-shot",
    mixinStandardHelpOptions = true,
    description = {
      "Zero-shot image classification with CLIP: one JSON line per image,"
          + " {\"image\": ..., \"label\": ..., \"scores\": {label: probability}}.",
      "Each label's text embedding is the renormalized mean of its templates' embeddings; scores"
          + " are the softmax over labels of exp(logit_scale)·cosine."
    })
public final class ClipZeroShotCommand implements Callable<Integer> {
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

  @Option(
      names = "--labels",
      required = true,
      paramLabel = "LIST",
      description = "Comma-separated labels, e.g. \"red circle,blue square\".")
  String labels;

  @Option(
      names = "--template",
      paramLabel = "TEXT",
      description =
          "A prompt with {} where the label goes; repeatable (prompt ensemble). Default: \""
              + ZeroShot.DEFAULT_TEMPLATE
              + "\".")
  List<String> templates = new ArrayList<>();

  @Option(
      names = "--truncate",
      description =
          "Cut a text longer than the text tower's positions (77 for CLIP) to them, keeping its"
              + " end-of-text id; without it such a text is an error.")
  boolean truncate;

  @Parameters(paramLabel = "IMAGE", description = "Images to classify (PNG, JPEG, BMP, GIF).")
  List<String> images = new ArrayList<>();

  /** The command over the global backend choice. */
  @Inject
  public ClipZeroShotCommand(BackendChoice choice) {
    this.choice = choice;
  }

  /** The labels of a {@code --labels} list: split at commas, trimmed, none empty. */
  static List<String> parseLabels(String list) {
    List<String> out = new ArrayList<>();
    for (String part : list.split(",", -1)) {
      String l = part.strip();
      if (l.isEmpty()) {
        throw new IllegalArgumentException(
            "--labels \"" + list + "\" has an empty label (expected \"a,b,...\")");
      }
      if (out.contains(l)) {
        throw new IllegalArgumentException("--labels: \"" + l + "\" is given twice");
      }
      out.add(l);
    }
    return out;
  }

  @Override
  public Integer call() throws Exception {
    if (images.isEmpty()) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "no images: give one or more IMAGE files to classify");
    }
    List<String> names;
    try {
      names = parseLabels(labels);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e, null, labels);
    }
    List<String> prompts = templates.isEmpty() ? List.of(ZeroShot.DEFAULT_TEMPLATE) : templates;
    for (String t : prompts) {
      if (!t.contains(ZeroShot.PLACEHOLDER)) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--template \"" + t + "\" has no {} where the label goes");
      }
    }
    ClipFolders.requireClip(model);
    PrintWriter out = spec.commandLine().getOut();
    Gson gson = new GsonBuilder().disableHtmlEscaping().create();
    try (ComputeBackend backend = choice.create()) {
      Ops ops = new Ops(backend);
      ClipEmbedder embedder =
          ClipFolders.embedder(ops, model, true, true, spec.commandLine().getErr());
      if (truncate) {
        embedder = embedder.truncating();
      }
      ZeroShot zs = embedder.zeroShot(names, prompts);
      for (String image : images) {
        float[][] f = embedder.imageFeatures(List.of(Path.of(image)));
        ZeroShot.Prediction p = zs.classify(f[0]);
        JsonObject line = new JsonObject();
        line.addProperty("image", image);
        line.addProperty("label", p.label());
        JsonObject scores = new JsonObject();
        for (int l = 0; l < names.size(); l++) {
          scores.addProperty(names.get(l), p.scores()[l]);
        }
        line.add("scores", scores);
        out.println(gson.toJson(line));
        out.flush();
      }
    }
    return 0;
  }
}
