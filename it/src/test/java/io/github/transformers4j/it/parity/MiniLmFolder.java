package io.github.transformers4j.it.parity;

import io.github.transformers4j.api.DType;
import io.github.transformers4j.models.weights.OnnxWeights;
import io.github.transformers4j.models.weights.SafeTensors;
import io.github.transformers4j.models.weights.TensorData;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * all-MiniLM-L6-v2 as a Hugging Face model folder, made from the langchain4j jar: its {@code
 * config.json} (a test resource), its {@code tokenizer.json}, and its ONNX initializers rewritten
 * as {@code model.safetensors}, so that {@code Pretrained} and {@code t4j embed} load it.
 */
public final class MiniLmFolder {
  private MiniLmFolder() {}

  /** Writes the folder into {@code dir} (which must exist) and returns it. */
  public static Path write(Path dir) throws IOException {
    BertModelFiles m = BertModelFiles.MINILM;
    copy(m.configResource, dir.resolve("config.json"));
    copy(m.tokenizerResource, dir.resolve("tokenizer.json"));
    Map<String, TensorData> tensors = new LinkedHashMap<>();
    try (OnnxWeights w = OnnxWeights.open(m.onnxFile())) {
      for (String name : w.names()) {
        tensors.put(name, new TensorData(w.shape(name), w.floats(name)));
      }
    }
    SafeTensors.write(dir.resolve("model.safetensors"), tensors, DType.F32);
    return dir;
  }

  private static void copy(String resource, Path to) throws IOException {
    try (InputStream in = MiniLmFolder.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("class-path resource " + resource + " not found");
      }
      Files.copy(in, to);
    }
  }
}
