/**
 * The OpenCL compute backend (OpenCL C kernels through LWJGL): {@link
 * io.github.transformers4j.gpu.aparapi.AparapiBackendProvider} (registered as {@code aparapi}) and
 * {@link io.github.transformers4j.gpu.aparapi.AparapiBackend}.
 */
package io.github.transformers4j.gpu.aparapi;
