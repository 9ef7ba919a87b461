/**
 * Service provider interfaces: the compute backend and its provider, named plugins, and the
 * enumerations of kernel operations.
 */
package io.github.transformers4j.api.spi;
