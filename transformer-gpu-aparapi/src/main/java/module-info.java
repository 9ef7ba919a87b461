/**
 * The OpenCL compute backend, registered as {@code aparapi} (its name from the first version,
 * which used Aparapi; the kernels are now OpenCL C called through LWJGL, see {@code
 * AparapiBackend}).
 *
 * <p>LWJGL's jars are named modules; {@code org.lwjgl.natives} holds its native library for the
 * platform (the build ships Linux x86-64's). On JDK 22+ pass {@code
 * --enable-native-access=org.lwjgl} (or {@code ALL-UNNAMED} on the class path) to silence the
 * warning about native access.
 */
module io.github.transformers4j.gpu.aparapi {
  requires io.github.transformers4j.api;
  requires org.lwjgl;
  requires org.lwjgl.natives;
  requires org.lwjgl.opencl;

  exports io.github.transformers4j.gpu.aparapi;

  provides io.github.transformers4j.api.spi.BackendProvider with
      io.github.transformers4j.gpu.aparapi.AparapiBackendProvider;
}
