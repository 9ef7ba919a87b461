/** File utilities every module shares: atomic replacement of files that matter. */
package io.github.transformers4j.api.io;
