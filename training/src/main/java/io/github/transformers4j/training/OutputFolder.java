package io.github.transformers4j.training;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import io.github.transformers4j.api.io.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * The output-folder protocol that every command writing a model follows ({@code t4j train *},
 * {@code quickstart}, and the ones to come), so that no mistake on the command line destroys a
 * trained model and no failed start leaves a half-made folder:
 *
 * <ul>
 *   <li>a new run writes into a hidden staging folder beside the target ({@code .NAME.staging-*})
 *       and {@linkplain #commit() renames} it to the target once its first checkpoint is complete;
 *       a run that fails before that deletes the staging folder ({@link #close()});
 *   <li>{@link Mode#RESUME} writes into the target itself, and only when it holds a checkpoint of
 *       the same kind of model; the recipe checks that the model-defining options and the data's
 *       vocabulary match ({@link #requireSameConfig}) before it writes anything;
 *   <li>{@link Mode#OVERWRITE} stages as a new run and swaps the staged folder in for the old one
 *       at the first checkpoint: until then the old model is untouched. It replaces model folders
 *       only (ours of any kind, unfinished ones, Hugging Face ones), never a folder of other files;
 *   <li>{@link Mode#NEW} refuses a target that exists and is not empty, naming what it holds.
 * </ul>
 *
 * <p>Writers of single files (a tokenizer) follow the same rule through {@link #checkFile}: refused
 * when present unless overwriting, and written atomically (a temporary file beside, renamed).
 */
public final class OutputFolder implements AutoCloseable {
  /** What to do with a target that exists. */
  public enum Mode {
    /** Refuse a target that is not empty. */
    NEW,
    /** Continue from the checkpoint in the target. */
    RESUME,
    /** Replace a model folder once the new run's first checkpoint is complete. */
    OVERWRITE
  }

  /** The recipe file that names a folder's task (and its tokenizer file). */
  public static final String RECIPE = "recipe.json";

  /**
   * The lock file inside the folder being written: a second run on the folder (two {@code
   * --resume}s) fails fast instead of interleaving checkpoints and metrics. The operating system
   * releases the lock when the process ends, however it ends; the empty file stays.
   */
  public static final String LOCK = ".t4j.lock";

  private final Path target;
  private final String kind;
  private final Mode mode;
  private Path dir;
  private boolean committed;
  private boolean commitFailed;
  private java.nio.channels.FileChannel lockChannel;

  private OutputFolder(Path target, String kind, Mode mode, Path dir) {
    this.target = target;
    this.kind = kind;
    this.mode = mode;
    this.dir = dir;
    this.committed = mode == Mode.RESUME;
  }

  /** The mode of a command line's {@code --resume} and {@code --overwrite} flags. */
  public static Mode mode(boolean resume, boolean overwrite) {
    if (resume && overwrite) {
      throw new IllegalArgumentException(
          "--resume and --overwrite contradict each other: --resume continues the model in"
              + " --output, --overwrite replaces it; give one");
    }
    return resume ? Mode.RESUME : overwrite ? Mode.OVERWRITE : Mode.NEW;
  }

  /**
   * Opens {@code target} for a run writing a model of {@code kind} (the recipe's task: {@code clm},
   * {@code seq2seq}, {@code mlm}, {@code classify}, ...), checking it as {@code mode} says; nothing
   * is written yet but the empty staging folder of a new run.
   *
   * @throws IllegalArgumentException naming the folder and what it holds when the mode does not
   *     allow it
   */
  public static OutputFolder open(Path target, String kind, Mode mode) throws IOException {
    Path abs = target.toAbsolutePath().normalize();
    Contents c = inspect(abs);
    if (c.kind().equals(Contents.HUGGING_FACE) && c.checkpoint()) {
      // A fine-tuned folder: a Hugging Face folder to its readers, a run of its task here.
      c = new Contents(FineTune.TASK, c.description(), true);
    }
    String flag = "--output " + target;
    if (c.kind().equals(Contents.FILE)) {
      throw new IllegalArgumentException(
          flag + " is a file; the output of a training run is a folder");
    }
    switch (mode) {
      case RESUME -> {
        if (c.kind().equals(Contents.NONE)) {
          throw new IllegalArgumentException(
              "--resume: "
                  + target
                  + (Files.exists(abs) ? " is empty" : " does not exist")
                  + ", so there is no checkpoint to continue; drop --resume to start a new run");
        }
        if (!c.kind().equals(kind)) {
          throw new IllegalArgumentException(
              "--resume: "
                  + target
                  + " holds "
                  + c.description()
                  + ", not "
                  + describeKind(kind)
                  + "; 't4j train "
                  + (kind.equals(FineTune.TASK) ? "... --from" : kind)
                  + "' cannot continue it (use another --output, or --overwrite without --resume"
                  + " to replace it)");
        }
        if (!c.checkpoint()) {
          throw new IllegalArgumentException(
              "--resume: "
                  + target
                  + " holds no checkpoint ("
                  + c.description()
                  + "); drop --resume and add --overwrite to start again");
        }
        OutputFolder f = new OutputFolder(abs, kind, mode, abs);
        f.lock(target);
        return f;
      }
      case NEW -> {
        if (!c.kind().equals(Contents.NONE)) {
          String fix =
              c.kind().equals(Contents.OTHER)
                  ? "choose another --output, or empty the folder"
                  : c.kind().equals(kind) && c.checkpoint()
                      ? "add --resume to continue it, --overwrite to replace it, or choose"
                          + " another --output"
                      : "add --overwrite to replace it, or choose another --output";
          throw new IllegalArgumentException(
              flag + " already holds " + c.description() + "; " + fix);
        }
      }
      case OVERWRITE -> {
        if (c.kind().equals(Contents.OTHER)) {
          throw new IllegalArgumentException(
              "--overwrite replaces model folders only; "
                  + target
                  + " holds "
                  + c.description()
                  + ": choose another --output");
        }
      }
    }
    Path parent = abs.getParent();
    Files.createDirectories(parent);
    deleteAbandonedStaging(parent, "." + abs.getFileName() + ".staging-");
    Path staging = freshSibling(parent, "." + abs.getFileName() + ".staging-", true);
    OutputFolder f = new OutputFolder(abs, kind, mode, staging);
    f.lock(target); // moves into place with the folder, still held
    return f;
  }

  /**
   * Deletes the staging folders of earlier runs on this target that were killed before their
   * first checkpoint: no run holds their lock and they hold no checkpoint, so nothing in them can
   * be resumed (a staged folder with a checkpoint, left by a failed move into place, is kept).
   */
  private static void deleteAbandonedStaging(Path parent, String prefix) {
    List<Path> candidates;
    try (Stream<Path> s = Files.list(parent)) {
      candidates =
          s.filter(p -> p.getFileName().toString().startsWith(prefix))
              .filter(Files::isDirectory)
              .toList();
    } catch (IOException e) {
      return; // a leftover stays; it hides nothing from this run
    }
    for (Path p : candidates) {
      if (io.github.transformers4j.training.checkpoint.Checkpoint.exists(p.resolve("checkpoint"))) {
        continue;
      }
      Path lockFile = p.resolve(LOCK);
      try (java.nio.channels.FileChannel ch =
          java.nio.channels.FileChannel.open(lockFile, java.nio.file.StandardOpenOption.WRITE)) {
        java.nio.channels.FileLock l = ch.tryLock();
        if (l == null) {
          continue; // a run is writing it
        }
        deleteTree(p);
      } catch (java.nio.channels.OverlappingFileLockException e) {
        // held in this JVM: in use
      } catch (java.nio.file.NoSuchFileException e) {
        // no lock file: a run between creating the folder and locking it, or not ours; keep it
      } catch (IOException e) {
        // cannot tell: keep it
      }
    }
  }

  /** Takes the folder's lock, or fails naming it when another run holds it. */
  private void lock(Path shown) throws IOException {
    Path file = dir.resolve(LOCK);
    for (int attempt = 0; attempt < 3; attempt++) {
      if (lockOnce(file, shown)) {
        return;
      }
    }
    throw new IOException(
        "cannot lock " + file + ": other runs keep replacing it; is " + shown + " in use?");
  }

  /** One try: false when the lock was taken on a file that its holder deleted meanwhile. */
  private boolean lockOnce(Path file, Path shown) throws IOException {
    java.nio.channels.FileChannel ch =
        java.nio.channels.FileChannel.open(
            file,
            java.nio.file.StandardOpenOption.CREATE,
            java.nio.file.StandardOpenOption.WRITE);
    java.nio.channels.FileLock l;
    try {
      l = ch.tryLock();
    } catch (java.nio.channels.OverlappingFileLockException e) {
      l = null; // held by this process (another run in this JVM)
    } catch (IOException e) {
      ch.close();
      throw new IOException("cannot lock " + file + ": " + e.getMessage(), e);
    }
    if (l == null) {
      ch.close();
      throw new IllegalArgumentException(
          "--output "
              + shown
              + " is being written by another run (it holds the lock "
              + file
              + "); wait for that run to end, or choose another --output");
    }
    if (!Files.exists(file)) {
      ch.close(); // the previous holder deleted it at its close: lock the new file instead
      return false;
    }
    lockChannel = ch;
    return true;
  }

  /** The folder to write into now: the staging folder until {@link #commit}, then the target. */
  public Path dir() {
    return dir;
  }

  /** The folder the user named (absolute). */
  public Path target() {
    return target;
  }

  /** The task this run writes. */
  public String kind() {
    return kind;
  }

  /** Whether this run continues the checkpoint in the target. */
  public boolean resuming() {
    return mode == Mode.RESUME;
  }

  /** Whether the staged run is in place (always, when resuming). */
  public boolean committed() {
    return committed;
  }

  /**
   * Moves the staged folder into place, replacing the old model folder when overwriting; a no-op
   * once done. Called when the run's first checkpoint (or its result) is complete.
   */
  public synchronized void commit() throws IOException {
    if (committed) {
      return;
    }
    Path parent = target.getParent();
    Path old = null;
    // From here on a failure keeps the staged run (it holds a checkpoint): close() leaves it.
    commitFailed = true;
    if (Files.isDirectory(target)) {
      Contents now = inspect(target);
      if (now.kind().equals(Contents.NONE)) {
        deleteTree(target); // empty but for a released lock file
      } else if (mode == Mode.OVERWRITE && !now.kind().equals(Contents.OTHER)) {
        old = freshSibling(parent, "." + target.getFileName() + ".replaced-", false);
        Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
      } else {
        throw new IOException(
            target
                + " was filled by someone else while this run trained ("
                + now.description()
                + "); this run is in "
                + dir);
      }
    }
    try {
      Files.move(dir, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      if (old != null) {
        Files.move(old, target, StandardCopyOption.ATOMIC_MOVE);
      }
      throw new IOException(
          "cannot move the new model from " + dir + " to " + target + ": " + e.getMessage(), e);
    }
    AtomicFiles.syncDirectory(parent);
    dir = target;
    committed = true;
    commitFailed = false;
    if (old != null) {
      deleteTree(old);
    }
  }

  /**
   * Deletes the staging folder of a run that never reached its first checkpoint (but not one whose
   * move into place failed: that one holds a checkpoint, and the error said where).
   */
  @Override
  public synchronized void close() {
    if (lockChannel != null) {
      try {
        // Deleted while still held, so the folder the user sees keeps no trace of the run; a
        // run that opened the file just before fails its check in lock() and tries again.
        Files.deleteIfExists(dir.resolve(LOCK));
        lockChannel.close(); // releases the lock
      } catch (IOException e) {
        // the process's end releases it too
      }
      lockChannel = null;
    }
    if (!committed && !commitFailed) {
      try {
        deleteTree(dir);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot delete the staging folder " + dir, e);
      }
    }
  }

  /**
   * Checks, when resuming, that the model-defining values of {@code now} (a {@code config.json}
   * map) equal those in the target's {@code config.json}.
   *
   * @param options config key → the command-line option that sets it (in the error message)
   * @throws IllegalArgumentException naming the option, its value and the checkpoint's
   */
  public void requireSameConfig(Map<String, Object> now, Map<String, String> options)
      throws IOException {
    if (!resuming()) {
      return;
    }
    Map<String, Object> saved = savedConfig(target);
    for (Map.Entry<String, String> e : options.entrySet()) {
      Object was = saved.get(e.getKey());
      Object is = now.get(e.getKey());
      if (!sameValue(was, is)) {
        throw new IllegalArgumentException(
            "--resume: "
                + e.getValue()
                + " is "
                + show(is)
                + " but the checkpoint in "
                + target
                + " was trained with "
                + show(was)
                + " (config.json "
                + e.getKey()
                + "); give the same "
                + e.getValue()
                + ", or train a new model in another folder");
      }
    }
  }

  /** The trainer-state key of the training data's fingerprint ({@link #requireSameData}). */
  public static final String DATA_KEY = "data_sha256";

  private String dataFingerprint;

  /**
   * Records the fingerprint of this run's training data (see {@link #fingerprint}), which the
   * trainer stores in every checkpoint, and checks, when resuming, that it is the checkpoint's: a
   * different corpus with the same characters or vocabulary would continue silently on other data
   * (an inexact resume, or ids that mean other tokens). A checkpoint without a fingerprint (older
   * versions) is accepted as before.
   *
   * @param options the options that choose the data, for the message ("--data, --val-fraction")
   * @throws IllegalArgumentException when resuming on other data; nothing is written then
   */
  public void requireSameData(String fingerprint, String options) throws IOException {
    this.dataFingerprint = fingerprint;
    if (!resuming()) {
      return;
    }
    String saved =
        io.github.transformers4j.training.checkpoint.Checkpoint.readState(
                dir.resolve("checkpoint"))
            .extra()
            .get(DATA_KEY);
    if (saved != null && !saved.equals(fingerprint)) {
      throw new IllegalArgumentException(
          "--resume: the training data ("
              + options
              + ") is not the data the checkpoint in "
              + target
              + " was trained on (its tokens' SHA-256 "
              + saved.substring(0, Math.min(12, saved.length()))
              + "..., now "
              + fingerprint.substring(0, 12)
              + "...); resume with the same data, or train a new model in another folder");
    }
  }

  /** The fingerprint given to {@link #requireSameData}, or null. */
  public String dataFingerprint() {
    return dataFingerprint;
  }

  /**
   * The SHA-256 (hex) of token-id arrays and strings, each with its length first so that
   * different splits of the same values differ: a training data fingerprint.
   */
  public static String fingerprint(List<?> parts) {
    java.security.MessageDigest md;
    try {
      md = java.security.MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8192);
    for (Object part : parts) {
      if (part instanceof int[] ids) {
        b.putLong(ids.length);
        for (int id : ids) {
          if (b.remaining() < 4) {
            md.update(b.array(), 0, b.position());
            b.clear();
          }
          b.putInt(id);
        }
      } else {
        byte[] s = String.valueOf(part).getBytes(StandardCharsets.UTF_8);
        if (b.remaining() < 8) {
          md.update(b.array(), 0, b.position());
          b.clear();
        }
        b.putLong(-1 - (long) s.length); // a string is not an array of the same length
        md.update(b.array(), 0, b.position());
        b.clear();
        md.update(s);
      }
      if (b.remaining() < 8) {
        md.update(b.array(), 0, b.position());
        b.clear();
      }
    }
    md.update(b.array(), 0, b.position());
    return java.util.HexFormat.of().formatHex(md.digest());
  }

  /**
   * The model configuration a recipe saved in {@code dir}: {@code recipe.json}'s {@code
   * model_config} where a recipe keeps its own there (seq2seq, whose {@code config.json} is a
   * Hugging Face family's), else {@code config.json}.
   */
  @SuppressWarnings("unchecked")
  static Map<String, Object> savedConfig(Path dir) throws IOException {
    Path recipe = dir.resolve(RECIPE);
    if (Files.isRegularFile(recipe) && readJson(recipe).get("model_config") instanceof Map<?, ?> m) {
      return (Map<String, Object>) m;
    }
    return readJson(dir.resolve("config.json"));
  }

  /**
   * Checks, when resuming, that this run uses the tokenizer file the checkpoint was trained with
   * ({@code tokenizer.json} for a char vocabulary fitted on the data).
   */
  public void requireSameTokenizer(String fileName) throws IOException {
    if (!resuming()) {
      return;
    }
    Path recipe = target.resolve(RECIPE);
    Object saved = Files.exists(recipe) ? readJson(recipe).get("tokenizer") : "tokenizer.json";
    if (!fileName.equals(saved)) {
      throw new IllegalArgumentException(
          "--resume: the checkpoint in "
              + target
              + " was trained with the tokenizer "
              + saved
              + (fileName.equals("tokenizer.json")
                  ? "; give it again with --tokenizer"
                  : ", not " + fileName + "; give the same --tokenizer")
              + ", or train a new model in another folder");
    }
  }

  private static boolean sameValue(Object a, Object b) {
    if (a instanceof Number x && b instanceof Number y) {
      return Math.abs(x.doubleValue() - y.doubleValue())
          <= 1e-6 * Math.max(1, Math.abs(x.doubleValue()));
    }
    return Objects.equals(
        a == null ? null : a.toString().toLowerCase(Locale.ROOT),
        b == null ? null : b.toString().toLowerCase(Locale.ROOT));
  }

  private static String show(Object o) {
    if (o instanceof Double d && d == Math.rint(d) && !d.isInfinite()) {
      return Long.toString(d.longValue());
    }
    return String.valueOf(o);
  }

  /**
   * Checks a file output ({@code t4j tokenizer train --output}): a folder is refused, an existing
   * file only without {@code overwrite}. The writer then writes atomically (temporary file beside,
   * renamed), so a failed run leaves the old file as it was.
   */
  public static void checkFile(Path target, boolean overwrite) {
    if (Files.isDirectory(target)) {
      throw new IllegalArgumentException(
          "--output "
              + target
              + " is a folder; give the file to write, e.g. "
              + target.resolve("tokenizer.json"));
    }
    if (Files.exists(target) && !overwrite) {
      throw new IllegalArgumentException(
          "--output "
              + target
              + " already exists; add --overwrite to replace it, or choose another --output");
    }
  }

  /**
   * What a folder holds, for messages and for the checks above.
   *
   * @param kind a task name ({@code clm}, {@code seq2seq}, ...), or one of {@link #NONE}, {@link
   *     #FILE}, {@link #HUGGING_FACE}, {@link #UNFINISHED}, {@link #OTHER}
   * @param description words for a message: "a char-level GPT of 't4j train clm'", ...
   * @param checkpoint whether a training checkpoint is there
   */
  public record Contents(String kind, String description, boolean checkpoint) {
    /** Absent or empty. */
    public static final String NONE = "none";

    /** A plain file, not a folder. */
    public static final String FILE = "file";

    /** A Hugging Face model folder (config.json with weights). */
    public static final String HUGGING_FACE = "huggingface";

    /** A model folder with neither weights nor checkpoint (a run that failed early). */
    public static final String UNFINISHED = "unfinished";

    /** Files that are not a model. */
    public static final String OTHER = "other";

    /** Whether this is a model folder (of any kind, finished or not). */
    public boolean isModel() {
      return !List.of(NONE, FILE, OTHER).contains(kind);
    }
  }

  /**
   * What {@code path} holds: nothing, a file, one of our model kinds, a Hugging Face model, ....
   */
  public static Contents inspect(Path path) throws IOException {
    if (!Files.exists(path)) {
      return new Contents(Contents.NONE, "nothing", false);
    }
    if (!Files.isDirectory(path)) {
      return new Contents(Contents.FILE, "a file", false);
    }
    List<String> names = new ArrayList<>();
    try (Stream<Path> s = Files.list(path)) {
      s.map(p -> p.getFileName().toString())
          .filter(n -> !n.equals(LOCK)) // what a run leaves, not content
          .sorted()
          .forEach(names::add);
    }
    if (names.isEmpty()) {
      return new Contents(Contents.NONE, "nothing", false);
    }
    // Also the .old or complete hidden folder that a crash during a checkpoint save leaves.
    boolean checkpoint =
        io.github.transformers4j.training.checkpoint.Checkpoint.exists(path.resolve("checkpoint"));
    String task = null;
    if (names.contains(RECIPE)) {
      try {
        JsonObject o =
            new Gson().fromJson(Files.readString(path.resolve(RECIPE)), JsonObject.class);
        task = o != null && o.has("task") ? o.get("task").getAsString() : null;
      } catch (RuntimeException e) {
        task = null;
      }
    } else if (names.contains("config.json")
        && names.contains("tokenizer.json")
        && (checkpoint || names.contains("checkpoint"))) {
      task = "clm"; // t4j train clm wrote no recipe.json before this protocol
    }
    if (FineTune.TASK.equals(task)) {
      // What fine-tuning writes is a Hugging Face folder, read as one (generate, fill-mask, ...);
      // open() still treats it as a run to resume.
      String type = "";
      try {
        Object t = readJson(path.resolve("config.json")).get("model_type");
        type = t == null ? "" : " (model_type " + t + ")";
      } catch (IOException | RuntimeException e) {
        type = "";
      }
      return checkpoint
          ? new Contents(
              Contents.HUGGING_FACE,
              "a Hugging Face model" + type + " fine-tuned by 't4j train --from'",
              true)
          : new Contents(
              FineTune.TASK,
              "a fine-tuning run of 't4j train --from' with no checkpoint (a run that failed)",
              false);
    }
    if (task != null) {
      String d = describeKind(task);
      return new Contents(
          task, checkpoint ? d : d + " with no checkpoint (a run that failed)", checkpoint);
    }
    if (names.contains("config.json")) {
      if (names.contains("model.safetensors") || names.contains("model.safetensors.index.json")) {
        String type = "";
        try {
          Object t = readJson(path.resolve("config.json")).get("model_type");
          type = t == null ? "" : " (model_type " + t + ")";
        } catch (IOException | RuntimeException e) {
          type = "";
        }
        return new Contents(Contents.HUGGING_FACE, "a Hugging Face model" + type, false);
      }
      return new Contents(
          Contents.UNFINISHED, "an unfinished model folder (config.json but no weights)", false);
    }
    String shown = String.join(", ", names.subList(0, Math.min(3, names.size())));
    return new Contents(
        Contents.OTHER,
        names.size()
            + (names.size() == 1 ? " file that is not a model (" : " files that are not a model (")
            + shown
            + (names.size() > 3 ? ", ..." : "")
            + ")",
        false);
  }

  /** "a char-level GPT of 't4j train clm'" and so on. */
  public static String describeKind(String task) {
    return switch (task) {
      case "clm" -> "a char-level GPT of 't4j train clm'";
      case "seq2seq" -> "an encoder-decoder model of 't4j train seq2seq'";
      case "mlm" -> "a BERT masked LM of 't4j train mlm'";
      case "classify" -> "a BERT classifier of 't4j train classify'";
      case FineTune.TASK -> "a Hugging Face model fine-tuned by 't4j train --from'";
      default -> "a '" + task + "' model";
    };
  }

  /** Writes {@code recipe.json}: the task and the tokenizer file's name, plus {@code more}. */
  public static void writeRecipe(Path dir, String task, String tokenizer, Map<String, ?> more)
      throws IOException {
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("task", task);
    m.put("tokenizer", tokenizer);
    m.putAll(more);
    AtomicFiles.write(
        dir.resolve(RECIPE),
        new com.google.gson.GsonBuilder()
            .setPrettyPrinting()
            .create()
            .toJson(m)
            .getBytes(StandardCharsets.UTF_8));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> readJson(Path file) throws IOException {
    try {
      Map<String, Object> m = new Gson().fromJson(Files.readString(file), Map.class);
      if (m == null) {
        throw new IOException(file + ": empty, expected a JSON object");
      }
      return m;
    } catch (RuntimeException e) {
      throw new IOException(file + ": not a JSON object (" + e.getMessage() + ")", e);
    }
  }

  /**
   * A new name in {@code parent} starting with {@code prefix}, created as a folder when {@code
   * create}. Not {@code Files.createTempDirectory}: its folders are private (mode 700), and the
   * staging folder becomes the user's model folder, which should get the usual permissions.
   */
  private static Path freshSibling(Path parent, String prefix, boolean create) throws IOException {
    long stamp = System.nanoTime();
    for (int i = 0; ; i++) {
      Path p = parent.resolve(prefix + Long.toHexString(stamp + i));
      if (!create && !Files.exists(p)) {
        return p;
      }
      if (create) {
        try {
          return Files.createDirectory(p);
        } catch (java.nio.file.FileAlreadyExistsException e) {
          // taken: try the next name
        }
      }
    }
  }

  static void deleteTree(Path p) throws IOException {
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
