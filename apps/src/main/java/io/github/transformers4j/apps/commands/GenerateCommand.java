package io.github.transformers4j.apps.commands;

import io.github.transformers4j.models.nn.WeightPrecision;
import io.github.transformers4j.apps.cli.PrecisionConverter;
import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.apps.cli.BackendChoice;
import io.github.transformers4j.training.CharLm;
import io.github.transformers4j.training.Seq2SeqRecipe;
import jakarta.inject.Inject;
import io.github.transformers4j.api.registry.Tokenizers;
import io.github.transformers4j.api.spi.TextTokenizer;
import io.github.transformers4j.models.config.HfConfig;
import io.github.transformers4j.models.generation.GenerationConfig;
import io.github.transformers4j.models.generation.GenerationListener;
import io.github.transformers4j.models.generation.Generator;
import io.github.transformers4j.models.gpt.Gpt2Model;
import io.github.transformers4j.models.pretrained.Pretrained;
import java.nio.file.Files;
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
 * {@code t4j generate}: samples text from a model trained by {@code t4j train clm}, or from a
 * Hugging Face GPT-2 folder ({@code config.json}, {@code model.safetensors} or a sharded index,
 * and its tokenizer files, or prompt ids given with {@code --ids}), streaming it; for a model of
 * {@code t4j train seq2seq}, decodes the prompt as a source, greedily (streamed) or by beams.
 */
@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    description =
        "Generate text from a trained char-level GPT or a Hugging Face GPT-2 folder, printing"
            + " each token as it comes; for a seq2seq model, print the output for the source"
            + " --prompt (greedy or --beams N).")
public final class GenerateCommand implements Callable<Integer> {
  private final BackendChoice choice;

  @Spec private CommandSpec spec;

  @Option(
      names = "--model",
      required = true,
      paramLabel = "DIR",
      description =
          "Output folder of 't4j train clm' or 't4j train seq2seq', or a Hugging Face GPT-2"
              + " folder (config.json, model.safetensors, tokenizer.json or vocab.json +"
              + " merges.txt).")
  Path model;

  @Option(names = "--prompt", defaultValue = "", description = "Text to continue.")
  String prompt;

  @Option(
      names = "--max-new",
      defaultValue = "200",
      description =
          "Tokens to generate, characters for a char-level model (default ${DEFAULT-VALUE}).")
  int maxNew;

  @Option(
      names = "--seed",
      defaultValue = "0",
      description = "Sampling seed (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--ids",
      split = ",",
      paramLabel = "ID",
      description =
          "Hugging Face folder: the prompt as token ids (comma-separated) instead of --prompt;"
              + " the output is ids too, so no tokenizer is needed.")
  int[] ids;

  @Option(
      names = "--greedy",
      description = "Always take the most likely token instead of sampling (decoders).")
  boolean greedy;

  @Option(
      names = "--temperature",
      defaultValue = "0.8",
      description = "Sampling temperature (default ${DEFAULT-VALUE}).")
  float temperature;

  @Option(
      names = "--top-k",
      defaultValue = "40",
      description = "Sample among the k most likely tokens; 0 for all (default ${DEFAULT-VALUE}).")
  int topK;

  @Option(
      names = "--top-p",
      defaultValue = "1.0",
      description = "Nucleus sampling: the smallest set of tokens with this much probability"
          + " (default ${DEFAULT-VALUE}, off).")
  float topP;

  @Option(
      names = "--beams",
      defaultValue = "1",
      description = "Seq2seq only: beams, 1 = greedy (default ${DEFAULT-VALUE}).")
  int beams;

  @Option(
      names = "--quantize",
      paramLabel = "PRECISION",
      defaultValue = "f32",
      converter = PrecisionConverter.class,
      description =
          "Hold the matmul weights in int8 (per output channel) or bf16 for inference; f32 keeps"
              + " them as stored (default ${DEFAULT-VALUE}).")
  WeightPrecision quantize;

  /** The command over the global backend choice. */
  @Inject
  public GenerateCommand(BackendChoice choice) {
    this.choice = choice;
  }

  @Override
  public Integer call() throws Exception {
    java.io.PrintWriter out = spec.commandLine().getOut();
    try (ComputeBackend backend = choice.create()) {
      if (Seq2SeqRecipe.isSeq2Seq(model)) {
        Seq2SeqRecipe.Loaded m = Seq2SeqRecipe.load(new Ops(backend), model, quantize);
        reportWeights(m.model().model());
        if (beams <= 1) {
          Seq2SeqRecipe.translateStreaming(
              m,
              prompt,
              piece -> {
                out.print(piece);
                out.flush();
              });
          out.println();
        } else {
          out.println(Seq2SeqRecipe.translate(m, java.util.List.of(prompt), beams, 1).get(0));
        }
        return 0;
      }
      if (!Files.isDirectory(model.resolve("checkpoint")) && Pretrained.isModelFolder(model)) {
        return huggingFace(new Ops(backend), out);
      }
      if (ids != null) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--ids needs a Hugging Face model folder; " + model + " is not one");
      }
      if (!Files.isDirectory(model.resolve("checkpoint"))) {
        throw new CommandLine.ParameterException(
            spec.commandLine(),
            model + " is not a model folder: expected the output of 't4j train clm' or 't4j train"
                + " seq2seq' (config.json, tokenizer.json, checkpoint/) or a Hugging Face folder"
                + " (config.json and model.safetensors)");
      }
      CharLm.Loaded m = CharLm.load(new Ops(backend), model, quantize);
      reportWeights(m.model().model());
      out.print(prompt);
      CharLm.generate(
          m,
          prompt,
          maxNew,
          seed,
          greedy,
          temperature,
          topK,
          topP,
          id -> {
            out.print(m.tokenizer().decode(new int[] {id}));
            out.flush();
          });
      out.println();
      return 0;
    }
  }

  // A Hugging Face GPT-2 folder: its tokenizer through the tokenizer SPI, or ids in and out.
  private int huggingFace(Ops ops, java.io.PrintWriter out) throws java.io.IOException {
    if (beams > 1) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--beams is for seq2seq models; " + model + " is a decoder");
    }
    Gpt2Model gpt2 = Pretrained.load(ops, model, Gpt2Model.class, quantize);
    reportWeights(gpt2);
    TextTokenizer tok = null;
    int[] promptIds;
    if (ids != null) {
      promptIds = ids;
    } else {
      try {
        tok = Tokenizers.installed().forName("auto").load(model);
      } catch (java.io.IOException | IllegalArgumentException e) {
        throw new CommandLine.ParameterException(
            spec.commandLine(),
            model + " has no tokenizer this library reads (" + e.getMessage()
                + "); give the prompt as token ids with --ids");
      }
      promptIds = tok.encodeIds(prompt);
    }
    int vocab = gpt2.config().vocabSize();
    if (promptIds.length == 0) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "the prompt is empty: give --prompt TEXT or --ids");
    }
    for (int id : promptIds) {
      if (id < 0 || id >= vocab) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "prompt id " + id + " is outside the vocabulary of " + vocab);
      }
    }
    int room = gpt2.config().nPositions() - promptIds.length;
    if (room <= 0) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "the prompt has " + promptIds.length + " tokens but the model sees at most "
              + gpt2.config().nPositions());
    }
    GenerationConfig g =
        greedy
            ? GenerationConfig.greedy(Math.min(maxNew, room))
            : GenerationConfig.sampling(Math.min(maxNew, room), seed)
                .withTemperature(temperature)
                .withTopK(topK)
                .withTopP(topP);
    if (tok != null && tok.vocabularySize() < vocab) {
      // The embedding has rows the tokenizer cannot decode (padded vocabularies): never pick them.
      g = g.withVocabularyLimit(tok.vocabularySize());
    }
    Object eos = HfConfig.read(model.resolve(Pretrained.CONFIG)).get("eos_token_id");
    if (eos instanceof Number n && n.intValue() >= 0 && n.intValue() < vocab) {
      g = g.withStopTokens(n.intValue());
    }
    gpt2.train(false, 0);
    List<Integer> fresh = new ArrayList<>();
    TextTokenizer t = tok;
    String[] shown = {""};
    if (t != null) {
      out.print(prompt);
    } else {
      out.print(join(promptIds));
    }
    out.flush();
    new Generator(gpt2::session)
        .generate(
            new int[][] {promptIds},
            g,
            new GenerationListener() {
              @Override
              public void onToken(int row, int token) {
                fresh.add(token);
                if (t == null) {
                  out.print("," + token);
                } else {
                  // Decode everything so far and print what is new, once it is whole text (a
                  // byte-level token may end inside a character).
                  String text =
                      t.decodeIds(fresh.stream().mapToInt(Integer::intValue).toArray(), true);
                  if (text.startsWith(shown[0]) && !text.endsWith("\uFFFD")) {
                    out.print(text.substring(shown[0].length()));
                    shown[0] = text;
                  }
                }
                out.flush();
              }
            });
    out.println();
    return 0;
  }

  private static String join(int[] ids) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < ids.length; i++) {
      b.append(i == 0 ? "" : ",").append(ids[i]);
    }
    return b.toString();
  }

  // --verbose: the resident size of the weights in the chosen precision.
  private void reportWeights(io.github.transformers4j.models.nn.AbstractModule m) {
    if (choice.verbose()) {
      spec.commandLine().getErr().printf(
          java.util.Locale.ROOT, "weights: %s, %.1f MB resident%n", quantize.label(), m.weightBytes() / 1e6);
    }
  }
}
