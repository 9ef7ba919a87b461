package io.github.transformers4j.models.pretrained;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.nn.Model;
import io.github.transformers4j.api.registry.Plugins;
import io.github.transformers4j.api.spi.ArchitectureProvider;
import io.github.transformers4j.models.config.ConfigLimits;
import io.github.transformers4j.models.config.HfConfig;
import io.github.transformers4j.models.nn.AbstractModule;
import io.github.transformers4j.models.nn.PretrainedModel;
import io.github.transformers4j.models.nn.WeightPrecision;
import io.github.transformers4j.models.nn.WithBaseModel;
import io.github.transformers4j.models.weights.SafeTensors;
import io.github.transformers4j.models.weights.ShardedSafeTensors;
import io.github.transformers4j.models.weights.Weights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Loads a Hugging Face model folder: {@code config.json}, whose {@code model_type} names the
 * registered architecture ({@code gpt2}, {@code bert}, a plugin's), and the weights, {@code
 * model.safetensors} or a sharded {@code model.safetensors.index.json}. The model is built from
 * the configuration, then every parameter is replaced by the checkpoint's tensor of the same name
 * with a shape check. PyTorch pickles ({@code pytorch_model.bin}) are not read: they can run code
 * when unpickled; convert them to safetensors.
 *
 * <pre>{@code
 * Gpt2Model gpt2 = Pretrained.load(ops, Path.of("gpt2"), Gpt2Model.class);
 * }</pre>
 */
public final class Pretrained {
  /** The configuration file of a model folder. */
  public static final String CONFIG = "config.json";

  /** The single-file weights of a model folder. */
  public static final String WEIGHTS = "model.safetensors";

  /** The index of sharded weights. */
  public static final String WEIGHTS_INDEX = "model.safetensors.index.json";

  private Pretrained() {}

  /** Whether {@code dir} looks like a model folder: a config and safetensors weights. */
  public static boolean isModelFolder(Path dir) {
    return Files.isRegularFile(dir.resolve(CONFIG))
        && (Files.isRegularFile(dir.resolve(WEIGHTS))
            || Files.isRegularFile(dir.resolve(WEIGHTS_INDEX)));
  }

  /**
   * The model in {@code dir}, built by the architecture its {@code model_type} names.
   *
   * @throws IOException naming the folder or file that is missing or malformed
   * @throws IllegalArgumentException naming the configuration field, the unknown architecture
   *     (with the installed ones), or every checkpoint tensor that does not fit
   */
  public static PretrainedModel load(Ops ops, Path dir) throws IOException {
    return load(ops, dir, PretrainedModel.class);
  }

  /**
   * The model in {@code dir}, which must be a {@code type}; the family is checked before any
   * weight is read. A folder saved with a task head ({@code architectures[0]}, such as {@code
   * BertForMaskedLM}) may be asked for as its base model ({@code BertModel}): the whole checkpoint
   * is loaded and the base model returned.
   *
   * @throws IllegalArgumentException also when the folder holds another family, naming both
   */
  public static <T extends PretrainedModel> T load(Ops ops, Path dir, Class<T> type)
      throws IOException {
    return load(ops, dir, type, WeightPrecision.F32);
  }

  /**
   * The model in {@code dir}, a {@code type}, with its matmul weights held in {@code precision}
   * (every linear layer and the tied output projection; see {@link
   * io.github.transformers4j.models.nn.AbstractModule#quantize}). The checkpoint is read in fp32
   * and each weight converted after loading; the fp32 copies are released.
   *
   * @throws IllegalArgumentException also when the model is not quantizable (not built from the
   *     project's modules), naming its class
   */
  public static <T extends PretrainedModel> T load(Ops ops, Path dir, Class<T> type, WeightPrecision precision)
      throws IOException {
    Path config = dir.resolve(CONFIG);
    if (!Files.isRegularFile(config)) {
      throw new IOException(dir + ": no " + CONFIG + " (expected a Hugging Face model folder)");
    }
    Map<String, Object> map = HfConfig.read(config);
    // Sizes are checked before the model is built: it allocates its parameters before the
    // checkpoint's tensors are compared with them.
    ConfigLimits.check(config.toString(), map);
    Object t = map.get("model_type");
    if (!(t instanceof String name) || name.isBlank()) {
      throw new IllegalArgumentException(config + ": no \"model_type\" naming the architecture");
    }
    ArchitectureProvider provider;
    try {
      provider = Plugins.architectures().forName(name);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(config + ": " + e.getMessage(), e);
    }
    Model model;
    try {
      model = provider.create(ops, map);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(named(config, e.getMessage()), e);
    }
    if (!type.isInstance(model)
        && model instanceof WithBaseModel head
        && model instanceof PretrainedModel whole
        && type.isInstance(head.baseModel())) {
      // A folder saved with a head, asked for as its base model: load all, hand out the base.
      try (Weights w = openWeights(dir)) {
        whole.load(w);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(named(dir, e.getMessage()), e);
      }
      T base = type.cast(head.baseModel());
      quantize(base, precision, dir);
      return base;
    }
    if (!type.isInstance(model)) {
      throw new IllegalArgumentException(
          config + ": architecture '" + name + "' builds a " + model.getClass().getSimpleName()
              + ", not a " + type.getSimpleName()
              + (model instanceof PretrainedModel ? "" : " (it cannot load a checkpoint)"));
    }
    T m = type.cast(model);
    try (Weights w = openWeights(dir)) {
      m.load(w);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(named(dir, e.getMessage()), e);
    }
    quantize(m, precision, dir);
    return m;
  }

  /**
   * {@code message} prefixed with {@code where} unless it names it already, and cut to 290
   * characters (with the prefix's ": ", under 300 after the path) (a checkpoint that fits nothing lists up to 20 tensors).
   */
  private static String named(Path where, String message) {
    String m = String.valueOf(message);
    if (m.length() > 290) {
      m = m.substring(0, 289) + "\u2026";
    }
    return m.contains(where.toString()) ? m : where + ": " + m;
  }

  /**
   * Converts {@code model}'s matmul weights to {@code precision} ({@link WeightPrecision#F32}:
   * nothing).
   *
   * @throws IllegalArgumentException when the model is not built from {@link AbstractModule}s
   */
  public static void quantize(Object model, WeightPrecision precision, Object what) {
    if (precision == WeightPrecision.F32) {
      return;
    }
    if (!(model instanceof AbstractModule a)) {
      throw new IllegalArgumentException(
          what + ": a " + model.getClass().getSimpleName() + " cannot hold " + precision.label()
              + " weights (only models built from the project's modules can)");
    }
    a.quantize(precision);
  }

  /** The folder's weights: {@code model.safetensors}, else the sharded index. */
  public static Weights openWeights(Path dir) throws IOException {
    Path single = dir.resolve(WEIGHTS);
    if (Files.isRegularFile(single)) {
      return SafeTensors.open(single);
    }
    Path index = dir.resolve(WEIGHTS_INDEX);
    if (Files.isRegularFile(index)) {
      return ShardedSafeTensors.open(index);
    }
    String hint =
        Files.exists(dir.resolve("pytorch_model.bin"))
            ? " (pytorch_model.bin is not read: PyTorch pickles can run code; convert it to"
                + " safetensors)"
            : "";
    throw new IOException(dir + ": no " + WEIGHTS + " or " + WEIGHTS_INDEX + hint);
  }
}
