package io.github.transformers4j.spark;

import java.util.List;

/**
 * The JVM flags a Spark driver or executor needs to run this library on Java 17+: the {@code
 * --add-opens} list Spark 4 itself relies on (its launcher's {@code JavaModuleOptions}) and {@code
 * --add-modules jdk.incubator.vector}, without which the {@code cpu} backend is unavailable.
 *
 * <p>They go to Spark as {@code spark.driver.extraJavaOptions} and {@code
 * spark.executor.extraJavaOptions} (README, "Spark"); the module's surefire {@code argLine} holds the
 * same list, which {@code SparkJvmFlagsTest} checks against this class.
 */
public final class SparkJvmFlags {
  private SparkJvmFlags() {}

  /** The flags, one per element, in Spark's order. */
  public static final List<String> FLAGS =
      List.of(
          "-XX:+IgnoreUnrecognizedVMOptions",
          "--add-modules=jdk.incubator.vector",
          "--add-opens=java.base/java.lang=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
          "--add-opens=java.base/java.io=ALL-UNNAMED",
          "--add-opens=java.base/java.net=ALL-UNNAMED",
          "--add-opens=java.base/java.nio=ALL-UNNAMED",
          "--add-opens=java.base/java.util=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
          "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED",
          "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
          "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED",
          "--add-opens=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
          "-Dio.netty.tryReflectionSetAccessible=true",
          "-Dio.netty.allocator.type=pooled",
          "--enable-native-access=ALL-UNNAMED");

  /** The flags as one {@code extraJavaOptions} value. */
  public static String joined() {
    return String.join(" ", FLAGS);
  }
}
