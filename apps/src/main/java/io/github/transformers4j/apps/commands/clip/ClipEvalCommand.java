package io.github.transformers4j.apps.commands.clip;

import com.google.gson.GsonBuilder;
import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.apps.cli.BackendChoice;
import io.github.transformers4j.clip.ClipEmbedder;
import io.github.transformers4j.clip.training.ClipEvaluation;
import io.github.transformers4j.clip.training.Retrieval;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code t4j clip eval}: zero-shot accuracy and retrieval recall of a CLIP on a test split. */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    description = {
      "Evaluate a CLIP folder on the test split of --data: image->text and text->image recall@1"
          + " and @5 (a hit is an item with the query's caption text); on 't4j clip synth' data"
          + " also zero-shot accuracy over the 18 color-shape classes"
          + " (prompt ensemble), on held-out and on seen combinations."
    })
public final class ClipEvalCommand implements Callable<Integer> {
  private final BackendChoice choice;

  @Spec private CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "DIR", description = "A CLIP folder.")
  Path model;

  // File names on lines of their own: picocli would break a line after their dot.
  @Option(
      names = "--data",
      required = true,
      paramLabel = "DIR",
      description = {"Dataset folder (its test.csv, test.tsv", "or test.jsonl) or test list file."})
  Path data;

  @Option(names = "--json", description = "Print one JSON object instead of text.")
  boolean json;

  /** The command over the global backend choice. */
  @Inject
  public ClipEvalCommand(BackendChoice choice) {
    this.choice = choice;
  }

  /** The figures on one line. */
  static String summary(ClipEvaluation.Result e) {
    Retrieval.Recall r = e.recall();
    String zs =
        e.heldOut() == null
            ? ""
            : String.format(
                Locale.ROOT,
                "zero-shot held-out %.1f%% (%d images), seen %.1f%% (%d images); ",
                100 * e.heldOut().value(),
                e.heldOut().total(),
                100 * e.seen().value(),
                e.seen().total());
    return zs
        + String.format(
            Locale.ROOT,
            "image->text R@1 %.1f%% R@5 %.1f%%, text->image R@1 %.1f%% R@5 %.1f%% (%d test pairs)",
            100 * r.imageToText1(),
            100 * r.imageToText5(),
            100 * r.textToImage1(),
            100 * r.textToImage5(),
            e.pairs());
  }

  @Override
  public Integer call() throws Exception {
    ClipFolders.requireClip(model);
    PrintWriter out = spec.commandLine().getOut();
    try (ComputeBackend backend = choice.create()) {
      Ops ops = new Ops(backend);
      ClipEmbedder embedder =
          // A dataset's captions are cut as training cuts them.
          ClipFolders.embedder(ops, model, true, true, spec.commandLine().getErr()).truncating();
      ClipEvaluation.Result e = ClipEvaluation.evaluate(embedder, data);
      if (json) {
        out.println(new GsonBuilder().serializeNulls().create().toJson(e.toMap()));
      } else {
        out.println(summary(e));
        if (e.heldOut() != null && e.heldOut().total() > 0) {
          out.printf(
              Locale.ROOT,
              "held-out images: color right %.1f%%, shape right %.1f%%%s%n",
              100 * e.heldOutColor().value(),
              100 * e.heldOutShape().value(),
              e.confusions().isEmpty() ? "" : "; mistakes " + e.confusions());
        }
      }
      out.flush();
    }
    return 0;
  }
}
