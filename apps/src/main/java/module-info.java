module io.github.transformers4j.apps {
  requires io.github.transformers4j.api;
}
