package io.github.transformers4j.apps.commands;

import io.github.transformers4j.apps.cli.PrecisionOption;
import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.apps.cli.BackendChoice;
import io.github.transformers4j.apps.cli.Numbers;
import io.github.transformers4j.apps.cli.PositiveInt;
import io.github.transformers4j.training.OutputFolder;
import io.github.transformers4j.training.CharLm;
import io.github.transformers4j.training.Seq2SeqRecipe;
import jakarta.inject.Inject;
import io.github.transformers4j.api.registry.Tokenizers;
import io.github.transformers4j.api.spi.TextTokenizer;
import io.github.transformers4j.models.generation.GenerationConfig;
import io.github.transformers4j.models.generation.GenerationListener;
import io.github.transformers4j.models.generation.Generator;
import io.github.transformers4j.models.generation.HfGenerationSettings;
import io.github.transformers4j.models.nn.PretrainedModel;
import io.github.transformers4j.models.tasks.CausalLm;
import io.github.transformers4j.models.tasks.Seq2SeqLm;
import io.github.transformers4j.models.tasks.TextGeneration;
import io.github.transformers4j.models.pretrained.Pretrained;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
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
    description = {
      "Generate text from a trained char-level GPT or a Hugging Face GPT-2 folder, printing"
          + " each token as it comes; for a seq2seq model, print the output for the source"
          + " --prompt (greedy, sampled, or --beams N).",
      "Characters a char-level model's vocabulary lacks are read as its unknown token [UNK],"
          + " with a note on stderr."
    })
public final class GenerateCommand implements Callable<Integer> {
  private final BackendChoice choice;

  @Spec private CommandSpec spec;

  @Option(
      names = "--model",
      required = true,
      paramLabel = "DIR",
      // File names on lines of their own: picocli would break a line after their dot.
      description = {
        "Output folder of 't4j train clm' or 't4j train seq2seq', or a Hugging Face GPT-2"
            + " folder with:",
        "config.json, model.safetensors and tokenizer.json",
        "(or vocab.json with merges.txt)."
      })
  Path model;

  @Option(names = "--prompt", defaultValue = "", description = "Text to continue.")
  String prompt;

  @Option(
      names = "--max-new",
      defaultValue = "200",
      converter = Numbers.NonNegativeInt.class,
      description =
          "Tokens to generate, characters for a char-level model (default ${DEFAULT-VALUE}; for"
              + " seq2seq, the model's room for outputs).")
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
      description =
          "Always take the most likely token instead of sampling. Decoders sample by default;"
              + " seq2seq models decode greedily unless --temperature, --top-k or --top-p is"
              + " given.")
  boolean greedy;

  @Option(
      names = "--temperature",
      defaultValue = "0.8",
      converter = Numbers.PositiveFloat.class,
      description = "Sampling temperature (default ${DEFAULT-VALUE}).")
  float temperature;

  @Option(
      names = "--top-k",
      defaultValue = "40",
      converter = Numbers.NonNegativeInt.class,
      description = "Sample among the k most likely tokens; 0 for all (default ${DEFAULT-VALUE}).")
  int topK;

  @Option(
      names = "--top-p",
      defaultValue = "1.0",
      converter = Numbers.TopP.class,
      description = "Nucleus sampling: the smallest set of tokens with this much probability"
          + " (default ${DEFAULT-VALUE}, off).")
  float topP;

  @Option(
      names = "--beams",
      defaultValue = "1",
      converter = PositiveInt.class,
      description =
          "Beam search with N beams (every model kind; the text appears at the end, or per"
              + " context window for a char-level GPT); 1 = off (default ${DEFAULT-VALUE}).")
  int beams;

  @Mixin PrecisionOption quantize;

  /** The command over the global backend choice. */
  @Inject
  public GenerateCommand(BackendChoice choice) {
    this.choice = choice;
  }

  private static final String ACCEPTS =
      "a model of 't4j train clm' or 't4j train seq2seq', or a Hugging Face GPT-2 folder"
          + " (config.json, model.safetensors, tokenizer files)";

  /**
   * How to decode {@code n} tokens: beam search with {@code --beams N}, greedy with {@code
   * --greedy}, else sampling for decoders and, for seq2seq, greedy unless a sampling option is
   * given.
   */
  GenerationConfig decoding(int n, boolean sampleByDefault) {
    CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
    boolean samplingGiven =
        parsed.hasMatchedOption("--temperature")
            || parsed.hasMatchedOption("--top-k")
            || parsed.hasMatchedOption("--top-p");
    if (beams > 1) {
      if (greedy || samplingGiven) {
        throw new CommandLine.ParameterException(
            spec.commandLine(),
            "--beams searches deterministically; it does not combine with --greedy,"
                + " --temperature, --top-k or --top-p");
      }
      return GenerationConfig.beams(n, beams);
    }
    if (greedy || !(sampleByDefault || samplingGiven)) {
      return GenerationConfig.greedy(n);
    }
    return GenerationConfig.sampling(n, seed)
        .withTemperature(temperature)
        .withTopK(topK)
        .withTopP(topP);
  }

  @Override
  public Integer call() throws Exception {
    java.io.PrintWriter out = spec.commandLine().getOut();
    java.io.PrintWriter err = spec.commandLine().getErr();
    OutputFolder.Contents c = ModelFolders.inspect(model, ACCEPTS);
    if (!c.kind().equals(OutputFolder.Contents.HUGGING_FACE)) {
      ModelFolders.reject(
          spec,
          c.description(),
          "token ids are for Hugging Face folders; give the prompt as text",
          "--ids");
    }
    if (!List.of(OutputFolder.Contents.HUGGING_FACE, CharLm.TASK, Seq2SeqRecipe.TASK)
        .contains(c.kind())) {
      throw new IllegalArgumentException(
          "t4j generate needs a decoder: --model "
              + model
              + " holds "
              + c.description()
              + ", which does not generate text; evaluate it with 't4j eval'");
    }
    try (ComputeBackend backend = choice.create()) {
      if (c.kind().equals(Seq2SeqRecipe.TASK)) {
        Seq2SeqRecipe.Loaded m = Seq2SeqRecipe.load(new Ops(backend), model, quantize.get());
        reportWeights(m.model().module());
        ModelFolders.noteUnknown(m.tokenizer(), prompt, err, "the prompt");
        // The model's room for outputs, or less with --max-new.
        int limit =
            spec.commandLine().getParseResult().hasMatchedOption("--max-new")
                ? Math.min(maxNew, m.maxNew())
                : m.maxNew();
        GenerationConfig how = decoding(limit, false);
        if (how.numBeams() <= 1) {
          Seq2SeqRecipe.translateStreaming(
              m,
              prompt,
              how,
              piece -> {
                out.print(piece);
                out.flush();
              });
          out.println();
        } else {
          out.println(Seq2SeqRecipe.translate(m, List.of(prompt), beams, 1, limit).get(0));
        }
        return 0;
      }
      if (c.kind().equals(OutputFolder.Contents.HUGGING_FACE)) {
        return huggingFace(new Ops(backend), out);
      }
      CharLm.Loaded m = CharLm.load(new Ops(backend), model, quantize.get());
      reportWeights(m.model().module());
      // Encode first: a vocabulary without [UNK] fails here, before the prompt is printed.
      m.tokenizer().encode(prompt);
      ModelFolders.noteUnknown(m.tokenizer(), prompt, err, "the prompt");
      out.print(prompt);
      out.flush();
      CharLm.generate(
          m,
          prompt,
          maxNew,
          decoding(maxNew, true),
          id -> {
            out.print(m.tokenizer().decode(new int[] {id}));
            out.flush();
          });
      out.println();
      return 0;
    }
  }

  /**
   * How to decode a Hugging Face folder: its generation settings ({@code generation_config.json},
   * else the generation fields of {@code config.json}: stop tokens, forced tokens, n-gram rule,
   * lengths), with the strategy from the options: {@code --beams N} (early stopping unless the
   * folder sets {@code early_stopping}), {@code --greedy}, or sampling when a sampling option is
   * given; with none of them, the folder's {@code generation_config.json} decides, else greedy
   * for encoder-decoders and sampling (today's defaults) for decoders.
   */
  GenerationConfig folderDecoding(boolean encoderDecoder, int room) throws java.io.IOException {
    CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
    boolean samplingGiven =
        parsed.hasMatchedOption("--temperature")
            || parsed.hasMatchedOption("--top-k")
            || parsed.hasMatchedOption("--top-p");
    java.util.Map<String, Object> fields = HfGenerationSettings.read(model);
    GenerationConfig g =
        HfGenerationSettings.apply(
            HfGenerationSettings.defaults(), fields, model.resolve(HfGenerationSettings.FILE).toString());
    boolean fileDecides = java.nio.file.Files.isRegularFile(model.resolve(HfGenerationSettings.FILE));
    if (beams > 1) {
      if (greedy || samplingGiven) {
        throw new CommandLine.ParameterException(
            spec.commandLine(),
            "--beams searches deterministically; it does not combine with --greedy,"
                + " --temperature, --top-k or --top-p");
      }
      g = HfGenerationSettings.withBeams(HfGenerationSettings.withSampling(g, false), beams);
      if (!fields.containsKey("early_stopping")) {
        g = g.withEarlyStopping(GenerationConfig.EarlyStopping.TRUE);
      }
    } else if (greedy) {
      g = HfGenerationSettings.greedy(g);
    } else if (samplingGiven || (!fileDecides && !encoderDecoder)) {
      g =
          HfGenerationSettings.withSampling(HfGenerationSettings.withBeams(g, 1), true)
              .withTemperature(temperature)
              .withTopK(topK)
              .withTopP(topP);
    } else if (!fileDecides) {
      g = HfGenerationSettings.greedy(g);
    }
    g = g.withSeed(seed);
    if (parsed.hasMatchedOption("--max-new")) {
      g = g.withMaxNewTokens(Math.min(maxNew, room)).withMaxLength(0);
    } else if (fields.get("max_new_tokens") != null || fields.get("max_length") != null) {
      g = g.withMaxNewTokens(Math.min(g.maxNewTokens(), room));
    } else {
      g = g.withMaxNewTokens(Math.min(maxNew, room)).withMaxLength(0);
    }
    return g;
  }

  // A Hugging Face folder of any generative family: its tokenizer through the tokenizer SPI, or
  // ids in and out.
  private int huggingFace(Ops ops, java.io.PrintWriter out) throws java.io.IOException {
    PretrainedModel m = Pretrained.load(ops, model, PretrainedModel.class, quantize.get());
    if (!TextGeneration.canGenerate(m)) {
      throw new IllegalArgumentException(
          "t4j generate needs a decoder or an encoder-decoder: --model " + model + " holds a "
              + m.architecture() + " model (" + m.getClass().getSimpleName()
              + "), which does not generate text");
    }
    if (m instanceof io.github.transformers4j.models.nn.AbstractModule a) {
      reportWeights(a);
    }
    boolean encoderDecoder = m instanceof Seq2SeqLm;
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
    int vocab =
        m instanceof CausalLm lm ? lm.vocabSize() : ((Seq2SeqLm) m).vocabSize();
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
    int room;
    try {
      room = TextGeneration.room(m, promptIds.length);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    GenerationConfig g = folderDecoding(encoderDecoder, room);
    // Stop ids inside the model; never an embedding row the tokenizer cannot decode.
    g = HfGenerationSettings.forVocabulary(g, vocab, tok == null ? -1 : tok.vocabularySize(), String.valueOf(model));
    m.train(false, 0);
    List<Integer> fresh = new ArrayList<>();
    TextTokenizer t = tok;
    String[] shown = {""};
    if (t == null) {
      out.print(encoderDecoder ? Integer.toString(((Seq2SeqLm) m).decoderStartTokenId()) : join(promptIds));
    } else if (!encoderDecoder) {
      out.print(prompt);
    }
    out.flush();
    GenerationListener streaming =
        new GenerationListener() {
          @Override
          public void onToken(int row, int token) {
            fresh.add(token);
            if (t == null) {
              out.print("," + token);
            } else {
              // Decode everything so far and print what is new, once it is whole text (a
              // byte-level token may end inside a character).
              String text = t.decodeIds(fresh.stream().mapToInt(Integer::intValue).toArray(), true);
              if (text.startsWith(shown[0]) && !text.endsWith("\uFFFD")) {
                out.print(text.substring(shown[0].length()));
                shown[0] = text;
              }
            }
            out.flush();
          }
        };
    int[] all =
        TextGeneration.generate(
            m, new int[][] {promptIds}, g, g.numBeams() > 1 ? GenerationListener.NONE : streaming)[0];
    if (g.numBeams() > 1) {
      // Beam search knows its tokens only at the end.
      int from = encoderDecoder ? 1 : promptIds.length;
      for (int i = from; i < all.length; i++) {
        streaming.onToken(0, all[i]);
      }
    }
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
    quantize.report(choice, spec.commandLine().getErr(), m);
  }
}
