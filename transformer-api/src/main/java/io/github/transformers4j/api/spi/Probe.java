package io.github.transformers4j.api.spi;

import java.util.Objects;

/**
 * Whether a backend can run on this machine and, if not, why, in words a user can act on
 * ("no OpenCL platform found: install pocl-opencl-icd").
 *
 * @param available whether {@link BackendProvider#create} is expected to succeed
 * @param reason a one-line explanation; for an available backend, what it found
 */
public record Probe(boolean available, String reason) {
  public Probe {
    Objects.requireNonNull(reason, "reason");
  }

  /** An available backend with a description of what was found. */
  public static Probe available(String found) {
    return new Probe(true, found);
  }

  /** An unavailable backend with the reason and the fix. */
  public static Probe unavailable(String why) {
    return new Probe(false, why);
  }
}
