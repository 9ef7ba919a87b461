package io.github.transformers4j.training.objectives.builtin;

import io.github.transformers4j.training.data.SpecialTokens;
import io.github.transformers4j.training.objectives.CausalLm;
import io.github.transformers4j.training.objectives.MaskedLm;
import io.github.transformers4j.training.objectives.MlmMasker;
import io.github.transformers4j.training.objectives.Objective;
import io.github.transformers4j.training.objectives.Seq2Seq;
import io.github.transformers4j.training.objectives.SequenceClassification;
import io.github.transformers4j.training.objectives.TokenClassification;
import io.github.transformers4j.training.spi.ObjectiveProvider;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The objective providers this module registers with {@link java.util.ServiceLoader}. */
public final class BuiltinObjectives {
  private BuiltinObjectives() {}

  static void check(String name, Map<String, String> given, Set<String> known) {
    TreeSet<String> unknown = new TreeSet<>(given.keySet());
    unknown.removeAll(known);
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(
          "objective '"
              + name
              + "': unknown parameters "
              + unknown
              + " (known: "
              + new TreeSet<>(known)
              + ")");
    }
  }

  static double number(String name, Map<String, String> o, String key, double dflt) {
    String v = o.get(key);
    if (v == null) {
      return dflt;
    }
    try {
      return Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "objective '" + name + "': parameter " + key + " must be a number, got '" + v + "'");
    }
  }

  /** {@code clm}: causal LM. Options: {@code accuracy} (true/false). */
  public static final class Clm implements ObjectiveProvider {
    @Override
    public String name() {
      return "clm";
    }

    @Override
    public Set<String> options() {
      return Set.of("accuracy");
    }

    @Override
    public Objective create(Map<String, String> o, SpecialTokens specials, int vocabSize) {
      check(name(), o, options());
      return new CausalLm(Boolean.parseBoolean(o.getOrDefault("accuracy", "false")));
    }
  }

  /** {@code mlm}: masked LM. Options: {@code rate} (default 0.15). */
  public static final class Mlm implements ObjectiveProvider {
    @Override
    public String name() {
      return "mlm";
    }

    @Override
    public Set<String> options() {
      return Set.of("rate");
    }

    @Override
    public Objective create(Map<String, String> o, SpecialTokens specials, int vocabSize) {
      check(name(), o, options());
      return new MaskedLm(new MlmMasker(number(name(), o, "rate", 0.15), specials, vocabSize));
    }
  }

  /**
   * {@code seq2seq}: teacher-forced sequence-to-sequence. Options: {@code label_smoothing} (default
   * 0), {@code decoder_start} (default: the tokenizer's BOS).
   */
  public static final class Seq2SeqProvider implements ObjectiveProvider {
    @Override
    public String name() {
      return "seq2seq";
    }

    @Override
    public Set<String> options() {
      return Set.of("label_smoothing", "decoder_start");
    }

    @Override
    public Objective create(Map<String, String> o, SpecialTokens specials, int vocabSize) {
      check(name(), o, options());
      int start = (int) number(name(), o, "decoder_start", specials.bos());
      return new Seq2Seq(start, (float) number(name(), o, "label_smoothing", 0));
    }
  }

  /** {@code classify}: sequence classification. No options. */
  public static final class Classify implements ObjectiveProvider {
    @Override
    public String name() {
      return "classify";
    }

    @Override
    public Set<String> options() {
      return Set.of();
    }

    @Override
    public Objective create(Map<String, String> o, SpecialTokens specials, int vocabSize) {
      check(name(), o, options());
      return new SequenceClassification();
    }
  }

  /** {@code tokens}: token classification (NER). No options. */
  public static final class Tokens implements ObjectiveProvider {
    @Override
    public String name() {
      return "tokens";
    }

    @Override
    public Set<String> options() {
      return Set.of();
    }

    @Override
    public Objective create(Map<String, String> o, SpecialTokens specials, int vocabSize) {
      check(name(), o, options());
      return new TokenClassification();
    }
  }
}
