/**
 * The OpenCL compute backend through Aparapi, registered as {@code aparapi}.
 *
 * <p>Aparapi's jars have no module descriptors; they are the automatic modules {@code aparapi}
 * (from {@code aparapi-3.0.2.jar}) and {@code aparapi.jni} (the natives). On JDK 22+ pass
 * {@code --enable-native-access=aparapi.jni} (or {@code ALL-UNNAMED} on the class path) to silence
 * the warning about {@code System.load}.
 */
module io.github.transformers4j.gpu.aparapi {
  requires io.github.transformers4j.api;
  requires aparapi;

  exports io.github.transformers4j.gpu.aparapi;

  // Aparapi reads and writes kernel fields reflectively to marshal kernel arguments.
  opens io.github.transformers4j.gpu.aparapi.kernels to
      aparapi;

  provides io.github.transformers4j.api.spi.BackendProvider with
      io.github.transformers4j.gpu.aparapi.AparapiBackendProvider;
}
