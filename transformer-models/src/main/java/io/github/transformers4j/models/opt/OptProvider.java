package io.github.transformers4j.models.opt;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.nn.Model;
import io.github.transformers4j.api.spi.ArchitectureProvider;
import java.util.Map;

/**
 * OPT as the architecture {@code opt}: an {@link OptForCausalLM} from a Hugging Face {@code
 * config.json} map (a folder of the bare {@code OPTModel} loads into it too; the logits use the
 * tied token table).
 */
public final class OptProvider implements ArchitectureProvider {
  @Override
  public String name() {
    return OptForCausalLM.ARCHITECTURE;
  }

  @Override
  public Model create(Ops ops, Map<String, ?> config) {
    return new OptForCausalLM(ops, OptConfig.fromMap(config));
  }
}
