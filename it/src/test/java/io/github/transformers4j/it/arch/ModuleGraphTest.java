package io.github.transformers4j.it.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReader;
import java.lang.module.ModuleReference;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Boots the real module graph: the project's module descriptors, read from the test class path,
 * resolved with their dependencies into a fresh {@link ModuleLayer} over the boot layer.
 *
 * <p>Surefire runs the tests on the class path, where {@code module-info.class} is ignored; this
 * test is what checks that the descriptors resolve as they would for {@code java -p ... -m}: no
 * missing {@code requires}, no split package (all modules share one class loader, as on the
 * application module path), services bound through {@code provides}/{@code uses}.
 */
class ModuleGraphTest {
  private static final String API = ProjectModule.API.moduleName();
  private static final String BACKEND_PROVIDER = API + ".spi.BackendProvider";
  private static final String VECTOR = "jdk.incubator.vector";

  private static Map<String, ModuleReference> project;
  private static Configuration configuration;
  private static ModuleLayer layer;

  @BeforeAll
  static void bootTheModuleGraph() {
    ClassPathModules classPath = ClassPathModules.ofThisJvm();
    project = classPath.project();
    Set<String> expected =
        ProjectModule.named().stream()
            .map(ProjectModule::moduleName)
            .collect(Collectors.toCollection(TreeSet::new));
    assertEquals(expected, new TreeSet<>(project.keySet()), "project modules on the class path");

    List<Path> modulePath = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    dependencyClosure(classPath.byName(), modulePath, missing);
    if (!missing.isEmpty()) {
      fail(String.join("\n", missing));
    }
    System.out.println("[ModuleGraphTest] module path:");
    modulePath.forEach(p -> System.out.println("  " + p));

    // The boot layer is the parent, so java.* and jdk.incubator.vector (added by surefire's
    // --add-modules) come from it, as they would for a real launch.
    configuration =
        ModuleLayer.boot()
            .configuration()
            .resolveAndBind(
                ModuleFinder.of(modulePath.toArray(Path[]::new)), ModuleFinder.of(), expected);
    layer =
        ModuleLayer.boot()
            .defineModulesWithOneLoader(configuration, ClassLoader.getPlatformClassLoader());
  }

  /**
   * The project modules and, transitively, the class path modules they require, resolved by name as
   * the launcher would. Test-only jars (JUnit, ArchUnit, Surefire) stay out: as automatic modules
   * they would all be pulled into the graph once any automatic module (Guice) is.
   */
  private static void dependencyClosure(
      Map<String, ModuleReference> classPath, List<Path> modulePath, List<String> missing) {
    Deque<String> todo = new ArrayDeque<>(project.keySet());
    Map<String, String> requiredBy = new LinkedHashMap<>();
    Set<String> seen = new TreeSet<>();
    while (!todo.isEmpty()) {
      String name = todo.pop();
      if (!seen.add(name) || ModuleLayer.boot().findModule(name).isPresent()) {
        continue;
      }
      ModuleReference ref = classPath.get(name);
      if (ref == null) {
        String by = requiredBy.get(name);
        missing.add(
            ModuleFinder.ofSystem().find(name).isPresent()
                ? "JDK module "
                    + name
                    + ", required by "
                    + by
                    + ", is not in the boot layer;"
                    + " run the tests with --add-modules "
                    + name
                    + (VECTOR.equals(name) ? " (the parent pom's t4j.test.jvmArgs does)" : "")
                : "module " + name + ", required by " + by + ", is not on the test class path");
        continue;
      }
      modulePath.add(ClassPathModules.location(ref));
      for (ModuleDescriptor.Requires r : ref.descriptor().requires()) {
        // `requires static` is compile-time only; the resolver does not look for it.
        if (!r.modifiers().contains(ModuleDescriptor.Requires.Modifier.STATIC)) {
          requiredBy.putIfAbsent(r.name(), name);
          todo.add(r.name());
        }
      }
    }
  }

  @Test
  void everyProjectModuleResolvesUnderItsName() {
    for (ProjectModule module : ProjectModule.named()) {
      String name = module.moduleName();
      Module resolved =
          layer.findModule(name).orElseThrow(() -> new AssertionError(name + " not in the layer"));
      assertSame(layer, resolved.getLayer(), name + " must come from the new layer");
      assertEquals(name, resolved.getDescriptor().name());
      assertEquals(
          project.get(name).location(),
          configuration.findModule(name).orElseThrow().reference().location(),
          name + " resolved from another jar or directory than the class path's");
    }
    System.out.println("[ModuleGraphTest] resolved " + configuration.modules().size() + " modules");
  }

  @Test
  void apiRequiresOnlyJavaBase() {
    ModuleDescriptor api = layer.findModule(API).orElseThrow().getDescriptor();
    Set<String> requires =
        api.requires().stream().map(ModuleDescriptor.Requires::name).collect(Collectors.toSet());
    assertEquals(Set.of("java.base"), requires, API + " must depend on nothing but java.base");
  }

  @Test
  void projectRequiresFollowTheModuleTable() {
    // The descriptor-level twin of ArchitectureTest's package rules: a `requires` edge that the
    // table forbids fails here even before any class uses it.
    for (ProjectModule module : ProjectModule.RESTRICTED) {
      Set<String> allowed =
          module.mayDependOn.stream().map(ProjectModule::moduleName).collect(Collectors.toSet());
      Set<String> forbidden =
          layer.findModule(module.moduleName()).orElseThrow().getDescriptor().requires().stream()
              .map(ModuleDescriptor.Requires::name)
              .filter(n -> n.startsWith(ProjectModule.ROOT + ".") && !allowed.contains(n))
              .collect(Collectors.toCollection(TreeSet::new));
      assertEquals(
          Set.of(), forbidden, module.moduleName() + " requires modules the table forbids");
    }
  }

  @Test
  void apiDeclaresTheBackendProviderService() {
    assertTrue(
        layer.findModule(API).orElseThrow().getDescriptor().uses().contains(BACKEND_PROVIDER),
        API + " must declare `uses " + BACKEND_PROVIDER + "` for ServiceLoader to find backends");
  }

  @Test
  void cpuBackendReadsTheVectorApiWhenItRequiresIt() {
    Module cpu = layer.findModule(ProjectModule.CPU.moduleName()).orElseThrow();
    boolean requiresVector =
        cpu.getDescriptor().requires().stream().anyMatch(r -> r.name().equals(VECTOR));
    assumeTrue(
        requiresVector,
        cpu.getName() + " does not require " + VECTOR + " yet on this branch; nothing to check");
    Optional<Module> vector = ModuleLayer.boot().findModule(VECTOR);
    assertTrue(
        vector.isPresent(), VECTOR + " is not in the boot layer; run with --add-modules " + VECTOR);
    assertTrue(cpu.canRead(vector.get()), cpu.getName() + " cannot read " + VECTOR);
  }

  @Test
  void serviceLoaderFindsTheDeclaredBackendProviders() throws Exception {
    Map<String, String> declared = new LinkedHashMap<>(); // provider class -> module
    for (ModuleReference ref : project.values()) {
      for (ModuleDescriptor.Provides p : ref.descriptor().provides()) {
        if (p.service().equals(BACKEND_PROVIDER)) {
          p.providers().forEach(c -> declared.put(c, ref.descriptor().name()));
        }
      }
    }
    assumeFalse(
        declared.isEmpty(),
        "no project module `provides "
            + BACKEND_PROVIDER
            + "` yet on this branch (the CPU backend"
            + " will); resolution was still checked by the other tests");

    // The layer's own copy of the service type: the class-path copy is a different class.
    Class<?> service = layer.findLoader(API).loadClass(BACKEND_PROVIDER);
    Method name = service.getMethod("name");
    Map<String, String> found = new LinkedHashMap<>(); // provider class -> module
    Set<String> names = new TreeSet<>();
    for (ServiceLoader.Provider<?> provider :
        ServiceLoader.load(layer, service).stream().toList()) {
      Class<?> type = provider.type();
      assertSame(layer, type.getModule().getLayer(), type + " was not loaded from the new layer");
      found.put(type.getName(), type.getModule().getName());
      String registryName = (String) name.invoke(provider.get());
      assertTrue(names.add(registryName), "two backends are named " + registryName);
    }
    assertEquals(declared, found, "BackendProviders found by ServiceLoader over the layer");
    System.out.println("[ModuleGraphTest] backends: " + names);

    // ARCHITECTURE.md: registered twice, so class-path users and fat jars find them too.
    for (Map.Entry<String, Set<String>> e : byModule(declared).entrySet()) {
      assertEquals(
          e.getValue(),
          servicesFile(project.get(e.getKey())),
          e.getKey() + ": META-INF/services/" + BACKEND_PROVIDER + " must list its `provides`");
    }
  }

  private static Map<String, Set<String>> byModule(Map<String, String> providerToModule) {
    Map<String, Set<String>> byModule = new LinkedHashMap<>();
    providerToModule.forEach(
        (provider, module) -> byModule.computeIfAbsent(module, m -> new TreeSet<>()).add(provider));
    return byModule;
  }

  private static Set<String> servicesFile(ModuleReference ref) throws IOException {
    Set<String> providers = new TreeSet<>();
    try (ModuleReader reader = ref.open()) {
      Optional<InputStream> in = reader.open("META-INF/services/" + BACKEND_PROVIDER);
      if (in.isEmpty()) {
        return providers;
      }
      try (BufferedReader lines =
          new BufferedReader(new InputStreamReader(in.get(), StandardCharsets.UTF_8))) {
        lines
            .lines()
            .map(l -> l.replaceFirst("#.*", "").trim())
            .filter(l -> !l.isEmpty())
            .forEach(providers::add);
      }
    }
    return providers;
  }

  @Test
  void noSplitPackagesAmongTheResolvedModules() {
    // defineModulesWithOneLoader already refuses a package in two modules; this names the culprit
    // among the project modules if the layer was built from jars that hide one.
    assertFalse(project.isEmpty());
    assertEquals(
        List.of(),
        ClassPathModules.packageOwnershipProblems(
            ProjectModule.ROOT,
            project.values().stream()
                .map(ModuleReference::descriptor)
                .collect(Collectors.toList())));
  }
}
