package io.github.transformers4j.training.checkpoint;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.api.io.AtomicFiles;
import io.github.transformers4j.api.io.CrashPoints;
import io.github.transformers4j.training.optim.Optimizer;
import io.github.transformers4j.training.optim.Parameter;
import io.github.transformers4j.training.optim.ParameterSet;
import io.github.transformers4j.api.io.ParserMessages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A training checkpoint: a folder holding {@code model.safetensors} (the parameters by name),
 * {@code optimizer.safetensors} (the optimizer's moments by name) and {@code trainer_state.json}
 * (step, seed, data positions, optimizer step count). Every file is written with fsync and rename;
 * the folder is written beside the old one and swapped in by renames, so a crash at any moment
 * leaves a complete checkpoint (the new one, or the old one under {@code <name>.old}).
 */
public final class Checkpoint {
  static final String MODEL = "model.safetensors";
  static final String OPTIMIZER = "optimizer.safetensors";
  static final String STATE = "trainer_state.json";
  static final String TENSORS = "tensors";

  private Checkpoint() {}

  /**
   * The training state of a checkpoint.
   *
   * @param step optimizer steps completed
   * @param seed the run seed (dropout and masking seeds derive from it, the step and the
   *     micro-batch, so they need no other state)
   * @param optimizerSteps the optimizer's bias-correction counter
   * @param train the training data position ({@link
   *     io.github.transformers4j.training.data.BatchSource#state})
   * @param tokens tokens trained on so far
   * @param extra free-form strings (model config, tokenizer, objective) for tools that load it
   */
  public record State(
      long step,
      long seed,
      long optimizerSteps,
      Map<String, Long> train,
      long tokens,
      Map<String, String> extra) {}

  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

  /** Writes a checkpoint of {@code params}, {@code optimizer} and {@code state} to {@code dir}. */
  public static void save(Path dir, ParameterSet params, Optimizer optimizer, State state)
      throws IOException {
    Path abs = dir.toAbsolutePath();
    Path parent = abs.getParent();
    Files.createDirectories(parent);
    Path tmp = Files.createTempDirectory(parent, "." + abs.getFileName() + ".");
    try {
      // Insertion order, not Map.of (whose order changes from one JVM to the next): identical runs
      // write byte-identical files.
      Map<String, String> meta = new LinkedHashMap<>();
      meta.put("step", Long.toString(state.step()));
      meta.put("format", "t4j-ckpt-1");
      Map<String, TensorFile.Entry> model = new LinkedHashMap<>();
      for (Parameter p : params) {
        Tensor v = p.get();
        model.put(p.name(), new TensorFile.Entry(v.shape().dims(), v.toFloatArray()));
      }
      TensorFile.write(tmp.resolve(MODEL), model, meta);
      Map<String, TensorFile.Entry> opt = new LinkedHashMap<>();
      optimizer
          .state()
          .forEach((k, a) -> opt.put(k, new TensorFile.Entry(new int[] {a.length}, a)));
      // The count lets a resume tell a file that lost moment tensors from one of a model whose
      // parameters did not all get a gradient yet.
      Map<String, String> optMeta = new LinkedHashMap<>(meta);
      optMeta.put(TENSORS, Integer.toString(opt.size()));
      TensorFile.write(tmp.resolve(OPTIMIZER), opt, optMeta);
      AtomicFiles.write(tmp.resolve(STATE), GSON.toJson(state).getBytes(StandardCharsets.UTF_8));
      Path old = parent.resolve(abs.getFileName() + ".old");
      // At every moment one complete checkpoint stays under abs or old: old is deleted only while
      // abs holds a complete one, so two crashes in a row never leave none.
      if (complete(abs)) {
        deleteTree(old);
        Files.move(abs, old, StandardCopyOption.ATOMIC_MOVE);
      } else {
        deleteTree(abs); // absent, or a damaged folder no resume would read; old is kept
      }
      CrashPoints.reached("checkpoint.swap"); // the crash window of issue 12, defect 2
      Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE);
      AtomicFiles.syncDirectory(parent);
      deleteTree(old);
      // Hidden folders of saves that crashed: full copies, older than the one just written.
      for (Path stale : hidden(abs)) {
        deleteTree(stale);
      }
    } finally {
      deleteTree(tmp);
    }
  }

  /** Whether {@code d} holds the three files of a checkpoint (the state is written last). */
  private static boolean complete(Path d) {
    return Files.isRegularFile(d.resolve(STATE))
        && Files.isRegularFile(d.resolve(MODEL))
        && Files.isRegularFile(d.resolve(OPTIMIZER));
  }

  /** The hidden temporary folders of saves of {@code abs} ({@code .checkpoint.<n>}). */
  private static java.util.List<Path> hidden(Path abs) throws IOException {
    String prefix = "." + abs.getFileName() + ".";
    try (Stream<Path> s = Files.list(abs.getParent())) {
      return s.filter(p -> p.getFileName().toString().startsWith(prefix))
          .filter(Files::isDirectory)
          .sorted()
          .toList();
    }
  }

  /** The step of a complete checkpoint folder, or -1 when it is not one. */
  private static long stepOf(Path d) {
    if (!complete(d)) {
      return -1;
    }
    try {
      State s = GSON.fromJson(Files.readString(d.resolve(STATE), StandardCharsets.UTF_8), State.class);
      return s == null ? -1 : s.step();
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /**
   * Whether {@code dir}, or after a crash mid-save its {@code .old} sibling or a complete hidden
   * temporary folder, holds a checkpoint.
   */
  public static boolean exists(Path dir) {
    return Files.isRegularFile(resolve(dir).resolve(STATE));
  }

  /**
   * The folder to read the checkpoint of {@code dir} from: the newest complete one of {@code dir},
   * its {@code .old} sibling and the hidden temporary folders that a crash during a save leaves
   * (a complete one holds a newer step than the swap it did not finish); {@code dir} on a tie or
   * when none is complete.
   */
  private static Path resolve(Path dir) {
    Path abs = dir.toAbsolutePath();
    if (abs.getParent() == null || !Files.isDirectory(abs.getParent())) {
      return abs;
    }
    Path best = abs;
    long bestStep = stepOf(abs);
    java.util.List<Path> others = new java.util.ArrayList<>();
    others.add(abs.resolveSibling(abs.getFileName() + ".old"));
    try {
      others.addAll(hidden(abs));
    } catch (IOException e) {
      // an unreadable parent: only abs and old are considered
    }
    for (Path p : others) {
      long st = stepOf(p);
      if (st > bestStep) {
        best = p;
        bestStep = st;
      }
    }
    return best;
  }

  /** Why {@code dir} holds no checkpoint, naming the path that is wrong. */
  public static String missing(Path dir) {
    Path abs = dir.toAbsolutePath();
    if (Files.isRegularFile(abs)) {
      return abs + " is a file, not a checkpoint folder";
    }
    if (!Files.exists(abs)) {
      return abs + " does not exist";
    }
    Path state = abs.resolve(STATE);
    if (Files.isDirectory(state)) {
      return state + " is a folder, not a file";
    }
    return state + " is missing";
  }

  /** Reads only the state of the checkpoint in {@code dir}. */
  public static State readState(Path dir) throws IOException {
    Path f = resolve(dir).resolve(STATE);
    if (!Files.isRegularFile(f)) {
      throw new IOException("no checkpoint in " + dir + " (" + missing(dir) + ")");
    }
    State s;
    try {
      s = GSON.fromJson(Files.readString(f, StandardCharsets.UTF_8), State.class);
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new IOException(f + ": not a trainer state: not UTF-8 text", e);
    } catch (RuntimeException e) {
      throw new IOException(f + ": not a trainer state: " + ParserMessages.problem(e, 150), e);
    }
    if (s == null || s.train() == null) {
      throw new IOException(
          f + ": not a trainer state (expected a JSON object with step, seed, train, ...)");
    }
    if (s.step() < 0 || s.optimizerSteps() < 0 || (s.step() > 0 && s.optimizerSteps() == 0)) {
      // Bias correction at step 0 divides by zero; a negative count gives NaN steps later.
      throw new IOException(
          f
              + ": optimizerSteps is "
              + s.optimizerSteps()
              + " at step "
              + s.step()
              + "; expected at least 1 once a step was taken (a damaged trainer state: an exact"
              + " resume is not possible from it)");
    }
    return s;
  }

  /**
   * Reads the parameters of the checkpoint in {@code dir} into {@code params} (every parameter must
   * be present with its shape), for inference or fine-tuning.
   */
  public static State loadModel(Path dir, ParameterSet params) throws IOException {
    State s = readState(dir);
    Path d = resolve(dir);
    TensorFile.Contents model = TensorFile.read(d.resolve(MODEL));
    checkStep(d.resolve(MODEL), model, s.step());
    for (Parameter p : params) {
      TensorFile.Entry e = model.tensors().get(p.name());
      if (e == null) {
        throw new IOException(d.resolve(MODEL) + ": no tensor '" + p.name() + "'");
      }
      if (!java.util.Arrays.equals(e.shape(), p.get().shape().dims())) {
        throw new IOException(
            d.resolve(MODEL)
                + ": tensor '"
                + p.name()
                + "' has shape "
                + java.util.Arrays.toString(e.shape())
                + " but the model expects "
                + p.get().shape());
      }
      requireFinite(d.resolve(MODEL), p.name(), e.data());
      p.set(p.get().backend().fromHost(e.data(), p.get().shape()));
    }
    return s;
  }

  /**
   * Fails naming the file, tensor and element when {@code data} holds a NaN or an infinity: a
   * damaged or diverged checkpoint would otherwise generate one token forever, or resume into
   * "loss is NaN" blamed on training.
   */
  private static void requireFinite(Path file, String tensor, float[] data) throws IOException {
    for (int i = 0; i < data.length; i++) {
      if (!Float.isFinite(data[i])) {
        throw new IOException(
            file
                + ": tensor '"
                + tensor
                + "' holds "
                + data[i]
                + " at element "
                + i
                + " (a damaged or diverged checkpoint; resume from an earlier copy or train again)");
      }
    }
  }

  /** Restores parameters and optimizer state from {@code dir}; returns the trainer state. */
  public static State load(Path dir, ParameterSet params, Optimizer optimizer) throws IOException {
    State s = loadModel(dir, params);
    Path f = resolve(dir).resolve(OPTIMIZER);
    TensorFile.Contents opt = TensorFile.read(f);
    checkStep(f, opt, s.step());
    String count = opt.metadata().get(TENSORS);
    if (count != null && !count.equals(Integer.toString(opt.tensors().size()))) {
      throw new IOException(
          f
              + ": holds "
              + opt.tensors().size()
              + " moment tensors but was written with "
              + count
              + " (an exact resume needs them all)");
    }
    Map<String, float[]> state = new LinkedHashMap<>();
    for (Map.Entry<String, TensorFile.Entry> e : opt.tensors().entrySet()) {
      requireFinite(f, e.getKey(), e.getValue().data());
      state.put(e.getKey(), e.getValue().data());
    }
    try {
      optimizer.restore(state, s.optimizerSteps(), params);
    } catch (IllegalArgumentException e) {
      throw new IOException(f + ": " + e.getMessage(), e);
    }
    return s;
  }

  private static void checkStep(Path f, TensorFile.Contents c, long step) throws IOException {
    String st = c.metadata().get("step");
    if (!Long.toString(step).equals(st)) {
      throw new IOException(
          f
              + ": written at step "
              + st
              + " but "
              + STATE
              + " says step "
              + step
              + " (mixed checkpoint files)");
    }
  }

  private static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(q);
      }
    }
  }
}
