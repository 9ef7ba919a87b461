/** Registries of named plugins found through {@link java.util.ServiceLoader}, and backend choice. */
package io.github.transformers4j.api.registry;
