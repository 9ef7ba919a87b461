package io.github.transformers4j.apps.commands;

import io.github.transformers4j.apps.cli.BackendChoice;
import io.github.transformers4j.models.tasks.TaskSettings;
import jakarta.inject.Inject;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code t4j translate}: Hugging Face's translation pipeline. */
@Command(
    name = "translate",
    mixinStandardHelpOptions = true,
    description = {
      "Translate texts with a Hugging Face encoder-decoder folder (Marian, T5, BART...), one"
          + " output line per text, honouring the folder's generation_config.json and, for"
          + " multi-task checkpoints such as T5, the chosen task_specific_params entry.",
      "--task translation_en_to_de picks the entry (and T5's prefix); a folder with exactly one"
          + " translation entry uses it."
    })
public final class TranslateCommand extends TextToTextCommand implements Callable<Integer> {
  @Option(
      names = "--task",
      paramLabel = "NAME",
      description = "The task_specific_params entry, e.g. translation_en_to_de.")
  String task;

  /** The command over the global backend choice. */
  @Inject
  public TranslateCommand(BackendChoice choice) {
    super(choice);
  }

  @Override
  String name() {
    return "translate";
  }

  @Override
  String task(Map<String, Object> config) {
    List<String> known = TaskSettings.tasks(config, "translation");
    if (task != null) {
      if (!known.contains(task)) {
        throw new CommandLine.ParameterException(
            spec.commandLine(),
            "--task " + task + " is not in " + args.model + "'s task_specific_params"
                + (known.isEmpty() ? " (it has no translation entries)" : "; known: " + String.join(", ", known)));
      }
      return task;
    }
    if (known.size() > 1) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          args.model + " knows several translation tasks; pick one with --task: " + String.join(", ", known));
    }
    return known.isEmpty() ? null : known.get(0);
  }

  @Override
  public Integer call() throws IOException {
    return run();
  }
}
