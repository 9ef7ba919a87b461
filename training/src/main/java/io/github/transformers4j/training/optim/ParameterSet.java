package io.github.transformers4j.training.optim;

import io.github.transformers4j.api.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The trainable parameters of a model, by name, in a fixed order (the order optimizer state and
 * checkpoints use). Tied weights appear once.
 */
public final class ParameterSet implements Iterable<Parameter> {
  private final Map<String, Parameter> byName = new LinkedHashMap<>();

  /** An empty set; {@link #add} fills it. */
  public ParameterSet() {}

  /** A set holding {@code params} in order. */
  public static ParameterSet of(List<Parameter> params) {
    ParameterSet s = new ParameterSet();
    params.forEach(s::add);
    return s;
  }

  /**
   * Adds {@code p}.
   *
   * @throws IllegalArgumentException when a parameter of that name exists
   */
  public ParameterSet add(Parameter p) {
    if (byName.putIfAbsent(p.name(), p) != null) {
      throw new IllegalArgumentException("duplicate parameter name '" + p.name() + "'");
    }
    return this;
  }

  /**
   * The parameter named {@code name}.
   *
   * @throws IllegalArgumentException naming it and some that exist when there is none
   */
  public Parameter get(String name) {
    Parameter p = byName.get(name);
    if (p == null) {
      List<String> some = new ArrayList<>(byName.keySet());
      throw new IllegalArgumentException(
          "no parameter named '"
              + name
              + "' (have "
              + some.size()
              + ": "
              + String.join(", ", some.subList(0, Math.min(8, some.size())))
              + (some.size() > 8 ? ", ..." : "")
              + ")");
    }
    return p;
  }

  /** Whether a parameter named {@code name} exists. */
  public boolean contains(String name) {
    return byName.containsKey(name);
  }

  /** The parameters in order. */
  public List<Parameter> list() {
    return List.copyOf(byName.values());
  }

  /** The current values, in order, for {@code Tape.watch}. */
  public Tensor[] values() {
    return byName.values().stream().map(Parameter::get).toArray(Tensor[]::new);
  }

  /** The names in order. */
  public List<String> names() {
    return Collections.unmodifiableList(new ArrayList<>(byName.keySet()));
  }

  /** Number of parameters (tensors). */
  public int size() {
    return byName.size();
  }

  /** Total number of scalar weights. */
  public long count() {
    long n = 0;
    for (Parameter p : byName.values()) {
      n += p.get().size();
    }
    return n;
  }

  @Override
  public Iterator<Parameter> iterator() {
    return Collections.unmodifiableCollection(byName.values()).iterator();
  }
}
