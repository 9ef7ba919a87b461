/** The t4j command line. */
package io.github.transformers4j.apps;
