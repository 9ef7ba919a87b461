package io.github.transformers4j.models.tasks;

import io.github.transformers4j.models.generation.GenerationConfig;
import io.github.transformers4j.models.generation.GenerationListener;
import io.github.transformers4j.models.generation.Generator;
import io.github.transformers4j.models.nn.PretrainedModel;

/**
 * Generation from any generative model, with one set of options: a decoder ({@link CausalLm})
 * continues its prompts; an encoder-decoder ({@link Seq2SeqLm}) encodes its sources once and
 * decodes from its start token, through the same {@link Generator} (sampling, top-k/p,
 * repetition penalty, stop ids, streaming, beams). The result is what Hugging Face's {@code
 * generate} returns: a decoder's prompt followed by its continuation, an encoder-decoder's
 * decoder ids starting with the start token.
 */
public final class TextGeneration {
  private TextGeneration() {}

  /** Whether {@code model} generates text (a decoder or an encoder-decoder). */
  public static boolean canGenerate(Object model) {
    return model instanceof CausalLm || model instanceof Seq2SeqLm;
  }

  /**
   * The most new tokens a row of {@code inputLength} input tokens has room for (a decoder's
   * positions minus the prompt; an encoder-decoder's decoder positions minus the start token).
   *
   * @throws IllegalArgumentException naming both lengths when the input does not fit
   */
  public static int room(PretrainedModel model, int inputLength) {
    if (model instanceof CausalLm lm) {
      int room = lm.maxPositions() - inputLength;
      if (room <= 0) {
        throw new IllegalArgumentException(
            "the prompt has " + inputLength + " tokens but the model sees at most "
                + lm.maxPositions());
      }
      return room;
    }
    Seq2SeqLm s = (Seq2SeqLm) requireGenerative(model);
    if (inputLength > s.maxSourcePositions()) {
      throw new IllegalArgumentException(
          "the source has " + inputLength + " tokens but the encoder takes at most "
              + s.maxSourcePositions());
    }
    return s.maxTargetPositions() == Integer.MAX_VALUE ? Integer.MAX_VALUE : s.maxTargetPositions() - 1;
  }

  /** One input's output. */
  public static int[] generate(PretrainedModel model, int[] input, GenerationConfig g) {
    return generate(model, new int[][] {input}, g, GenerationListener.NONE)[0];
  }

  /**
   * Each input's output, computed in one batch (decoder prompts left-padded, encoder sources
   * right-padded, both masked), with {@code listener} told of every token as it is chosen.
   *
   * @throws IllegalArgumentException when the model does not generate, an input is empty, or an
   *     id lies outside the vocabulary (naming it)
   */
  public static int[][] generate(
      PretrainedModel model, int[][] inputs, GenerationConfig g, GenerationListener listener) {
    requireGenerative(model);
    int vocab = model instanceof CausalLm lm ? lm.vocabSize() : ((Seq2SeqLm) model).vocabSize();
    for (int i = 0; i < inputs.length; i++) {
      if (inputs[i].length == 0) {
        throw new IllegalArgumentException("input " + i + " is empty");
      }
      for (int id : inputs[i]) {
        if (id < 0 || id >= vocab) {
          throw new IllegalArgumentException(
              "input id " + id + " is outside the vocabulary of " + vocab);
        }
      }
    }
    if (model instanceof CausalLm lm) {
      return new Generator(lm::session).generate(inputs, g, listener);
    }
    Seq2SeqLm s = (Seq2SeqLm) model;
    int b = inputs.length;
    int width = 0;
    for (int[] in : inputs) {
      width = Math.max(width, in.length);
      room(model, in.length);
    }
    int[] source = new int[b * width];
    int[] mask = new int[b * width];
    boolean padded = false;
    for (int r = 0; r < b; r++) {
      for (int i = 0; i < width; i++) {
        boolean real = i < inputs[r].length;
        source[r * width + i] = real ? inputs[r][i] : Math.max(0, g.padTokenId());
        mask[r * width + i] = real ? 1 : 0;
        padded |= !real;
      }
    }
    int[] m = padded ? mask : null;
    int[][] starts = new int[b][];
    for (int r = 0; r < b; r++) {
      starts[r] = new int[] {s.decoderStartTokenId()};
    }
    return new Generator(() -> s.session(source, b, m)).generate(starts, g, listener);
  }

  private static PretrainedModel requireGenerative(PretrainedModel model) {
    if (!canGenerate(model)) {
      throw new IllegalArgumentException(
          "a " + model.architecture() + " model (" + model.getClass().getSimpleName()
              + ") does not generate text: it is neither a decoder nor an encoder-decoder");
    }
    return model;
  }
}
