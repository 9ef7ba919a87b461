package io.github.transformers4j.spark.ml;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * What every Transformers4J Spark ML transformer shares: the params ({@code modelPath}, {@code
 * inputCol}, {@code outputCol}, {@code batchSize}, {@code backend}, {@code threads}), the schema
 * check, and the partition loop: rows are read in batches of {@code batchSize}, each batch goes to
 * the model that the executor JVM loaded once ({@link ModelCache}), and each row comes out with
 * its input columns and the new one. A null input gives a null output.
 *
 * <p>Saved and loaded as a pipeline stage by Spark's {@code DefaultParamsWriter}/{@code Reader}
 * (the params as JSON; the model folder is referenced by its path, not copied).
 *
 * @param <S> the concrete transformer, so that setters chain
 */
public abstract class T4jTransformer<S extends T4jTransformer<S>> extends Transformer
    implements DefaultParamsWritable {
  private static final long serialVersionUID = 1L;

  private final String uid;
  private final Param<String> modelPath;
  private final Param<String> inputCol;
  private final Param<String> outputCol;
  private final IntParam batchSize;
  private final Param<String> backend;
  private final IntParam threads;

  protected T4jTransformer(String uid) {
    this.uid = uid;
    modelPath = new Param<>(this, "modelPath", "the model folder, as every executor sees it");
    inputCol = new Param<>(this, "inputCol", "the input column");
    outputCol = new Param<>(this, "outputCol", "the output column");
    batchSize =
        new IntParam(this, "batchSize", "rows per forward pass (>= 1)", ParamValidators.gtEq(1));
    backend =
        new Param<>(
            this,
            "backend",
            "the compute backend by name (cpu, aparapi, reference); empty: the registry's choice"
                + " (property t4j.backend, then the best available)");
    threads =
        new IntParam(
            this,
            "threads",
            "the cpu backend's worker threads per executor JVM (>= 0; 0: the executor's cores,"
                + " spark.executor.cores or N of local[N])",
            ParamValidators.gtEq(0));
    setDefault(inputCol, "text");
    setDefault(batchSize, 16);
    // Named, not "best available": an executor without --add-modules jdk.incubator.vector then
    // fails saying so, instead of silently running the slow reference kernels.
    setDefault(backend, "cpu");
    setDefault(threads, 0);
  }

  @Override
  public String uid() {
    return uid;
  }

  public Param<String> modelPath() {
    return modelPath;
  }

  public Param<String> inputCol() {
    return inputCol;
  }

  public Param<String> outputCol() {
    return outputCol;
  }

  public IntParam batchSize() {
    return batchSize;
  }

  public Param<String> backend() {
    return backend;
  }

  public IntParam threads() {
    return threads;
  }

  public String getModelPath() {
    return $(modelPath);
  }

  public String getInputCol() {
    return $(inputCol);
  }

  public String getOutputCol() {
    return $(outputCol);
  }

  public int getBatchSize() {
    return (Integer) $(batchSize);
  }

  public String getBackend() {
    return $(backend);
  }

  public int getThreads() {
    return (Integer) $(threads);
  }

  @SuppressWarnings("unchecked")
  protected final S self() {
    return (S) this;
  }

  public S setModelPath(String value) {
    set(modelPath, value);
    return self();
  }

  public S setInputCol(String value) {
    set(inputCol, value);
    return self();
  }

  public S setOutputCol(String value) {
    set(outputCol, value);
    return self();
  }

  public S setBatchSize(int value) {
    set(batchSize, value);
    return self();
  }

  public S setBackend(String value) {
    set(backend, value);
    return self();
  }

  public S setThreads(int value) {
    set(threads, value);
    return self();
  }

  /** The settings an executor needs, as a serializable value (the transformer stays on the driver). */
  public record Settings(String modelPath, String backend, int threads, int batchSize)
      implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The cache key of this folder for {@code use}. */
    public ModelCache.Key key(String use) {
      return new ModelCache.Key(use, modelPath, backend, threads);
    }
  }

  /** One batch of non-null inputs to their outputs, run on an executor. */
  @FunctionalInterface
  protected interface BatchFunction extends Serializable {
    List<?> apply(Settings settings, List<Object> inputs) throws Exception;
  }

  /** What this transformer does, in messages ("sentence embeddings"). */
  protected abstract String what();

  /** Whether the input column may have this type (a string by default); the schema check names them. */
  protected boolean acceptsInput(DataType type) {
    return type.equals(DataTypes.StringType);
  }

  /** The accepted input types, for messages ("a string column" by default). */
  protected String acceptedInput() {
    return "a string column";
  }

  /** The type of the output column. */
  protected abstract DataType outputType();

  /** The executor side: one batch of inputs to outputs, in order, one per input. */
  protected abstract BatchFunction batchFunction();

  @Override
  public StructType transformSchema(StructType schema) {
    if (!isDefined(modelPath) || getModelPath().isBlank()) {
      throw new IllegalArgumentException(
          getClass().getSimpleName() + " " + uid + ": modelPath is not set (the model folder)");
    }
    if (!isDefined(outputCol) || getOutputCol().isBlank()) {
      throw new IllegalArgumentException(
          getClass().getSimpleName() + " " + uid + ": outputCol is not set");
    }
    String in = getInputCol();
    if (!Arrays.asList(schema.fieldNames()).contains(in)) {
      throw new IllegalArgumentException(
          getClass().getSimpleName() + " " + uid + ": inputCol '" + in + "' is not a column of"
              + " the input; it has " + String.join(", ", schema.fieldNames()));
    }
    DataType type = schema.apply(in).dataType();
    if (!acceptsInput(type)) {
      throw new IllegalArgumentException(
          getClass().getSimpleName() + " " + uid + ": inputCol '" + in + "' has type "
              + type.simpleString() + "; " + what() + " need " + acceptedInput());
    }
    if (Arrays.asList(schema.fieldNames()).contains(getOutputCol())) {
      throw new IllegalArgumentException(
          getClass().getSimpleName() + " " + uid + ": outputCol '" + getOutputCol()
              + "' is already a column of the input");
    }
    return schema.add(new StructField(getOutputCol(), outputType(), true, org.apache.spark.sql.types.Metadata.empty()));
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType out = transformSchema(dataset.schema());
    int column = dataset.schema().fieldIndex(getInputCol());
    Settings settings = new Settings(getModelPath(), getBackend(), getThreads(), getBatchSize());
    BatchFunction fn = batchFunction();
    MapPartitionsFunction<Row, Row> partition = rows -> new Batched(rows, column, settings, fn);
    return dataset.toDF().mapPartitions(partition, Encoders.row(out));
  }

  @Override
  public S copy(ParamMap extra) {
    @SuppressWarnings("unchecked")
    S copy = (S) defaultCopy(extra);
    return copy;
  }

  /**
   * A partition's rows with the output appended, computed {@code batchSize} rows at a time as the
   * consumer pulls them (a partition is never held in memory whole).
   */
  private static final class Batched implements Iterator<Row> {
    private final Iterator<Row> rows;
    private final int column;
    private final Settings settings;
    private final BatchFunction fn;
    private final List<Row> ready = new ArrayList<>();
    private int next;

    Batched(Iterator<Row> rows, int column, Settings settings, BatchFunction fn) {
      this.rows = rows;
      this.column = column;
      this.settings = settings;
      this.fn = fn;
    }

    @Override
    public boolean hasNext() {
      if (next < ready.size()) {
        return true;
      }
      ready.clear();
      next = 0;
      if (!rows.hasNext()) {
        return false;
      }
      List<Row> batch = new ArrayList<>(settings.batchSize());
      List<Object> inputs = new ArrayList<>(settings.batchSize());
      while (rows.hasNext() && inputs.size() < settings.batchSize()) {
        Row r = rows.next();
        batch.add(r);
        if (!r.isNullAt(column)) {
          inputs.add(r.get(column));
        }
      }
      List<?> outputs;
      try {
        outputs = inputs.isEmpty() ? List.of() : fn.apply(settings, inputs);
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException(e.getMessage(), e);
      }
      if (outputs.size() != inputs.size()) {
        throw new IllegalStateException(
            "a batch of " + inputs.size() + " inputs gave " + outputs.size() + " outputs");
      }
      int o = 0;
      for (Row r : batch) {
        Object[] values = new Object[r.size() + 1];
        for (int i = 0; i < r.size(); i++) {
          values[i] = r.get(i);
        }
        values[r.size()] = r.isNullAt(column) ? null : outputs.get(o++);
        ready.add(RowFactory.create(values));
      }
      return true;
    }

    @Override
    public Row next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return ready.get(next++);
    }
  }
}
