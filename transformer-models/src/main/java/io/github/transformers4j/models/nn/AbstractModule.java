package io.github.transformers4j.models.nn;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.QuantizedWeight;
import io.github.transformers4j.api.Shape;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.nn.Module;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The base of every layer: an ordered registry of its own {@link Parameter}s and of its child
 * modules. A parameter's full name is the dotted path of children down to it ({@code
 * h.0.attn.c_attn.weight}); the layers choose their child names to be the Hugging Face checkpoint
 * names, so {@link #parameters()} lists exactly the tensors a checkpoint must hold.
 *
 * <p>Also carries the training switch (dropout on or off) down the tree.
 *
 * <p>Thread safety, for every model built of modules: in evaluation mode (the default) a forward
 * reads the parameters and writes nothing in the module tree (the caches of generation live in
 * sessions, one per caller), so one loaded model may be shared by any number of threads for
 * inference. Training mode (dropout counts its calls), {@link #train}, loading and quantizing
 * change the module and need it to themselves; so does a training run, which also records on its
 * {@link Ops}' tape.
 */
public abstract class AbstractModule implements Module {
  /** The ops every forward of this module computes through. */
  protected final Ops ops;

  private final Map<String, Parameter> own = new LinkedHashMap<>();
  private final Map<String, Module> children = new LinkedHashMap<>();
  private boolean training;
  private long trainingSeed;

  protected AbstractModule(Ops ops) {
    this.ops = Objects.requireNonNull(ops, "ops");
  }

  /** Registers parameter {@code name} with its initial value. */
  protected final Parameter parameter(String name, Tensor initial) {
    return register(new Parameter(name, initial));
  }

  /**
   * Registers parameter {@code name} of shape {@code dims} whose initial value {@code initial}
   * makes at its first read; a value set before (a checkpoint's) means it is never made.
   */
  protected final Parameter deferred(String name, java.util.function.Supplier<Tensor> initial,
      int... dims) {
    return register(new Parameter(name, Shape.of(dims), initial));
  }

  private Parameter register(Parameter p) {
    String name = p.name();
    if (own.putIfAbsent(name, p) != null || children.containsKey(name)) {
      throw new IllegalStateException(getClass().getSimpleName() + ": '" + name + "' registered twice");
    }
    return p;
  }

  /** Registers parameter {@code name} initialized from N(0, std²) with {@code rng}. */
  protected final Parameter normal(String name, SplittableRandom rng, double std, int... dims) {
    // The split is taken now, so the values do not depend on when (or whether) they are made.
    SplittableRandom own = rng.split();
    int n = Shape.of(dims).size();
    return deferred(name, () -> ops.tensor(Init.normal(own, n, std), dims), dims);
  }

  /** Registers parameter {@code name} filled with {@code value}. */
  protected final Parameter constant(String name, float value, int... dims) {
    int n = Shape.of(dims).size();
    return deferred(name, () -> ops.tensor(Init.constant(n, value), dims), dims);
  }

  /**
   * Registers a child under {@code name}; a dotted name ({@code attention.self.query}) nests it
   * under that path, as Hugging Face modules do.
   */
  protected final <M extends Module> M child(String name, M module) {
    Objects.requireNonNull(module, name);
    if (children.putIfAbsent(name, module) != null || own.containsKey(name)) {
      throw new IllegalStateException(getClass().getSimpleName() + ": '" + name + "' registered twice");
    }
    return module;
  }

  /**
   * Registers a child whose parameters join this module's names without a prefix: for a layer
   * whose checkpoint names are spread over its parent (BERT's feed-forward network is {@code
   * intermediate.dense} and {@code output.dense}, beside {@code output.LayerNorm}).
   */
  protected final <M extends Module> M inline(M module) {
    return child(INLINE + children.size(), module);
  }

  private static final String INLINE = "#inline";

  private static String join(String child, String name) {
    return child.startsWith(INLINE) ? name : child + "." + name;
  }

  @Override
  public Map<String, Shape> parameterShapes() {
    Map<String, Shape> all = new LinkedHashMap<>();
    own.forEach((n, p) -> all.put(n, p.shape()));
    children.forEach((c, m) -> m.parameterShapes().forEach((n, t) -> all.put(join(c, n), t)));
    return all;
  }

  @Override
  public Map<String, Tensor> parameters() {
    Map<String, Tensor> all = new LinkedHashMap<>();
    own.forEach((n, p) -> all.put(n, p.get()));
    children.forEach((c, m) -> m.parameters().forEach((n, t) -> all.put(join(c, n), t)));
    return all;
  }

  @Override
  public void setParameter(String name, Tensor value) {
    Parameter p = own.get(name);
    if (p != null) {
      try {
        p.set(value);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "parameter '" + name + "': expected shape " + p.shape() + ", got " + value.shape(), e);
      }
      return;
    }
    // The longest child name that prefixes the parameter name owns it (children may be dotted).
    String best = null;
    for (String c : children.keySet()) {
      if (name.startsWith(c + ".") && (best == null || c.length() > best.length())) {
        best = c;
      }
    }
    if (best == null) {
      for (Map.Entry<String, Module> e : children.entrySet()) {
        if (e.getKey().startsWith(INLINE) && e.getValue().parameterShapes().containsKey(name)) {
          e.getValue().setParameter(name, value);
          return;
        }
      }
      throw new IllegalArgumentException(
          "no parameter '" + name + "' in " + getClass().getSimpleName());
    }
    try {
      children.get(best).setParameter(name.substring(best.length() + 1), value);
    } catch (IllegalArgumentException e) {
      // Re-throw with the full dotted name, so the message names the tensor as a checkpoint does.
      String local = name.substring(best.length() + 1);
      throw new IllegalArgumentException(e.getMessage().replace("'" + local + "'", "'" + name + "'"), e);
    }
  }

  /** Switches dropout on (with {@code seed}) or off, here and in every child below. */
  public void train(boolean on, long seed) {
    training = on;
    trainingSeed = seed;
    long i = 0;
    for (Module m : children.values()) {
      if (m instanceof AbstractModule a) {
        // Children get distinct seeds so their dropout masks are independent.
        a.train(on, seed ^ (0x9E3779B97F4A7C15L * ++i));
      }
    }
  }

  /** Whether dropout is on. */
  public boolean isTraining() {
    return training;
  }

  /** The seed given to {@link #train}. */
  protected long trainingSeed() {
    return trainingSeed;
  }

  /**
   * Converts every matmul weight in this module and below to {@code precision}, for inference:
   * each {@code Linear}, and a token table tied to an output projection (whose embedding lookup
   * then reads the same reduced table). The fp32 tensors so replaced are closed, which releases
   * their memory; the model can no longer be trained or saved. {@link WeightPrecision#F32} does
   * nothing. Quantizing twice fails.
   */
  public final void quantize(WeightPrecision precision) {
    if (precision == WeightPrecision.F32) {
      return;
    }
    quantizeOwn(precision);
    for (Module m : children.values()) {
      if (m instanceof AbstractModule a) {
        a.quantize(precision);
      }
    }
  }

  /** Converts this module's own matmul weights (not its children's); none by default. */
  protected void quantizeOwn(WeightPrecision precision) {}

  /**
   * Bytes of weight data this module and its children hold: 4 per element of every open fp32
   * parameter, plus the quantized weights' values and scales. Parameters shared by two modules
   * (a tied table) are counted once.
   */
  public long weightBytes() {
    Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    return weightBytes(seen);
  }

  private long weightBytes(Set<Object> seen) {
    long bytes = 0;
    for (Parameter p : own.values()) {
      Tensor t = p.get();
      if (!t.isClosed() && seen.add(t)) {
        bytes += 4L * t.size();
      }
    }
    for (QuantizedWeight q : quantizedWeights()) {
      if (seen.add(q)) {
        bytes += q.bytes();
      }
    }
    for (Module m : children.values()) {
      if (m instanceof AbstractModule a) {
        bytes += a.weightBytes(seen);
      }
    }
    return bytes;
  }

  /** The quantized weights this module holds itself (for {@link #weightBytes()}). */
  protected List<QuantizedWeight> quantizedWeights() {
    return List.of();
  }

  /** Number of scalar parameters. */
  public long parameterCount() {
    long n = 0;
    for (Tensor t : parameters().values()) {
      n += t.size();
    }
    return n;
  }
}
