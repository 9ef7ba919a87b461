module io.github.transformers4j.gpu.aparapi {
  requires io.github.transformers4j.api;
}
