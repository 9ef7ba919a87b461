package io.github.transformers4j.api.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.transformers4j.api.reference.ReferenceBackend;
import io.github.transformers4j.api.spi.BackendOptions;
import io.github.transformers4j.api.spi.BackendProvider;
import io.github.transformers4j.api.ComputeBackend;
import io.github.transformers4j.api.spi.Probe;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BackendsTest {

  private static BackendProvider fake(String name, int priority, boolean available) {
    return new BackendProvider() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public int priority() {
        return priority;
      }

      @Override
      public Probe probe() {
        return available ? Probe.available("ok") : Probe.unavailable(name + " needs a device");
      }

      @Override
      public Set<String> options() {
        return Set.of("threads");
      }

      @Override
      public ComputeBackend create(BackendOptions options) {
        options.requireOnly(name, options());
        return new ReferenceBackend();
      }
    };
  }

  private final BackendProvider fast = fake("fast", 100, true);
  private final BackendProvider gpu = fake("gpu", 200, false);
  private final BackendProvider slow = fake("slow", 0, true);
  private final Backends backends = new Backends(NamedRegistry.of("backend", List.of(fast, gpu, slow)));

  @AfterEach
  void clearProperty() {
    System.clearProperty(Backends.PROPERTY);
  }

  @Test
  void unknownNameListsTheKnownOnes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> backends.provider("tpu"));
    assertEquals("unknown backend 'tpu'; available: fast, gpu, slow", e.getMessage());
  }

  @Test
  void aLongUnknownNameIsCutInTheMessage() {
    String name = "t" + "q".repeat(200);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> backends.provider(name));
    assertEquals(
        "unknown backend '" + name.substring(0, 40) + "…'; available: fast, gpu, slow",
        e.getMessage());
  }

  @Test
  void bestAvailableWinsWhenNothingIsNamed() {
    assertSame(fast, backends.choose(null));
  }

  @Test
  void explicitNameWinsAndAnUnavailableOneFailsWithTheReason() {
    assertSame(slow, backends.choose("slow"));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> backends.choose("gpu"));
    assertTrue(e.getMessage().contains("gpu needs a device"), e.getMessage());
  }

  @Test
  void propertyIsHonouredAndAnUnavailableOneFallsBack() {
    System.setProperty(Backends.PROPERTY, "slow");
    assertSame(slow, backends.choose(null));
    assertSame(fast, backends.choose("fast"), "an explicit name beats the property");
    System.setProperty(Backends.PROPERTY, "gpu");
    assertSame(fast, backends.choose(null), "falls back to the best available");
    System.setProperty(Backends.PROPERTY, "nope");
    assertThrows(IllegalArgumentException.class, () -> backends.choose(null));
  }

  @Test
  void firstRegistrationWinsAndInvalidNamesAreSkipped() {
    BackendProvider dup = fake("fast", 5, true);
    BackendProvider bad = fake("Bad Name", 5, true);
    NamedRegistry<BackendProvider> r = NamedRegistry.of("backend", List.of(fast, dup, bad));
    assertSame(fast, r.forName("fast"));
    assertEquals(Set.of("fast"), r.names());
    assertEquals(2, r.problems().size(), r.problems().toString());
  }

  @Test
  void unknownOptionsAreRejected() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> fast.create(BackendOptions.of(Map.of("thread", "2"))));
    assertEquals("backend 'fast': unknown options [thread]; accepted: [threads]", e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> BackendOptions.none().with("threads", "zero").getPositiveInt("threads", 1));
    assertTrue(e.getMessage().contains("'threads'"), e.getMessage());
  }

  @Test
  void noBackendAtAllExplainsWhy() {
    Backends none = new Backends(NamedRegistry.of("backend", List.of(gpu)));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> none.choose(null));
    assertTrue(e.getMessage().contains("gpu needs a device"), e.getMessage());
  }

  @Test
  void serviceLoaderFindsTheReferenceBackend() {
    assertTrue(Backends.installed().registry().contains("reference"));
  }
}
