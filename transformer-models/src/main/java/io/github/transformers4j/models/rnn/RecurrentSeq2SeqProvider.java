package io.github.transformers4j.models.rnn;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.nn.Model;
import io.github.transformers4j.api.spi.ArchitectureProvider;
import java.util.Map;

/** The recurrent encoder-decoder as the architecture {@value RecurrentSeq2Seq#ARCHITECTURE}. */
public final class RecurrentSeq2SeqProvider implements ArchitectureProvider {
  @Override
  public String name() {
    return RecurrentSeq2Seq.ARCHITECTURE;
  }

  @Override
  public Model create(Ops ops, Map<String, ?> config) {
    return new RecurrentSeq2Seq(ops, RecurrentSeq2SeqConfig.fromMap(config));
  }
}
