package io.github.transformers4j.training.study;

import io.github.transformers4j.api.Activation;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.models.gpt.Gpt2Config;
import io.github.transformers4j.models.gpt.Gpt2Model;
import io.github.transformers4j.models.layers.AttentionCache;
import io.github.transformers4j.models.layers.KvCache;
import io.github.transformers4j.models.rnn.RecurrentLm;
import io.github.transformers4j.models.rnn.RecurrentLmConfig;
import io.github.transformers4j.training.models.ModuleParameters;
import io.github.transformers4j.training.optim.ParameterSet;

/**
 * The three contenders of the study behind one small interface: a GPT-2-style transformer and
 * LSTM and GRU language models ({@link RecurrentLm}) whose hidden width is chosen so that their
 * parameter count matches the transformer's ({@link RecurrentLm#sizedFor}).
 */
final class StudyModels {
  private StudyModels() {}

  /** The architectures compared, in report order. */
  enum Arch {
    LSTM("LSTM"),
    GRU("GRU"),
    TRANSFORMER("transformer");

    final String label;

    Arch(String label) {
      this.label = label;
    }

    boolean recurrent() {
      return this != TRANSFORMER;
    }
  }

  /** A causal language model the study trains, times and decodes. */
  interface StudyLm {
    Arch arch();

    /** Trainable parameters, in a fixed order. */
    ParameterSet params();

    /** Logits (B, T, V) of ids (B, T), every position seeing only itself and the past. */
    Tensor logits(Tensor ids);

    /** A fresh decoding state (empty KV cache, zero recurrent state). */
    Decoder decoder();

    /** A one-line description of the shape. */
    String describe();
  }

  /** Token-by-token decoding that exposes the bytes of what it carries. */
  interface Decoder {
    /** Feeds one token; returns the next token's logits (V). */
    float[] step(int id);

    /**
     * Bytes of the state carried to the next step, summed over the actual tensors: the KV cache's
     * keys and values, or the recurrent h (and c).
     */
    long stateBytes();
  }

  /** The transformer of a section: C, layers and heads from the config, {@code positions} long. */
  static Gpt2Config transformerConfig(StudyConfig c, int vocab, int positions) {
    return new Gpt2Config(
        vocab,
        positions,
        c.width(),
        c.layers(),
        c.heads(),
        4 * c.width(),
        Activation.GELU_TANH,
        1e-5f,
        0f,
        0f,
        0f,
        0.02,
        "sdpa",
        c.seed());
  }

  /** The recurrent config of {@code arch} whose parameter count is nearest {@code target}. */
  static RecurrentLmConfig recurrentConfig(StudyConfig c, Arch arch, int vocab, long target) {
    RecurrentLmConfig.Cell cell =
        arch == Arch.LSTM ? RecurrentLmConfig.Cell.LSTM : RecurrentLmConfig.Cell.GRU;
    RecurrentLmConfig base =
        new RecurrentLmConfig(cell, vocab, c.width(), 1, c.layers(), 0f, c.seed());
    return RecurrentLm.sizedFor(base, target);
  }

  /** Builds {@code arch} on {@code ops}, matched to the transformer of {@code positions}. */
  static StudyLm build(Ops ops, StudyConfig c, Arch arch, int vocab, int positions) {
    Gpt2Config g = transformerConfig(c, vocab, positions);
    if (arch == Arch.TRANSFORMER) {
      return new Transformer(ops, g);
    }
    return new Recurrent(ops, arch, recurrentConfig(c, arch, vocab, Gpt2Model.parameterCount(g)));
  }

  static final class Transformer implements StudyLm {
    private final Ops ops;
    private final Gpt2Model model;
    private final ParameterSet params;

    Transformer(Ops ops, Gpt2Config config) {
      this.ops = ops;
      this.model = new Gpt2Model(ops, config);
      this.params = ModuleParameters.of(model);
    }

    @Override
    public Arch arch() {
      return Arch.TRANSFORMER;
    }

    @Override
    public ParameterSet params() {
      return params;
    }

    @Override
    public Tensor logits(Tensor ids) {
      int b = ids.shape().dim(0);
      int t = ids.shape().dim(1);
      Tensor hidden = model.hidden(ids, ops.positions(b, t), null, null); // (B, T, C)
      return model.head().logits(hidden); // (B, T, V)
    }

    @Override
    public Decoder decoder() {
      KvCache cache = model.newCache();
      int layers = model.config().nLayer();
      return new Decoder() {
        @Override
        public float[] step(int id) {
          int pos = cache.length();
          Tensor h =
              model.hidden(ops.ids(new int[] {id}, 1, 1), ops.ids(new int[] {pos}, 1, 1), null, cache);
          return model.head().logits(h).toFloatArray(); // (1, 1, V)
        }

        @Override
        public long stateBytes() {
          long bytes = 0;
          for (int i = 0; i < layers; i++) {
            AttentionCache a = cache.self(i);
            if (!a.isEmpty()) {
              bytes += 4L * (a.keys().size() + a.values().size());
            }
          }
          return bytes;
        }
      };
    }

    @Override
    public String describe() {
      Gpt2Config g = model.config();
      return "GPT-2 pre-LN, " + g.nLayer() + (g.nLayer() == 1 ? " block" : " blocks") + " of " + g.nEmbd() + ", " + g.nHead()
          + " heads, FFN " + g.nInner() + ", " + g.nPositions() + " learned positions, tied head";
    }
  }

  static final class Recurrent implements StudyLm {
    private final Arch arch;
    private final RecurrentLm model;
    private final ParameterSet params;

    Recurrent(Ops ops, Arch arch, RecurrentLmConfig config) {
      this.arch = arch;
      this.model = new RecurrentLm(ops, config);
      this.params = ModuleParameters.of(model);
    }

    @Override
    public Arch arch() {
      return arch;
    }

    @Override
    public ParameterSet params() {
      return params;
    }

    @Override
    public Tensor logits(Tensor ids) {
      return model.forward(ids, null, null).logits(); // (B, T, V)
    }

    @Override
    public Decoder decoder() {
      RecurrentLm.Session session = model.session();
      return new Decoder() {
        @Override
        public float[] step(int id) {
          int pos = session.length();
          return session.step(new int[] {id}, new int[] {pos}, 1, null).toFloatArray();
        }

        @Override
        public long stateBytes() {
          RecurrentLm.State s = session.state();
          if (s == null) {
            return 0;
          }
          return 4L * (s.h().size() + (s.c() == null ? 0 : s.c().size()));
        }
      };
    }

    @Override
    public String describe() {
      RecurrentLmConfig c = model.config();
      return arch.label + ", " + c.numLayers() + (c.numLayers() == 1 ? " layer" : " layers") + " of hidden " + c.hiddenSize()
          + ", embedding " + c.embeddingSize() + ", untied head";
    }
  }
}
