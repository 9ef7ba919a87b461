package io.github.transformers4j.training.optim;

import io.github.transformers4j.api.Tensor;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A named, trainable slot holding the current value of one weight tensor. Tensors are immutable
 * values, so an optimizer step makes a new tensor and {@link #set sets} it here; a model reads its
 * weights through its parameters on every forward, so the next forward sees the update.
 */
public final class Parameter {
  private final String name;
  private final Kind kind;
  private final Consumer<Tensor> writeBack;
  private Tensor value;

  /**
   * What a parameter is, so that an optimizer can exempt biases, norms and embeddings from decay.
   */
  public enum Kind {
    /** A matrix of a linear or attention projection: decayed. */
    WEIGHT,
    /** A bias vector: not decayed. */
    BIAS,
    /** A normalization gain or shift: not decayed. */
    NORM,
    /** An embedding table (tokens, positions): not decayed unless asked. */
    EMBEDDING
  }

  /** A parameter named {@code name} (the checkpoint name) of kind {@code kind}. */
  public Parameter(String name, Kind kind, Tensor value) {
    this(name, kind, value, t -> {});
  }

  /**
   * A parameter that also hands every new value to {@code writeBack}: the adapter for a model that
   * keeps its own weight map (for example {@code api.nn.Module.setParameter}).
   */
  public Parameter(String name, Kind kind, Tensor value, Consumer<Tensor> writeBack) {
    this.name = Objects.requireNonNull(name, "name");
    this.kind = Objects.requireNonNull(kind, "kind");
    this.value = Objects.requireNonNull(value, () -> "parameter '" + name + "': value");
    this.writeBack = Objects.requireNonNull(writeBack, "writeBack");
  }

  /**
   * A parameter whose kind is guessed from its name and rank the way checkpoints spell them: rank 1
   * tensors are biases or norms, names with {@code emb}, {@code wte} or {@code wpe} embeddings.
   */
  public static Parameter of(String name, Tensor value) {
    return new Parameter(name, guessKind(name, value.rank()), value);
  }

  /** As {@link #of(String, Tensor)}, writing every new value back through {@code writeBack}. */
  public static Parameter of(String name, Tensor value, Consumer<Tensor> writeBack) {
    return new Parameter(name, guessKind(name, value.rank()), value, writeBack);
  }

  /** The kind a checkpoint name of a tensor of rank {@code rank} suggests. */
  public static Kind guessKind(String name, int rank) {
    String n = name.toLowerCase(java.util.Locale.ROOT);
    if (n.contains("emb") || n.endsWith("wte.weight") || n.endsWith("wpe.weight")) {
      return Kind.EMBEDDING;
    }
    if (rank <= 1) {
      return n.contains("norm") || n.contains("ln") ? Kind.NORM : Kind.BIAS;
    }
    return Kind.WEIGHT;
  }

  /** The checkpoint name. */
  public String name() {
    return name;
  }

  /** What the parameter is. */
  public Kind kind() {
    return kind;
  }

  /** The current value. */
  public Tensor get() {
    return value;
  }

  /**
   * Replaces the value with {@code next} of the same shape (an optimizer step, a checkpoint load).
   *
   * @throws IllegalArgumentException naming the parameter when the shape differs
   */
  public void set(Tensor next) {
    Objects.requireNonNull(next, () -> "parameter '" + name + "': new value");
    if (!next.shape().equals(value.shape())) {
      throw new IllegalArgumentException(
          "parameter '"
              + name
              + "': new value has shape "
              + next.shape()
              + " but the parameter has "
              + value.shape());
    }
    value = next;
    writeBack.accept(next);
  }

  @Override
  public String toString() {
    return name + " " + value.shape() + " " + kind;
  }
}
