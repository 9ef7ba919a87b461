package io.github.transformers4j.spark.ml;

import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.registry.Backends;
import io.github.transformers4j.api.spi.BackendOptions;
import io.github.transformers4j.api.spi.BackendProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;

/**
 * What the executors of this JVM have loaded: each model folder once per (use, folder, backend,
 * threads), on first use, shared by every task of the JVM for the life of the executor.
 *
 * <p>Loading is lazy and thread-safe: the first task to ask loads, the others asking for the same
 * key wait for that load; tasks asking for other keys are not held up. A failed load is forgotten
 * (the next task tries again, as a Spark retry would) and its error handed to every waiting task.
 * Loaded models are shared across threads, which the library allows for inference (the thread
 * safety table of docs/architecture.md). Backends stay open until the JVM ends.
 */
public final class ModelCache {
  private ModelCache() {}

  /** What identifies one loaded object. */
  public record Key(String use, String path, String backend, int threads) {}

  /** Loads one object on the given compute ops. */
  @FunctionalInterface
  public interface Loader<T> {
    T load(Ops ops, Path folder) throws IOException;
  }

  private static final ConcurrentHashMap<Key, FutureTask<Object>> LOADED = new ConcurrentHashMap<>();
  private static final ConcurrentHashMap<String, Ops> BACKENDS = new ConcurrentHashMap<>();
  private static final AtomicInteger LOADS = new AtomicInteger();

  /**
   * The object of {@code key}, loaded by {@code loader} if this JVM has not loaded it yet.
   *
   * @throws IllegalArgumentException when the folder does not exist on this host, naming it
   */
  @SuppressWarnings("unchecked")
  public static <T> T get(Key key, Loader<T> loader) {
    FutureTask<Object> task =
        new FutureTask<>(
            () -> {
              Path folder = folder(key.path());
              LOADS.incrementAndGet();
              return loader.load(ops(key.backend(), key.threads()), folder);
            });
    FutureTask<Object> existing = LOADED.putIfAbsent(key, task);
    if (existing == null) {
      task.run();
      existing = task;
    }
    try {
      return (T) existing.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while loading " + key.path(), e);
    } catch (ExecutionException e) {
      LOADED.remove(key, existing);
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw new UncheckedIOException(key.use() + ": cannot load modelPath " + key.path() + ": "
            + io.getMessage(), io);
      }
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(cause);
    }
  }

  /** How many loads this JVM has run (tests check that a folder is loaded once). */
  public static int loads() {
    return LOADS.get();
  }

  private static Path folder(String path) {
    Path folder = Path.of(path);
    if (!Files.isDirectory(folder)) {
      String host;
      try {
        host = java.net.InetAddress.getLocalHost().getHostName();
      } catch (IOException e) {
        host = "this host";
      }
      throw new IllegalArgumentException(
          "modelPath " + path + " is not a folder on " + host + " (" + folder.toAbsolutePath()
              + "): every executor reads the model folder; put it on a file system they all"
              + " see, or ship it with spark-submit --archives model.zip#NAME and set modelPath"
              + " to NAME");
    }
    return folder;
  }

  /**
   * The cores of this executor: {@code spark.executor.cores}, else N of a {@code local[N]} master
   * ({@code local[*]} and {@code local}: the JVM's processors, as Spark counts them), else the
   * JVM's processors.
   */
  public static int executorCores() {
    SparkEnv env = SparkEnv.get();
    int processors = Runtime.getRuntime().availableProcessors();
    if (env == null) {
      return processors;
    }
    SparkConf conf = env.conf();
    if (conf.contains("spark.executor.cores")) {
      return Math.max(1, conf.getInt("spark.executor.cores", 1));
    }
    Matcher m = LOCAL.matcher(conf.get("spark.master", ""));
    if (m.matches()) {
      return m.group(1) == null ? 1 : m.group(1).equals("*") ? processors : Integer.parseInt(m.group(1));
    }
    return processors;
  }

  private static final Pattern LOCAL = Pattern.compile("local(?:\\[(\\d+|\\*)(?:,\\d+)?\\])?");

  // One backend (and Ops over it) per name and thread count, shared by all models of the JVM;
  // threads 0 is the executor's cores.
  private static Ops ops(String backend, int requestedThreads) {
    int threads = requestedThreads > 0 ? requestedThreads : executorCores();
    return BACKENDS.computeIfAbsent(
        backend + "/" + threads,
        k -> {
          BackendProvider provider = Backends.installed().choose(backend.isEmpty() ? null : backend);
          // Only the cpu backend has a thread option; the others refuse options they do not know.
          BackendOptions options =
              "cpu".equals(provider.name())
                  ? BackendOptions.none().with("threads", String.valueOf(threads))
                  : BackendOptions.none();
          ComputeBackend b = provider.create(options);
          return new Ops(b);
        });
  }
}
