module io.github.transformers4j.cpu {
  requires io.github.transformers4j.api;
  requires jdk.incubator.vector;
}
