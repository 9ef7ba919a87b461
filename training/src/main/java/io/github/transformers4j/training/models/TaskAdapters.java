package io.github.transformers4j.training.models;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.nn.Model;
import io.github.transformers4j.models.tasks.CausalLm;
import io.github.transformers4j.models.tasks.MaskedLm;
import io.github.transformers4j.models.tasks.Seq2SeqLm;
import io.github.transformers4j.models.tasks.SequenceClassifier;
import io.github.transformers4j.models.tasks.TokenClassifier;
import io.github.transformers4j.training.objectives.Forward;
import io.github.transformers4j.training.objectives.Seq2SeqModel;
import io.github.transformers4j.training.objectives.SequenceModel;
import io.github.transformers4j.training.objectives.TokenModel;
import io.github.transformers4j.training.optim.ParameterSet;

/**
 * Any family's task model as what the objectives train: a {@link CausalLm} or {@link MaskedLm}
 * or {@link TokenClassifier} as a {@link TokenModel}, a {@link SequenceClassifier} as a {@link
 * SequenceModel}, a {@link Seq2SeqLm} as a {@link Seq2SeqModel}. Dropout follows the pass
 * (training with its seed, or evaluation); the parameters are the module's, under their Hugging
 * Face names, so a fine-tuned model saves as a folder of its own family.
 */
public final class TaskAdapters {
  private TaskAdapters() {}

  /** A model's per-token logits over right-padded rows. */
  @FunctionalInterface
  private interface PerToken {
    Tensor logits(int[] ids, int[] attentionMask, int batch);
  }

  private static TokenModel perToken(Model model, PerToken logits) {
    ParameterSet params = ModuleParameters.of(model);
    return new TokenModel() {
      @Override
      public ParameterSet parameterSet() {
        return params;
      }

      @Override
      public Tensor forward(Ops ops, Tensor ids, Tensor mask, Forward pass) {
        model.train(pass.training(), pass.seed());
        int b = ids.shape().dim(0);
        return logits.logits(ids.toIntArray(), mask == null ? null : mask.toIntArray(), b);
      }
    };
  }

  /** Next-token logits (B, T, V) of a decoder. */
  public static TokenModel causal(CausalLm model) {
    return perToken(model, model::logits);
  }

  /** Vocabulary logits (B, T, V) of an encoder with a masked-LM head. */
  public static TokenModel masked(MaskedLm model) {
    return perToken(model, model::logits);
  }

  /** Tag logits (B, T, L) of an encoder with a token-classification head. */
  public static TokenModel tagger(TokenClassifier model) {
    return perToken(model, model::logits);
  }

  /** Class logits (B, K) of an encoder with a sequence-classification head. */
  public static SequenceModel classifier(SequenceClassifier model) {
    ParameterSet params = ModuleParameters.of(model);
    return new SequenceModel() {
      @Override
      public ParameterSet parameterSet() {
        return params;
      }

      @Override
      public Tensor forward(Ops ops, Tensor ids, Tensor mask, Forward pass) {
        model.train(pass.training(), pass.seed());
        int b = ids.shape().dim(0);
        return model.logits(ids.toIntArray(), mask == null ? null : mask.toIntArray(), b);
      }
    };
  }

  /** Decoder logits (B, T, V) of an encoder-decoder under teacher forcing. */
  public static Seq2SeqModel seq2seq(Seq2SeqLm model) {
    ParameterSet params = ModuleParameters.of(model);
    return new Seq2SeqModel() {
      @Override
      public ParameterSet parameterSet() {
        return params;
      }

      @Override
      public Tensor forward(
          Ops ops, Tensor src, Tensor srcMask, Tensor decoderInput, Tensor decoderMask, Forward pass) {
        model.train(pass.training(), pass.seed());
        int b = src.shape().dim(0);
        return model.logits(
            src.toIntArray(), srcMask == null ? null : srcMask.toIntArray(),
            decoderInput.toIntArray(), decoderMask == null ? null : decoderMask.toIntArray(), b);
      }
    };
  }
}
