/**
 * Cross-module tests only: ArchUnit rules, the backend conformance suite and parity with reference
 * implementations. Its main source set holds nothing but this descriptor and the package javadoc.
 */
module io.github.transformers4j.it {
  requires io.github.transformers4j.apps;
  requires io.github.transformers4j.langchain4j;
}
