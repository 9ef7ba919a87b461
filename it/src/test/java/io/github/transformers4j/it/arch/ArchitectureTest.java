package io.github.transformers4j.it.arch;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.simpleName;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleReference;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The architecture of {@code ARCHITECTURE.md}, checked on the production classes of every module.
 *
 * <p>{@code it} depends on {@code apps}, which depends on every other module, so importing the
 * package {@code io.github.transformers4j} from the test class path sees them all. Test classes
 * (including the negative-control fixtures) are excluded.
 *
 * <p>A rule about one module's own classes is skipped, not passed, while that module has no classes
 * yet on the branch: it is evaluated, but an empty subject proves nothing.
 */
class ArchitectureTest {
  private static final ArchitectureRules RULES = new ArchitectureRules(ProjectModule.ROOT);

  // Importing the class path is the slow part; do it once for all tests.
  private static final class Production {
    static final JavaClasses CLASSES =
        new ClassFileImporter()
            .withImportOption(new ImportOption.DoNotIncludeTests())
            .withImportOption(location -> !location.matches(TEST_JAR))
            .importPackages(ProjectModule.ROOT);
  }

  /**
   * A Maven test-jar, as {@code mvn verify} puts transformer-api's conformance suite on it's class
   * path; {@code DoNotIncludeTests} only knows test output directories.
   */
  private static final Pattern TEST_JAR = Pattern.compile(".*-tests\\.jar!/.*");

  /**
   * The module's types. {@code package-info} is left out: javac emits one per documented package,
   * so every module has one even before it has code, and it would make an empty module look
   * checked.
   */
  private static JavaClasses classesOf(ProjectModule module) {
    return Production.CLASSES.that(
        resideInAPackage(RULES.tree(module)).and(not(simpleName("package-info"))));
  }

  @BeforeAll
  static void reportWhatWasImported() {
    System.out.println("[ArchitectureTest] production types (without package-info) per module:");
    for (ProjectModule module : ProjectModule.values()) {
      System.out.printf("  %-24s %4d%n", module.folder, classesOf(module).size());
    }
  }

  @Test
  void importsProductionClassesOnly() {
    // The api is the one module with classes on every branch; if it is missing, the import is
    // broken and every rule below would pass on nothing.
    assertFalse(classesOf(ProjectModule.API).isEmpty(), "no production class of transformer-api");
    // The import options must keep test classes, test-jars and the negative-control fixtures out,
    // or the fixtures' deliberate violations would fail the real rules.
    Set<String> fromTestOutput =
        Production.CLASSES.stream()
            .filter(c -> c.getSource().map(s -> isTestOutput(s.getUri())).orElse(false))
            .map(JavaClass::getName)
            .collect(Collectors.toCollection(TreeSet::new));
    assertEquals(Set.of(), fromTestOutput, "test classes leaked into the production import");
    assertFalse(Production.CLASSES.contain(ArchitectureTest.class));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(value = ProjectModule.class, mode = EnumSource.Mode.EXCLUDE, names = "IT")
  void dependsOnlyOnWhatTheTableAllows(ProjectModule module) {
    checkAbout(module, RULES.dependsOnlyOnWhatTheTableAllows(module));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(
      value = ProjectModule.class,
      names = {"CPU", "GPU_APARAPI"})
  void onlyAppsAndItNameTheBackend(ProjectModule backend) {
    // Nothing can name a backend that has no classes, so that case is reported as skipped too.
    checkAbout(backend, RULES.onlyAppsAndItNameTheBackend(backend));
  }

  @TestFactory
  Stream<DynamicTest> thirdPartyLibrariesStayInTheirModule() {
    // The subjects are all classes outside the owning module, never empty while the api has
    // classes, so these rules constrain real code on every branch.
    return RULES.libraryConfinement().stream()
        .map(
            rule ->
                DynamicTest.dynamicTest(
                    rule.getDescription(), () -> rule.check(Production.CLASSES)));
  }

  @Test
  void onlyAppsAndItNameTheReferenceBackend() {
    // The reference kernels (HostKernels) are a library every backend may use as its oracle or
    // host fallback; the reference *backend* is a concrete backend like any other.
    noClasses()
        .that()
        .resideOutsideOfPackages(
            ProjectModule.ROOT + ".api.reference..",
            RULES.tree(ProjectModule.APPS),
            RULES.tree(ProjectModule.IT))
        .should()
        .dependOnClassesThat()
        .haveFullyQualifiedName(ProjectModule.ROOT + ".api.reference.ReferenceBackend")
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName(ProjectModule.ROOT + ".api.reference.ReferenceBackendProvider")
        .because(
            "the reference backend is chosen through the registry like every backend; library code"
                + " that named it would pin the slow oracle into a model or trainer")
        .check(Production.CLASSES);
  }

  @Test
  void noPackageCycles() {
    RULES.noPackageCycles().check(Production.CLASSES);
  }

  @Test
  void everyClassBelongsToAModuleOfTheTable() {
    RULES.everyClassBelongsToAModule().check(Production.CLASSES);
  }

  @Test
  void everyClassLivesUnderTheRootPackageOfTheModuleThatHoldsIt() {
    Map<String, ModuleReference> project = ClassPathModules.ofThisJvm().project();
    classes()
        .should(liveUnderTheRootOfTheModuleThatHoldsThem(project))
        .because(
            "module name = root package: a class compiled into module cpu but placed in package"
                + " ...models would be a split package on the module path and would dodge the"
                + " package-based rules")
        .check(Production.CLASSES);
  }

  @Test
  void moduleDescriptorsNameTheirRootPackageAndShareNoPackage() {
    Map<String, ModuleReference> project = ClassPathModules.ofThisJvm().project();
    Set<String> expected =
        ProjectModule.named().stream()
            .map(ProjectModule::moduleName)
            .collect(Collectors.toCollection(TreeSet::new));
    assertEquals(expected, new TreeSet<>(project.keySet()), "project modules on the class path");
    for (ProjectModule module : ProjectModule.named()) {
      // Ties the Maven folder to the module name, so "the module of folder X" means one thing.
      Path location = ClassPathModules.location(project.get(module.moduleName()));
      assertTrue(
          comesFromFolder(location, module.folder),
          module.moduleName()
              + " was read from "
              + location
              + ", not from folder "
              + module.folder);
    }
    Set<ModuleDescriptor> descriptors =
        project.values().stream().map(ModuleReference::descriptor).collect(Collectors.toSet());
    assertEquals(
        java.util.List.of(),
        ClassPathModules.packageOwnershipProblems(ProjectModule.ROOT, descriptors));
  }

  private static boolean isTestOutput(URI uri) {
    String u = uri.toString();
    return u.contains("/test-classes/") || TEST_JAR.matcher(u).matches();
  }

  /** Whether a class file (or the jar holding it) belongs to the module of Maven folder {@code folder}. */
  private static boolean heldByFolder(Path classFileOrJar, String folder) {
    return Files.isRegularFile(classFileOrJar) && classFileOrJar.toString().endsWith(".jar")
        ? comesFromFolder(classFileOrJar, folder)
        : classFileOrJar.toAbsolutePath().toString().contains(
            "/" + folder + "/target/classes/");
  }

  private static boolean comesFromFolder(Path location, String folder) {
    // target/classes in a reactor build; <artifactId>-<version>.jar (artifactId = folder) after
    // package or from a repository.
    return Files.isDirectory(location)
        ? location.endsWith(Path.of(folder, "target", "classes"))
        : location.getFileName().toString().startsWith(folder + "-");
  }

  /** Checks {@code rule}, then reports a skip if the module it is about has no classes yet. */
  private static void checkAbout(ProjectModule module, ArchRule rule) {
    rule.check(Production.CLASSES);
    int count = classesOf(module).size();
    assumeTrue(
        count > 0,
        () ->
            module.folder
                + " has no production classes on this branch yet, so nothing was checked: "
                + rule.getDescription());
  }

  private static ArchCondition<JavaClass> liveUnderTheRootOfTheModuleThatHoldsThem(
      Map<String, ModuleReference> project) {
    return new ArchCondition<>(
        "live under the root package of the module whose jar or classes directory holds them") {
      @Override
      public void check(JavaClass javaClass, ConditionEvents events) {
        Optional<Path> file = javaClass.getSource().map(s -> classFileContainer(s.getUri()));
        Optional<String> module =
            file.flatMap(
                f ->
                    project.entrySet().stream()
                        .filter(e -> f.startsWith(ClassPathModules.location(e.getValue())))
                        .map(Map.Entry::getKey)
                        .findFirst());
        if (module.isEmpty()) {
          // A module without a descriptor is known by its folder (target/classes or its jar).
          module =
              file.flatMap(
                  f ->
                      ProjectModule.CLASS_PATH_ONLY.stream()
                          .filter(m -> heldByFolder(f, m.folder))
                          .map(ProjectModule::moduleName)
                          .findFirst());
        }
        if (module.isEmpty()) {
          events.add(
              SimpleConditionEvent.violated(
                  javaClass,
                  javaClass.getName()
                      + " was loaded from "
                      + javaClass.getSource().map(s -> s.getUri().toString()).orElse("nowhere")
                      + ", which is no project module's jar or classes directory"));
        } else if (!ClassPathModules.isInTree(javaClass.getPackageName(), module.get())) {
          events.add(
              SimpleConditionEvent.violated(
                  javaClass,
                  javaClass.getName() + " is in module " + module.get() + " but outside its root"));
        } else {
          events.add(SimpleConditionEvent.satisfied(javaClass, javaClass.getName() + " ok"));
        }
      }
    };
  }

  /** The class file's path, or for a class in a jar, the jar's path. */
  private static Path classFileContainer(URI uri) {
    if ("jar".equals(uri.getScheme())) {
      String ssp = uri.getRawSchemeSpecificPart();
      return Path.of(URI.create(ssp.substring(0, ssp.indexOf("!/"))));
    }
    return Path.of(uri);
  }
}
