/** Compute backend. */
package io.github.transformers4j.gpu.aparapi;
