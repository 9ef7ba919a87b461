/**
 * The Aparapi kernel classes: Java bytecode that Aparapi translates to OpenCL C. Not exported; the
 * module opens this package to {@code aparapi} only, which reads the kernels' fields reflectively
 * to pass them as kernel arguments.
 */
package io.github.transformers4j.gpu.aparapi.kernels;
