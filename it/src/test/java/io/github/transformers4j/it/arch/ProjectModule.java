package io.github.transformers4j.it.arch;

import java.util.List;

/**
 * The module table of {@code ARCHITECTURE.md} as data: each Maven module, the suffix of its JPMS
 * module name (which is also its root package) and what its production code may depend on.
 *
 * <p>The rules and the module-graph test read this one table, so a change of the architecture is a
 * change here, reviewed in one place.
 */
enum ProjectModule {
  API("transformer-api", "api", List.of(), List.of()),
  MODELS("transformer-models", "models", List.of(API), List.of(Libs.GSON)),
  // com.sun.management (module jdk.management): the cpu backend reads HotSpot's UseAVX to know how
  // many vector registers the JIT may use, which sizes its SGEMM register tile. javax.management
  // (java.management): it adds a compiler directive through the DiagnosticCommand MBean that
  // keeps each vector kernel a compilation unit of its own (exec.JitDirectives).
  CPU(
      "transformer-cpu",
      "cpu",
      List.of(API),
      List.of("jdk.incubator.vector..", "com.sun.management..", "javax.management..")),
  GPU_APARAPI("transformer-gpu-aparapi", "gpu.aparapi", List.of(API), List.of("com.aparapi..")),
  TOKENIZERS("tokenizers", "tokenizers", List.of(API), List.of("org.apache.lucene..", Libs.GSON)),
  TRAINING("training", "training", List.of(API, MODELS), List.of(Libs.GSON)),
  // javax.imageio (module java.desktop): CLIP decodes PNG, JPEG, BMP and GIF inputs and writes its
  // synthetic dataset's PNGs.
  CLIP(
      "multimodal-clip",
      "clip",
      List.of(API, MODELS, TRAINING),
      List.of(Libs.GSON, "javax.imageio..")),
  // com.sun.net.httpserver (module jdk.httpserver): the OpenAI-compatible server is the JDK's own
  // HTTP server, so serving adds no HTTP library (see docs/architecture.md, "Serving").
  SERVING("serving", "serving", List.of(API, MODELS), List.of(Libs.GSON, "com.sun.net.httpserver..")),
  // LangChain4j's model interfaces over models' embedder and generator; LangChain4j stays out of
  // every other module (ArchitectureRules.langchain4jOnlyInItsModule).
  LANGCHAIN4J(
      "transformer-langchain4j", "langchain4j", List.of(API, MODELS), List.of("dev.langchain4j..")),
  // Apache Spark is class-path software: this module has no module-info.java (its jar says
  // Automatic-Module-Name instead), so the descriptor-level checks leave it out (CLASS_PATH_ONLY);
  // its classes are held to this row like any other. transformer-cpu is a runtime dependency only.
  SPARK(
      "transformer-spark",
      "spark",
      List.of(API, MODELS, TOKENIZERS, TRAINING, CLIP),
      List.of("org.apache.spark..", "scala..", Libs.GSON)),
  APPS(
      "apps",
      "apps",
      List.of(API, MODELS, CPU, GPU_APARAPI, TOKENIZERS, TRAINING, CLIP, SERVING),
      // Guice 7 is on jakarta.inject; javax.inject is listed for modules written against Guice 5/6.
      List.of("com.google.inject..", "jakarta.inject..", "javax.inject..", "picocli..", Libs.GSON)),
  /** Tests only: it may use everything, so no dependency rule constrains it. */
  IT("it", "it", List.of(), List.of());

  /** The root package every project module name is built on. */
  static final String ROOT = "io.github.transformers4j";

  /** The backends: only apps and it may name one. */
  static final List<ProjectModule> BACKENDS = List.of(CPU, GPU_APARAPI);

  /**
   * Modules without a module descriptor: checked by the package rules, not by the module graph.
   */
  static final List<ProjectModule> CLASS_PATH_ONLY = List.of(SPARK);

  /** The library modules whose {@code requires} the module-graph test checks against the table. */
  static final List<ProjectModule> RESTRICTED =
      List.of(API, MODELS, CPU, GPU_APARAPI, TOKENIZERS, TRAINING, CLIP, SERVING, LANGCHAIN4J, APPS);

  final String folder;
  final String suffix;
  final List<ProjectModule> mayDependOn;
  final List<String> ownLibraries;

  ProjectModule(
      String folder, String suffix, List<ProjectModule> mayDependOn, List<String> ownLibraries) {
    this.folder = folder;
    this.suffix = suffix;
    this.mayDependOn = mayDependOn;
    this.ownLibraries = ownLibraries;
  }

  /** The modules that have a module descriptor: all but {@link #CLASS_PATH_ONLY}. */
  static List<ProjectModule> named() {
    return java.util.Arrays.stream(values()).filter(m -> !CLASS_PATH_ONLY.contains(m)).toList();
  }

  /** The JPMS module name, which is also the root package, under the real project root. */
  String moduleName() {
    return rootPackage(ROOT);
  }

  /** The root package of this module when the project lives under {@code root}. */
  String rootPackage(String root) {
    return root + "." + suffix;
  }

  @Override
  public String toString() {
    return folder;
  }

  /** Library package patterns shared by several modules (a holder: enum constants cannot use the
   * enum's own static fields). */
  private static final class Libs {
    /** JSON (configs, tokenizer.json, checkpoint state) for the modules that read or write it. */
    static final String GSON = "com.google.gson..";
  }
}
