package io.github.transformers4j.it.parity;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.file.Path;
import java.util.Map;

/** ONNX Runtime for Java running a BERT encoder's ONNX file: the reference side of the parity. */
final class OrtBert implements AutoCloseable {
  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private final OrtSession session;

  /** A session on {@code onnx} with {@code threads} intra-op threads (and one inter-op). */
  OrtBert(Path onnx, int threads) throws OrtException {
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(threads);
      options.setInterOpNumThreads(1);
      options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
      session = env.createSession(onnx.toString(), options);
    }
  }

  /**
   * {@code last_hidden_state} (B, T, C) for ids, attention mask and token types, each (B, T),
   * flattened row-major.
   */
  float[] lastHiddenState(long[][] ids, long[][] mask, long[][] types) throws OrtException {
    try (OnnxTensor i = OnnxTensor.createTensor(env, ids);
        OnnxTensor m = OnnxTensor.createTensor(env, mask);
        OnnxTensor t = OnnxTensor.createTensor(env, types);
        OrtSession.Result r =
            session.run(Map.of("input_ids", i, "attention_mask", m, "token_type_ids", t))) {
      OnnxTensor out = (OnnxTensor) r.get("last_hidden_state").orElseThrow();
      java.nio.FloatBuffer fb = out.getFloatBuffer();
      float[] a = new float[fb.remaining()];
      fb.get(a);
      return a;
    }
  }

  @Override
  public void close() throws OrtException {
    session.close();
  }
}
