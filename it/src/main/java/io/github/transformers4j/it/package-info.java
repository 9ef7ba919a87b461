/** Cross-module tests of Transformers4J (the tests live in the test source set). */
package io.github.transformers4j.it;
