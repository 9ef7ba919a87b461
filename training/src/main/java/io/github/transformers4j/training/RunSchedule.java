package io.github.transformers4j.training;

import io.github.transformers4j.training.checkpoint.Checkpoint;
import io.github.transformers4j.training.optim.LrSchedule;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Locale;

/**
 * The learning-rate schedule of a recipe's run: the options' cosine (warmup capped to a tenth of
 * the steps) for a new run; for a resumed run, the schedule saved in its checkpoint, so that a new
 * {@code --steps} extends or shortens the run without bending the curve mid-way, unless the user
 * asks for {@code --reschedule}. Public for the recipes of other modules (CLIP).
 */
public final class RunSchedule {
  /** The checkpoint's {@code extra} key of the schedule. */
  public static final String KEY = "lr_schedule";

  private RunSchedule() {}

  public static LrSchedule.Cosine choose(
      OutputFolder out,
      double lr,
      double minLr,
      long warmup,
      long steps,
      boolean reschedule,
      PrintStream progress)
      throws IOException {
    LrSchedule.Cosine fresh =
        LrSchedule.cosine(lr, minLr, LrSchedule.cappedWarmup(warmup, steps), steps);
    if (!out.resuming() || reschedule) {
      return fresh;
    }
    String saved = Checkpoint.readState(out.dir().resolve("checkpoint")).extra().get(KEY);
    if (saved == null) {
      // A checkpoint from before schedules were saved: the options are all there is.
      return fresh;
    }
    LrSchedule.Cosine kept = LrSchedule.Cosine.parse(saved);
    if (!kept.equals(fresh) && progress != null) {
      progress.printf(
          Locale.ROOT,
          "resume: keeping the checkpoint's schedule (peak %s, floor %s at step %d); add"
              + " --reschedule to use this command line's (peak %s, floor %s at step %d)%n",
          kept.lr(),
          kept.minLr(),
          kept.decaySteps(),
          fresh.lr(),
          fresh.minLr(),
          fresh.decaySteps());
    }
    return kept;
  }
}
