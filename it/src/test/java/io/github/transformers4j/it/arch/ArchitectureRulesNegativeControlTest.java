package io.github.transformers4j.it.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.EvaluationResult;
import io.github.transformers4j.it.archfixture.api.CleanShape;
import io.github.transformers4j.it.archfixture.api.LeakyTensorFactory;
import io.github.transformers4j.it.archfixture.apps.Wiring;
import io.github.transformers4j.it.archfixture.cpu.FakeCpuBackend;
import io.github.transformers4j.it.archfixture.langchain4j.EmbeddingAdapter;
import io.github.transformers4j.it.archfixture.models.BadLayer;
import io.github.transformers4j.it.archfixture.models.LangChainLayer;
import io.github.transformers4j.it.archfixture.stray.Orphan;
import io.github.transformers4j.it.archfixture.tokenizers.LuceneTokenizer;
import io.github.transformers4j.it.archfixture.training.BadTrainer;
import java.lang.module.ModuleDescriptor;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Shows that the rules of {@link ArchitectureTest} really fail on a violation.
 *
 * <p>{@link ArchitectureRules} builds its rules for a root package. Here the very same rules are
 * built for the fixture root {@code io.github.transformers4j.it.archfixture}, whose sub-packages
 * mirror the project's modules ({@code .api}, {@code .cpu}, {@code .models}, ...) and hold a few
 * deliberate offenders next to well-behaved classes. Each test asserts that a rule reports the
 * offender by name and leaves the well-behaved classes alone. The fixtures are test classes, so the
 * production import of {@link ArchitectureTest} never sees them.
 */
class ArchitectureRulesNegativeControlTest {
  private static final String FIXTURE_ROOT = ProjectModule.ROOT + ".it.archfixture";
  private static final ArchitectureRules RULES = new ArchitectureRules(FIXTURE_ROOT);
  private static final JavaClasses FIXTURE = new ClassFileImporter().importPackages(FIXTURE_ROOT);

  @Test
  void importsTheWholeFixture() {
    for (Class<?> c :
        List.of(
            CleanShape.class,
            LeakyTensorFactory.class,
            FakeCpuBackend.class,
            BadLayer.class,
            BadTrainer.class,
            Wiring.class,
            LuceneTokenizer.class,
            EmbeddingAdapter.class,
            LangChainLayer.class,
            Orphan.class)) {
      assertTrue(FIXTURE.contain(c), c + " missing from the fixture import");
    }
  }

  @Test
  void apiRuleReportsGuiceInTheApi() {
    EvaluationResult result =
        RULES.dependsOnlyOnWhatTheTableAllows(ProjectModule.API).evaluate(FIXTURE);
    assertReports(result, LeakyTensorFactory.class, "com.google.inject.Injector");
    assertDoesNotReport(result, CleanShape.class);
  }

  @Test
  void guiceRuleReportsGuiceOutsideApps() {
    EvaluationResult result = RULES.guiceOnlyInApps().evaluate(FIXTURE);
    assertReports(result, LeakyTensorFactory.class, "com.google.inject.Injector");
    assertDoesNotReport(result, Wiring.class);
  }

  @Test
  void backendRuleReportsAModelNamingTheCpuBackend() {
    EvaluationResult result =
        RULES.onlyAppsAndItNameTheBackend(ProjectModule.CPU).evaluate(FIXTURE);
    assertReports(result, BadLayer.class, FakeCpuBackend.class.getName());
    assertDoesNotReport(result, Wiring.class);
  }

  @Test
  void modelsRuleReportsModelsReachingIntoTrainingAndTheBackend() {
    EvaluationResult result =
        RULES.dependsOnlyOnWhatTheTableAllows(ProjectModule.MODELS).evaluate(FIXTURE);
    assertReports(result, BadLayer.class, BadTrainer.class.getName());
    assertReports(result, BadLayer.class, FakeCpuBackend.class.getName());
  }

  @Test
  void trainingMayUseModels() {
    // The allowed direction of the cycle's two edges: the table rule must not report it.
    EvaluationResult result =
        RULES.dependsOnlyOnWhatTheTableAllows(ProjectModule.TRAINING).evaluate(FIXTURE);
    assertFalse(result.hasViolation(), result.getFailureReport().toString());
  }

  @Test
  void cycleRuleReportsTheModelsTrainingCycle() {
    EvaluationResult result = RULES.noPackageCycles().evaluate(FIXTURE);
    assertReports(result, BadLayer.class, BadTrainer.class.getName());
    assertReports(result, BadTrainer.class, BadLayer.class.getName());
  }

  @Test
  void moduleRootRuleReportsAClassOutsideEveryModule() {
    EvaluationResult result = RULES.everyClassBelongsToAModule().evaluate(FIXTURE);
    assertReports(result, Orphan.class, FIXTURE_ROOT + ".stray");
    assertDoesNotReport(result, BadLayer.class);
  }

  @Test
  void luceneRuleAcceptsLuceneInTokenizers() {
    // Without a real Lucene dependency in the fixture this pass would prove nothing.
    assertTrue(
        FIXTURE.get(LuceneTokenizer.class).getDirectDependenciesFromSelf().stream()
            .map(Dependency::getTargetClass)
            .anyMatch(t -> t.getPackageName().startsWith("org.apache.lucene")),
        "the fixture tokenizer does not use Lucene");
    EvaluationResult result = RULES.luceneOnlyInTokenizers().evaluate(FIXTURE);
    assertFalse(result.hasViolation(), result.getFailureReport().toString());
  }

  @Test
  void langchain4jRuleReportsLangChain4jOutsideItsModule() {
    EvaluationResult result = RULES.langchain4jOnlyInItsModule().evaluate(FIXTURE);
    assertReports(result, LangChainLayer.class, "dev.langchain4j.data.embedding.Embedding");
    assertDoesNotReport(result, EmbeddingAdapter.class);
    // The module table says the same from the models side.
    assertReports(
        RULES.dependsOnlyOnWhatTheTableAllows(ProjectModule.MODELS).evaluate(FIXTURE),
        LangChainLayer.class,
        "dev.langchain4j.data.embedding.Embedding");
  }

  @Test
  void packageOwnershipCheckReportsStraySharedAndNestedPackages() {
    String root = ProjectModule.ROOT;
    ModuleDescriptor api =
        ModuleDescriptor.newModule(root + ".api")
            .packages(Set.of(root + ".api", root + ".util"))
            .build();
    ModuleDescriptor models =
        ModuleDescriptor.newModule(root + ".models")
            .packages(Set.of(root + ".models", root + ".util"))
            .build();
    ModuleDescriptor nested =
        ModuleDescriptor.newModule(root + ".api.extra")
            .packages(Set.of(root + ".api.extra"))
            .build();
    ModuleDescriptor foreign = ModuleDescriptor.newModule("com.example.x").build();
    List<String> problems =
        ClassPathModules.packageOwnershipProblems(root, List.of(api, models, nested, foreign));
    // "$" stands for the project root, to keep the expected messages readable.
    assertEquals(
        Stream.of(
                "module com.example.x is not named under the root package $",
                "module $.api holds package $.util, which is outside its root package $.api",
                "module root $.api.extra is nested in the root of module $.api",
                "module $.models holds package $.util, which is outside its root package $.models",
                "package $.util is in two modules: $.api and $.models")
            .map(m -> m.replace("$", root))
            .collect(Collectors.toList()),
        problems);
    // And the well-formed part alone is clean.
    assertEquals(
        List.of(),
        ClassPathModules.packageOwnershipProblems(
            root,
            List.of(
                ModuleDescriptor.newModule(root + ".api").packages(Set.of(root + ".api")).build(),
                ModuleDescriptor.newModule(root + ".models")
                    .packages(Set.of(root + ".models", root + ".models.bert"))
                    .build())));
  }

  private static void assertReports(EvaluationResult result, Class<?> offender, String detail) {
    String report = result.getFailureReport().toString();
    assertTrue(result.hasViolation(), "no violation reported");
    assertTrue(
        result.getFailureReport().getDetails().stream()
            .anyMatch(line -> line.contains(offender.getName()) && line.contains(detail)),
        () ->
            "expected a violation by "
                + offender.getName()
                + " naming "
                + detail
                + " in\n"
                + report);
  }

  private static void assertDoesNotReport(EvaluationResult result, Class<?> innocent) {
    assertFalse(
        result.getFailureReport().toString().contains(innocent.getName()),
        () -> innocent.getName() + " reported:\n" + result.getFailureReport());
  }
}
