package io.github.transformers4j.models.bert;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.models.config.Labels;
import io.github.transformers4j.models.nn.AbstractModule;
import io.github.transformers4j.models.nn.PretrainedModel;
import io.github.transformers4j.models.nn.WeightLoader;
import io.github.transformers4j.models.nn.WithBaseModel;
import io.github.transformers4j.models.weights.Weights;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * What every head over a BERT-family encoder shares: the encoder, stored under the model type
 * ({@code bert.*}, {@code roberta.*}, {@code electra.*}) as Hugging Face stores it, the class
 * labels, and loading a checkpoint name for name.
 *
 * <p>Thread safety: once loaded and in evaluation mode (the default; see {@link
 * io.github.transformers4j.models.nn.AbstractModule}), one instance may be shared by any number of
 * threads for inference, each with its own inputs and decoding session; results are bit-identical
 * to serial calls on the same backend. Training, {@code train(true, seed)}, {@code load} and {@code
 * quantize} need the instance to themselves.
 */
public abstract class EncoderWithHead extends AbstractModule implements PretrainedModel, WithBaseModel {
  /** The encoder. */
  protected final BertModel encoder;

  private final List<String> labels;

  /**
   * Registers the encoder (first, so its parameters come first) under {@code config.modelType()}.
   *
   * @param labels the class names, one per {@code num_labels}; null for {@code LABEL_0}, ...
   * @throws IllegalArgumentException when there are not {@code num_labels} labels
   */
  protected EncoderWithHead(Ops ops, BertConfig config, boolean withPooler, List<String> labels) {
    super(ops);
    this.encoder = child(config.modelType(), new BertModel(ops, config, withPooler));
    if (labels == null) {
      labels = Labels.fromConfig(Map.of("num_labels", config.numLabels()));
    } else if (labels.size() != config.numLabels()) {
      throw new IllegalArgumentException(
          labels.size() + " labels " + labels + " for num_labels " + config.numLabels());
    }
    this.labels = List.copyOf(new ArrayList<>(labels));
  }

  @Override
  public String architecture() {
    return encoder.config().modelType();
  }

  @Override
  public BertModel baseModel() {
    return encoder;
  }

  /** The configuration. */
  public BertConfig config() {
    return encoder.config();
  }

  /** The label of each class, by index (classification heads). */
  public List<String> labels() {
    return labels;
  }

  /** The most positions a sequence may hold. */
  public int maxPositions() {
    return encoder.config().maxSequenceLength();
  }

  /**
   * Checkpoint tensors this head may meet without using (besides the {@code position_ids}
   * buffers): the tied decoder, heads of other tasks.
   */
  protected boolean ignorable(String name) {
    return false;
  }

  /**
   * Loads a Hugging Face checkpoint of this head over the encoder.
   *
   * @throws IllegalArgumentException naming every missing, unexpected or wrongly shaped tensor
   */
  @Override
  public void load(Weights weights) {
    Predicate<String> skip = n -> n.endsWith("position_ids") || ignorable(n);
    WeightLoader.load(ops, this, weights, "", skip);
  }
}
