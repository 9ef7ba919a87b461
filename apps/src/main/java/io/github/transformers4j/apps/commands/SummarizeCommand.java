package io.github.transformers4j.apps.commands;

import io.github.transformers4j.apps.cli.BackendChoice;
import jakarta.inject.Inject;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code t4j summarize}: Hugging Face's summarization pipeline. */
@Command(
    name = "summarize",
    mixinStandardHelpOptions = true,
    description = {
      "Summarize texts with a Hugging Face encoder-decoder folder (T5, BART, Pegasus...), one"
          + " output line per text, honouring the folder's generation_config.json and its"
          + " task_specific_params.summarization (T5's \"summarize: \" prefix, beams, lengths)."
    })
public final class SummarizeCommand extends TextToTextCommand implements Callable<Integer> {
  /** The command over the global backend choice. */
  @Inject
  public SummarizeCommand(BackendChoice choice) {
    super(choice);
  }

  @Override
  String name() {
    return "summarize";
  }

  @Override
  String task(Map<String, Object> config) {
    return "summarization";
  }

  @Override
  public Integer call() throws IOException {
    return run();
  }
}
