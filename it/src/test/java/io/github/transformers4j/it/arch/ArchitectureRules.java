package io.github.transformers4j.it.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SliceRule;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The architecture rules of {@code ARCHITECTURE.md}, built for a given root package.
 *
 * <p>The real tests build them for {@code io.github.transformers4j}; the negative control builds
 * the very same rules for the fixture tree {@code io.github.transformers4j.it.archfixture}, so a
 * rule that cannot fail would be caught there rather than trusted here.
 */
final class ArchitectureRules {
  private final String root;

  ArchitectureRules(String root) {
    this.root = root;
  }

  /** {@code com.example.cpu..}: the module's root package and everything below it. */
  String tree(ProjectModule module) {
    return module.rootPackage(root) + "..";
  }

  /**
   * The module's classes depend only on the JDK, on their own module, on the project modules the
   * table allows and on the module's own libraries.
   *
   * <p>Empty subjects are allowed because a module may not have classes yet on a branch; callers
   * report that case instead of counting the rule as checked.
   */
  ArchRule dependsOnlyOnWhatTheTableAllows(ProjectModule module) {
    List<String> allowed = new ArrayList<>();
    allowed.add("java..");
    allowed.add(tree(module));
    module.mayDependOn.forEach(m -> allowed.add(tree(m)));
    allowed.addAll(module.ownLibraries);
    return classes()
        .that()
        .resideInAPackage(tree(module))
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage(allowed.toArray(String[]::new))
        .because(whyRestricted(module))
        .allowEmptyShould(true);
  }

  private static String whyRestricted(ProjectModule module) {
    return switch (module) {
      case API ->
          "transformer-api is the contract every module and plugin compiles against: depending"
              + " on nothing but the JDK keeps it small, stable and usable by any backend or"
              + " application (ARCHITECTURE.md: java.base only)";
      case CPU, GPU_APARAPI ->
          "a backend implements the api's SPI with its own kernel library and nothing else;"
              + " reaching into models, training or another backend would couple the backend to"
              + " what runs on it (ARCHITECTURE.md: a backend depends on the api and its own"
              + " libraries only)";
      case APPS ->
          "apps is the composition root: it may wire every module with Guice and Picocli,"
              + " but any other library it needs must first be added to ARCHITECTURE.md's table";
      default ->
          module
              + " may depend only on "
              + module.mayDependOn
              + (module.ownLibraries.isEmpty() ? "" : " and " + module.ownLibraries)
              + ", so the module graph stays the layered DAG of ARCHITECTURE.md's table and each"
              + " module can be used without dragging in the ones above it";
    };
  }

  /** Only the backend itself, apps and it name the backend's classes. */
  ArchRule onlyAppsAndItNameTheBackend(ProjectModule backend) {
    return noClasses()
        .that()
        .resideOutsideOfPackages(tree(backend), tree(ProjectModule.APPS), tree(ProjectModule.IT))
        .should()
        .dependOnClassesThat()
        .resideInAPackage(tree(backend))
        .because(
            "models, training and CLIP get their backend from the registry or by injection:"
                + " naming a concrete backend would make it a compile-time requirement and take"
                + " away the choice (explicit name, property, best available) that apps makes");
  }

  /** The packages of a third-party library appear in {@code owner} only. */
  ArchRule libraryOnlyIn(String library, ProjectModule owner, String... packages) {
    return noClasses()
        .that()
        .resideOutsideOfPackage(tree(owner))
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(packages)
        .because(library + " belongs to " + owner + " only: " + whyOnlyIn(owner));
  }

  private static String whyOnlyIn(ProjectModule owner) {
    return switch (owner) {
      case APPS ->
          "Guice and Picocli are the wiring and the command line of the application, not of"
              + " the library; library classes take collaborators in constructors so they can be"
              + " used without a DI container";
      case TOKENIZERS ->
          "the Lucene analyzers are an implementation detail of the tokenizers and must not"
              + " become a dependency of every module that tokenizes";
      case GPU_APARAPI ->
          "OpenCL through Aparapi is one pluggable backend; anything else using it directly"
              + " would need a GPU stack to load";
      case LANGCHAIN4J ->
          "LangChain4j is an integration on top of the library, not a foundation of it: its jars"
              + " are automatic modules named from their file names, and models, tokenizers and"
              + " training must stay usable by applications that do not use LangChain4j";
      case CPU ->
          "the incubating Vector API needs --add-modules jdk.incubator.vector and changes"
              + " between JDKs; keeping it in the CPU backend keeps every other module on the"
              + " standard JDK and lets the CPU backend probe for it and fall back";
      case SPARK ->
          "Spark and Scala are hundreds of megabytes of class-path software that a cluster"
              + " provides; the library must run without them, and only the Spark integration"
              + " knows their API";
      case SERVING ->
          "HTTP is the serving module's concern; the models and the command line reach it only"
              + " through OpenAiServer, so the HTTP server can change without touching them";
      default -> throw new IllegalArgumentException("no library is confined to " + owner);
    };
  }

  ArchRule guiceOnlyInApps() {
    return libraryOnlyIn(
        "Guice", ProjectModule.APPS, "com.google.inject..", "jakarta.inject..", "javax.inject..");
  }

  ArchRule picocliOnlyInApps() {
    return libraryOnlyIn("Picocli", ProjectModule.APPS, "picocli..");
  }

  ArchRule luceneOnlyInTokenizers() {
    return libraryOnlyIn("Lucene", ProjectModule.TOKENIZERS, "org.apache.lucene..");
  }

  ArchRule aparapiOnlyInGpuAparapi() {
    return libraryOnlyIn("Aparapi", ProjectModule.GPU_APARAPI, "com.aparapi..");
  }

  ArchRule vectorApiOnlyInCpu() {
    return libraryOnlyIn("jdk.incubator.vector", ProjectModule.CPU, "jdk.incubator.vector..");
  }

  ArchRule httpServerOnlyInServing() {
    return libraryOnlyIn("The JDK's HTTP server", ProjectModule.SERVING, "com.sun.net.httpserver..");
  }

  ArchRule langchain4jOnlyInItsModule() {
    return libraryOnlyIn("LangChain4j", ProjectModule.LANGCHAIN4J, "dev.langchain4j..");
  }

  ArchRule sparkOnlyInItsModule() {
    return libraryOnlyIn("Apache Spark", ProjectModule.SPARK, "org.apache.spark..", "scala..");
  }

  /**
   * Guice, Picocli, Lucene, Aparapi, the Vector API, the JDK's HTTP server, LangChain4j and Spark
   * (with Scala), each confined to its module.
   */
  List<ArchRule> libraryConfinement() {
    return List.of(
        guiceOnlyInApps(),
        picocliOnlyInApps(),
        luceneOnlyInTokenizers(),
        aparapiOnlyInGpuAparapi(),
        vectorApiOnlyInCpu(),
        httpServerOnlyInServing(),
        langchain4jOnlyInItsModule(),
        sparkOnlyInItsModule());
  }

  /** No cycles between packages anywhere under the root. */
  SliceRule noPackageCycles() {
    return slices()
        .matching(root + ".(**)")
        .should()
        .beFreeOfCycles()
        .because(
            "a package cycle cannot be split into modules later and hides a layering mistake;"
                + " within a module it usually means an SPI and its implementation know each"
                + " other");
  }

  /** Every class lives under the root package of one of the modules of the table. */
  ArchRule everyClassBelongsToAModule() {
    String[] trees = Arrays.stream(ProjectModule.values()).map(this::tree).toArray(String[]::new);
    return classes()
        .should()
        .resideInAnyPackage(trees)
        .because(
            "module name = root package: a class outside every module's root has no owner in"
                + " ARCHITECTURE.md's table, and the rules that name modules by package would not"
                + " see it");
  }
}
