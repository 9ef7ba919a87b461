package io.github.transformers4j.spark;

import io.github.transformers4j.api.registry.Backends;
import io.github.transformers4j.api.spi.BackendProvider;
import io.github.transformers4j.api.spi.Probe;
import java.io.Serializable;
import java.lang.management.ManagementFactory;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SparkSession;

/**
 * Which compute backend the executors of a Spark application would run: a diagnostic job of one
 * task per partition, each answering from its own executor JVM.
 *
 * <p>An executor started without {@code --add-modules jdk.incubator.vector} cannot run the {@code
 * cpu} backend; the registry would then fall back to a slower one. This job shows it before a long
 * run does (the Spark transformers ask for {@code cpu} by name by default, so they fail instead).
 */
public final class ExecutorBackends {
  private ExecutorBackends() {}

  /** What one task saw: the backend the registry chooses by default, and the named one's probe. */
  public record Report(String chosen, String named, boolean namedAvailable, String reason, String jvm)
      implements Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public String toString() {
      return "chosen=" + chosen + ", " + named + (namedAvailable ? " available" : " unavailable")
          + " (" + reason + ") in " + jvm;
    }
  }

  /**
   * Runs {@code tasks} tasks and returns each one's report, in partition order.
   *
   * @param name the backend to probe by name, e.g. {@code "cpu"}
   */
  public static List<Report> probe(SparkSession spark, int tasks, String name) {
    if (tasks < 1) {
      throw new IllegalArgumentException("tasks must be at least 1, got " + tasks);
    }
    MapPartitionsFunction<Long, Report> probe =
        (Iterator<Long> rows) -> {
          Backends backends = Backends.installed();
          BackendProvider named = backends.provider(name);
          Probe p = backends.probe(named);
          String jvm = ManagementFactory.getRuntimeMXBean().getName();
          return List.of(
                  new Report(backends.choose(null).name(), named.name(), p.available(), p.reason(), jvm))
              .iterator();
        };
    return spark
        .range(0, tasks, 1, tasks)
        .as(Encoders.LONG())
        .mapPartitions(probe, Encoders.javaSerialization(Report.class))
        .collectAsList();
  }
}
