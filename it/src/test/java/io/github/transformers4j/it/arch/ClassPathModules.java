package io.github.transformers4j.it.arch;

import java.io.File;
import java.lang.module.FindException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The modules on the test class path: every jar, and every classes directory that holds a {@code
 * module-info.class}, read as a module.
 *
 * <p>Surefire runs the tests on the class path ({@code useModulePath=false}), where module
 * descriptors are ignored; reading them back here lets the tests check the descriptors the launcher
 * would use. In a reactor build the project modules are their {@code target/classes} directories;
 * after {@code package} they are jars. Both work.
 */
final class ClassPathModules {
  private final Map<String, ModuleReference> byName = new LinkedHashMap<>();
  private final Map<Path, String> unreadable = new LinkedHashMap<>();

  private ClassPathModules() {}

  /** Reads the class path of this JVM. */
  static ClassPathModules ofThisJvm() {
    ClassPathModules modules = new ClassPathModules();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (!entry.isEmpty()) {
        modules.add(Path.of(entry));
      }
    }
    return modules;
  }

  private void add(Path entry) {
    // A directory without a descriptor (target/test-classes) is no module; ModuleFinder would
    // instead read it as a directory *of* modules.
    boolean candidate =
        Files.isDirectory(entry)
            ? Files.isRegularFile(entry.resolve("module-info.class"))
            : Files.isRegularFile(entry) && entry.toString().endsWith(".jar");
    if (!candidate) {
      return;
    }
    try {
      for (ModuleReference ref : ModuleFinder.of(entry).findAll()) {
        // As on the class path, the first entry of a name wins.
        byName.putIfAbsent(ref.descriptor().name(), ref);
      }
    } catch (FindException e) {
      // Some test-only jars have no derivable automatic module name; they are not ours.
      unreadable.put(entry, String.valueOf(e.getMessage()));
    }
  }

  /** Every module found, by name. */
  Map<String, ModuleReference> byName() {
    return byName;
  }

  /** Class path entries that could not be read as a module, with the reason. */
  Map<Path, String> unreadable() {
    return unreadable;
  }

  /**
   * The modules with a descriptor named under {@link ProjectModule#ROOT}, by name. A project jar
   * without one (transformer-spark, named by its manifest) is an automatic module and left out.
   */
  Map<String, ModuleReference> project() {
    return byName.entrySet().stream()
        .filter(e -> e.getKey().startsWith(ProjectModule.ROOT + "."))
        .filter(e -> !e.getValue().descriptor().isAutomatic())
        .collect(
            Collectors.toMap(
                Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, LinkedHashMap::new));
  }

  /** The jar or classes directory a module was read from. */
  static Path location(ModuleReference ref) {
    return Path.of(
        ref.location()
            .orElseThrow(
                () -> new IllegalStateException(ref.descriptor().name() + " has no location")));
  }

  /**
   * What breaks "module name = root package, no package in two modules" among {@code modules}: a
   * module whose name is not under {@code root}, a package outside its module's root, a package in
   * two modules, or a module root nested in another's (which would make "the module of a package"
   * ambiguous for the package-based ArchUnit rules). Empty when all is well.
   */
  static List<String> packageOwnershipProblems(String root, Collection<ModuleDescriptor> modules) {
    List<String> problems = new ArrayList<>();
    List<ModuleDescriptor> sorted = new ArrayList<>(modules);
    sorted.sort(Comparator.comparing(ModuleDescriptor::name));
    Map<String, String> ownerOfPackage = new LinkedHashMap<>();
    for (ModuleDescriptor module : sorted) {
      String name = module.name();
      if (!name.startsWith(root + ".")) {
        problems.add("module " + name + " is not named under the root package " + root);
      }
      for (String pkg : module.packages().stream().sorted().collect(Collectors.toList())) {
        if (!isInTree(pkg, name)) {
          problems.add(
              "module "
                  + name
                  + " holds package "
                  + pkg
                  + ", which is outside its root package "
                  + name);
        }
        String other = ownerOfPackage.putIfAbsent(pkg, name);
        if (other != null) {
          problems.add("package " + pkg + " is in two modules: " + other + " and " + name);
        }
      }
      for (ModuleDescriptor outer : sorted) {
        if (outer != module && isInTree(name, outer.name())) {
          problems.add("module root " + name + " is nested in the root of module " + outer.name());
        }
      }
    }
    return problems;
  }

  /** Whether {@code pkg} is {@code root} or below it. */
  static boolean isInTree(String pkg, String root) {
    return pkg.equals(root) || pkg.startsWith(root + ".");
  }
}
