package io.github.transformers4j.spark;

import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;

/**
 * The one local Spark session of a test JVM: {@code local[2]}, started on first use and shared by
 * every test class of the module (Surefire runs them in one JVM), since starting Spark takes
 * seconds. UI off, two shuffle partitions, scratch space under {@code target/}. Spark stops it in
 * its own shutdown hook.
 *
 * <p>Tests must not stop it or change its SQL configuration for others; one that needs another
 * master (such as {@code local[1]}) starts its own JVM.
 */
public final class LocalSpark {
  private LocalSpark() {}

  /** Executor threads of the shared session. */
  public static final int CORES = 2;

  // Lazily built on first use, not at class load.
  private static final class Holder {
    static final SparkSession SESSION = start();
  }

  /** The shared session. */
  public static SparkSession session() {
    return Holder.SESSION;
  }

  private static SparkSession start() {
    Path scratch = Path.of("target", "spark-local").toAbsolutePath();
    long t0 = System.nanoTime();
    SparkSession spark =
        SparkSession.builder()
            .master("local[" + CORES + "]")
            .appName("transformer-spark tests")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", String.valueOf(CORES))
            .config("spark.default.parallelism", String.valueOf(CORES))
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.local.dir", scratch.resolve("tmp").toString())
            .config("spark.sql.warehouse.dir", scratch.resolve("warehouse").toString())
            // In local mode the executors are threads of this JVM, whose flags surefire set; on
            // a cluster these two carry them (README, "Spark").
            .config("spark.driver.extraJavaOptions", SparkJvmFlags.joined())
            .config("spark.executor.extraJavaOptions", SparkJvmFlags.joined())
            .getOrCreate();
    System.out.printf(
        "[LocalSpark] Spark %s started in %.1f s (local[%d])%n",
        spark.version(), (System.nanoTime() - t0) / 1e9, CORES);
    return spark;
  }
}
