package io.github.transformers4j.models.bert;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.nn.Model;
import io.github.transformers4j.models.config.Labels;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the model a BERT-family {@code config.json} describes: the head its {@code
 * architectures[0]} names (Hugging Face's class name, such as {@code RobertaForMaskedLM}), the
 * bare encoder when it names none or the base model. A head this project lacks
 * ({@code BertForQuestionAnswering}, say) falls back to the bare encoder, whose loading skips the
 * head's tensors, with one logged line naming the heads it has: the encoder is still useful (for
 * embeddings), while an error would make such folders unusable.
 */
final class EncoderArchitectures {
  private static final System.Logger LOG = System.getLogger(EncoderArchitectures.class.getName());

  /** A head by its Hugging Face name. */
  private interface Factory {
    Model create(Ops ops, BertConfig config, List<String> labels);
  }

  private EncoderArchitectures() {}

  /** The heads of {@code modelType}, by Hugging Face class name, in a stable order. */
  static Map<String, Factory> heads(String modelType) {
    Map<String, Factory> m = new LinkedHashMap<>();
    switch (modelType) {
      case "bert" -> {
        m.put(BertForMaskedLM.HF_NAME, (ops, c, l) -> new BertForMaskedLM(ops, c));
        // Pre-training adds the next-sentence head to the same masked-LM head: the masked LM is
        // what such a folder is used for here (its next-sentence and pooler tensors are skipped).
        m.put("BertForPreTraining", (ops, c, l) -> new BertForMaskedLM(ops, c));
        m.put(BertForSequenceClassification.HF_NAME, BertForSequenceClassification::new);
        m.put("BertForTokenClassification", BertForTokenClassification::new);
      }
      case "roberta" -> {
        m.put(RobertaForMaskedLM.HF_NAME, (ops, c, l) -> new RobertaForMaskedLM(ops, c));
        m.put("RobertaForSequenceClassification", RobertaForSequenceClassification::new);
        m.put("RobertaForTokenClassification", BertForTokenClassification::new);
      }
      case "electra" -> {
        m.put(ElectraForPreTraining.HF_NAME, (ops, c, l) -> new ElectraForPreTraining(ops, c));
        m.put(ElectraForMaskedLM.HF_NAME, (ops, c, l) -> new ElectraForMaskedLM(ops, c));
        m.put("ElectraForSequenceClassification", RobertaForSequenceClassification::new);
        m.put("ElectraForTokenClassification", BertForTokenClassification::new);
      }
      default -> throw new IllegalArgumentException("not a BERT-family model type: " + modelType);
    }
    return m;
  }

  /** Hugging Face's name of the bare encoder of {@code modelType} ({@code RobertaModel}). */
  static String baseName(String modelType) {
    return switch (modelType) {
      case "roberta" -> "RobertaModel";
      case "electra" -> "ElectraModel";
      default -> "BertModel";
    };
  }

  /**
   * The model {@code config} describes.
   *
   * @throws IllegalArgumentException naming the configuration field that is wrong
   */
  static Model create(Ops ops, Map<String, ?> config, String modelType) {
    BertConfig c = BertConfig.fromMap(config, modelType);
    String head = firstArchitecture(config);
    // ELECTRA has no pooler; BERT's and RoBERTa's bare checkpoints usually carry one.
    boolean pooler = !modelType.equals("electra");
    if (head == null || head.equals(baseName(modelType))) {
      return new BertModel(ops, c, pooler);
    }
    Factory f = heads(modelType).get(head);
    if (f == null) {
      LOG.log(
          System.Logger.Level.WARNING,
          "config '" + modelType + "': architectures[0] '" + head + "' is not implemented; loading"
              + " the bare encoder (" + baseName(modelType) + ") without its head. Heads known: "
              + String.join(", ", heads(modelType).keySet()));
      return new BertModel(ops, c, pooler);
    }
    return f.create(ops, c, Labels.fromConfig(config));
  }

  private static String firstArchitecture(Map<String, ?> config) {
    Object a = config.get("architectures");
    if (a == null) {
      return null;
    }
    if (a instanceof List<?> list) {
      if (list.isEmpty()) {
        return null;
      }
      if (list.get(0) instanceof String s) {
        return s;
      }
    }
    throw new IllegalArgumentException(
        "config: architectures must be a list of class names, got " + a);
  }
}
