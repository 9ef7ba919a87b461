package io.github.transformers4j.models.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Refuses a configuration whose sizes could not be loaded, before a model is built from it: a model
 * is built (its parameters allocated) before the checkpoint's tensors are compared with it, so a
 * {@code config.json} saying {@code n_layer: 1000000} would otherwise run for a minute and end in an
 * {@link OutOfMemoryError}.
 *
 * <p>Two checks, on the top-level object and on nested ones ({@code text_config}, {@code
 * vision_config}):
 *
 * <ol>
 *   <li>Every size field Hugging Face configs use is at most a stated limit, far above any published
 *       model: layers {@value #MAX_LAYERS}, heads {@value #MAX_HEADS}, widths (hidden, feed-forward,
 *       head, embedding) {@value #MAX_WIDTH}, vocabularies {@value #MAX_VOCABULARY} (the tokenizers'
 *       id limit), positions and position buckets {@value #MAX_POSITIONS}, labels {@value
 *       #MAX_LABELS}.
 *   <li>A lower bound of the weights' size, 4 bytes × (layers × (4 × width × heads × head size + 2
 *       × width × feed-forward width) + (vocabulary + positions) × width): the attention
 *       projections, two feed-forward matrices and the embedding tables alone, so never more than
 *       the real size (head size and feed-forward width count only where the config states them).
 *       It must be at most the Java heap ({@link Runtime#maxMemory()}); the message gives both and says how to
 *       raise the heap.
 * </ol>
 */
public final class ConfigLimits {
  /** The most layers (of an encoder or a decoder). */
  public static final int MAX_LAYERS = 1024;

  /** The most attention heads. */
  public static final int MAX_HEADS = 1024;

  /** The widest hidden, feed-forward, head or embedding size. */
  public static final int MAX_WIDTH = 1 << 17;

  /** The largest vocabulary (the tokenizers' id limit, 2^24). */
  public static final int MAX_VOCABULARY = 1 << 24;

  /** The most positions (and relative-position buckets or distance). */
  public static final int MAX_POSITIONS = 1 << 21;

  /** The most class labels. */
  public static final int MAX_LABELS = 1 << 16;

  private static final List<String> LAYERS =
      List.of(
          "n_layer",
          "num_hidden_layers",
          "num_layers",
          "num_decoder_layers",
          "encoder_layers",
          "decoder_layers");
  private static final List<String> WIDTHS = List.of("n_embd", "hidden_size", "d_model");
  private static final List<String> VOCABULARIES =
      List.of("vocab_size", "decoder_vocab_size", "type_vocab_size");

  private static final List<String> POSITIONS =
      List.of("n_positions", "n_ctx", "max_position_embeddings");
  private static final List<String> FEED_FORWARD =
      List.of(
          "d_ff", "intermediate_size", "n_inner", "ffn_dim", "encoder_ffn_dim", "decoder_ffn_dim");
  private static final List<String> HEADS =
      List.of(
          "n_head",
          "num_attention_heads",
          "num_heads",
          "encoder_attention_heads",
          "decoder_attention_heads");

  private static final Map<String, Integer> LIMITS = new LinkedHashMap<>();

  static {
    LAYERS.forEach(f -> LIMITS.put(f, MAX_LAYERS));
    HEADS.forEach(f -> LIMITS.put(f, MAX_HEADS));
    WIDTHS.forEach(f -> LIMITS.put(f, MAX_WIDTH));
    for (String f :
        List.of(
            "d_ff",
            "d_kv",
            "intermediate_size",
            "n_inner",
            "ffn_dim",
            "encoder_ffn_dim",
            "decoder_ffn_dim",
            "word_embed_proj_dim",
            "embedding_size",
            "projection_dim",
            "image_size",
            "patch_size",
            "num_channels")) {
      LIMITS.put(f, MAX_WIDTH);
    }
    VOCABULARIES.forEach(f -> LIMITS.put(f, MAX_VOCABULARY));
    for (String f :
        List.of(
            "n_positions",
            "n_ctx",
            "max_position_embeddings",
            "relative_attention_num_buckets",
            "relative_attention_max_distance")) {
      LIMITS.put(f, MAX_POSITIONS);
    }
    LIMITS.put("num_labels", MAX_LABELS);
  }

  private ConfigLimits() {}

  /** The size fields checked, with their limits. */
  public static Map<String, Integer> limits() {
    return java.util.Collections.unmodifiableMap(LIMITS);
  }

  /**
   * Checks {@code config} against the limits and the heap; {@code source} (the file) names it in
   * errors.
   *
   * @throws IllegalArgumentException naming the file, the field, its value and the limit
   */
  public static void check(String source, Map<String, ?> config) {
    long bytes = check(source, "", config, 0);
    long heap = Runtime.getRuntime().maxMemory();
    if (bytes > heap) {
      throw new IllegalArgumentException(
          source
              + ": the weights need at least "
              + mb(bytes)
              + " MB, more than the Java heap of "
              + mb(heap)
              + " MB; raise it with -Xmx (t4j: T4J_JAVA_OPTS=-Xmx"
              + Math.max(1, (bytes >> 30) * 2 + 1)
              + "g) or use a smaller model");
    }
  }

  /** Checks one object (and its nested ones); returns the lower bound of its weights in bytes. */
  private static long check(String source, String prefix, Map<String, ?> config, int depth) {
    long bytes = 0;
    for (Map.Entry<String, ?> e : config.entrySet()) {
      Object v = e.getValue();
      Integer limit = LIMITS.get(e.getKey());
      if (limit != null && v instanceof Number n && n.doubleValue() > limit) {
        throw new IllegalArgumentException(
            source
                + ": "
                + prefix
                + e.getKey()
                + " "
                + show(n)
                + " is above this library's limit of "
                + limit);
      }
      if (v instanceof Map<?, ?> nested && depth < 4) {
        @SuppressWarnings("unchecked")
        Map<String, ?> m = (Map<String, ?>) nested;
        bytes += check(source, prefix + e.getKey() + ".", m, depth + 1);
      }
    }
    long width = first(config, WIDTHS);
    long layers = max(config, LAYERS);
    long vocabulary = max(config, VOCABULARIES);
    long positions = max(config, POSITIONS);
    long feedForward = max(config, FEED_FORWARD);
    long heads = max(config, HEADS);
    long headSize = max(config, List.of("d_kv"));
    long inner = headSize > 0 && heads > 0 ? heads * headSize : width;
    // Each term is at most 2^10 * 2^2 * 2^17 * 2^27 (heads * d_kv) = 2^56 elements: no overflow.
    long elements =
        layers * (4 * width * inner + 2 * width * feedForward) + (vocabulary + positions) * width;
    return bytes + 4 * elements;
  }

  private static long first(Map<String, ?> config, List<String> fields) {
    for (String f : fields) {
      if (config.get(f) instanceof Number n && n.doubleValue() > 0) {
        return (long) n.doubleValue();
      }
    }
    return 0;
  }

  private static long max(Map<String, ?> config, List<String> fields) {
    long m = 0;
    for (String f : fields) {
      if (config.get(f) instanceof Number n && n.doubleValue() > 0) {
        m = Math.max(m, (long) n.doubleValue());
      }
    }
    return m;
  }

  private static String show(Number n) {
    double d = n.doubleValue();
    return d == Math.rint(d) && Math.abs(d) < 1e18 ? String.valueOf((long) d) : String.valueOf(d);
  }

  private static long mb(long bytes) {
    return (bytes + (1 << 20) - 1) >> 20;
  }
}
