package io.github.transformers4j.models.rnn;

import io.github.transformers4j.models.config.ConfigLimits;
import io.github.transformers4j.models.config.ConfigReader;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The shape of a {@link RecurrentLm}, validated at construction; {@link #toMap()} and {@link
 * #fromMap} are its {@code config.json} (model type {@value RecurrentLm#ARCHITECTURE}).
 *
 * @param cell the recurrent cell of every layer
 * @param vocabSize V
 * @param embeddingSize E, the width of the token table
 * @param hiddenSize H, the state width of every layer
 * @param numLayers stacked recurrent layers
 * @param dropout dropout on the embeddings, between layers and before the head (training only)
 * @param seed the seed of the initial weights
 */
public record RecurrentLmConfig(
    Cell cell,
    int vocabSize,
    int embeddingSize,
    int hiddenSize,
    int numLayers,
    float dropout,
    long seed) {

  /** The recurrent cell, by its {@code cell_type} name in {@code config.json}. */
  public enum Cell {
    /** Elman RNN with tanh, {@code torch.nn.RNN}. */
    RNN("rnn", 1),
    /** Elman RNN with ReLU, {@code torch.nn.RNN(nonlinearity='relu')}. */
    RNN_RELU("rnn_relu", 1),
    /** {@code torch.nn.LSTM}: gates i, f, g, o. */
    LSTM("lstm", 4),
    /** {@code torch.nn.GRU}: gates r, z, n. */
    GRU("gru", 3);

    private final String label;
    private final int gates;

    Cell(String label, int gates) {
      this.label = label;
      this.gates = gates;
    }

    /** The name in {@code config.json} and on the command line ({@code --arch}). */
    public String label() {
      return label;
    }

    /** Gate blocks G stacked in each weight (1, 4 or 3). */
    public int gates() {
      return gates;
    }

    /** The cell named {@code name}; an unknown name lists the known ones. */
    public static Cell fromLabel(String name) {
      for (Cell c : values()) {
        if (c.label.equals(name.toLowerCase(Locale.ROOT))) {
          return c;
        }
      }
      throw new IllegalArgumentException(
          "unknown recurrent cell '" + name + "' (known: " + labels() + ")");
    }

    /** The known names, comma-separated. */
    public static String labels() {
      StringBuilder b = new StringBuilder();
      for (Cell c : values()) {
        b.append(b.length() == 0 ? "" : ", ").append(c.label);
      }
      return b.toString();
    }
  }

  /** Validates every field; a message names the field and its value. */
  public RecurrentLmConfig {
    if (cell == null) {
      throw new IllegalArgumentException("cell_type is missing (one of " + Cell.labels() + ")");
    }
    positive("vocab_size", vocabSize, ConfigLimits.MAX_VOCABULARY);
    positive("embedding_size", embeddingSize, ConfigLimits.MAX_WIDTH);
    positive("hidden_size", hiddenSize, ConfigLimits.MAX_WIDTH);
    positive("num_layers", numLayers, ConfigLimits.MAX_LAYERS);
    if (!(dropout >= 0f && dropout < 1f)) {
      throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
    }
  }

  private static void positive(String field, int v, int max) {
    if (v <= 0 || v > max) {
      throw new IllegalArgumentException(field + " must be in [1, " + max + "], got " + v);
    }
  }

  /** A config with no dropout and seed 0. */
  public static RecurrentLmConfig of(
      Cell cell, int vocabSize, int embeddingSize, int hiddenSize, int numLayers) {
    return new RecurrentLmConfig(cell, vocabSize, embeddingSize, hiddenSize, numLayers, 0f, 0L);
  }

  /** This config with hidden width {@code h}. */
  public RecurrentLmConfig withHiddenSize(int h) {
    return new RecurrentLmConfig(cell, vocabSize, embeddingSize, h, numLayers, dropout, seed);
  }

  /** This config with embedding width {@code e}. */
  public RecurrentLmConfig withEmbeddingSize(int e) {
    return new RecurrentLmConfig(cell, vocabSize, e, hiddenSize, numLayers, dropout, seed);
  }

  /** This config with dropout {@code p}. */
  public RecurrentLmConfig withDropout(float p) {
    return new RecurrentLmConfig(cell, vocabSize, embeddingSize, hiddenSize, numLayers, p, seed);
  }

  /** This config with initialization seed {@code s}. */
  public RecurrentLmConfig withSeed(long s) {
    return new RecurrentLmConfig(cell, vocabSize, embeddingSize, hiddenSize, numLayers, dropout, s);
  }

  /** The recurrent stack's own config: batch-first, unidirectional, biases, dropout between layers. */
  public RecurrentConfig layers() {
    return new RecurrentConfig(embeddingSize, hiddenSize, numLayers, true, true, dropout, false);
  }

  /**
   * The {@code config.json} map. {@code bos_token_id}, {@code eos_token_id} and {@code
   * pad_token_id} are null: the char recipe's vocabulary has none.
   */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("architectures", List.of("RecurrentLm"));
    m.put("model_type", RecurrentLm.ARCHITECTURE);
    m.put("cell_type", cell.label());
    m.put("vocab_size", vocabSize);
    m.put("embedding_size", embeddingSize);
    m.put("hidden_size", hiddenSize);
    m.put("num_layers", numLayers);
    m.put("dropout", dropout);
    m.put("seed", seed);
    m.put("bos_token_id", null);
    m.put("eos_token_id", null);
    m.put("pad_token_id", null);
    return m;
  }

  /**
   * Reads a {@code config.json} map written by {@link #toMap()}.
   *
   * @throws IllegalArgumentException naming the field that is missing or malformed
   */
  public static RecurrentLmConfig fromMap(Map<String, ?> map) {
    ConfigReader c = new ConfigReader(RecurrentLm.ARCHITECTURE, map);
    String type = c.string("model_type", RecurrentLm.ARCHITECTURE);
    if (!type.equals(RecurrentLm.ARCHITECTURE)) {
      throw c.error("model_type is '" + type + "', expected '" + RecurrentLm.ARCHITECTURE + "'");
    }
    if (!c.has("cell_type")) {
      throw c.error("cell_type is missing (one of " + Cell.labels() + ")");
    }
    try {
      return new RecurrentLmConfig(
          Cell.fromLabel(c.string("cell_type", "")),
          c.integer("vocab_size"),
          c.integer("embedding_size"),
          c.integer("hidden_size"),
          c.integer("num_layers"),
          (float) c.number("dropout", 0),
          (long) c.number("seed", 0));
    } catch (IllegalArgumentException e) {
      throw e.getMessage().startsWith("config '") ? e : c.error(e.getMessage());
    }
  }
}
