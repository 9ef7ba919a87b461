package io.github.transformers4j.clip.training;

import io.github.transformers4j.clip.ClipEmbedder;
import io.github.transformers4j.clip.ZeroShot;
import io.github.transformers4j.clip.data.CaptionedData;
import io.github.transformers4j.clip.data.CaptionedData.Captioned;
import io.github.transformers4j.clip.data.SyntheticShapes;
import io.github.transformers4j.clip.data.SyntheticShapes.Combination;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The evaluation of a CLIP model on a captioned dataset's test split: retrieval recall@1/@5 in
 * both directions ({@link Retrieval}) over every test pair, and, on a dataset of {@code t4j clip
 * synth} (which has {@link SyntheticShapes#TEST_LABELS}), zero-shot accuracy over the 18
 * color-shape classes with a prompt ensemble ({@link #TEMPLATES}, through {@link ZeroShot}),
 * separately on images of held-out combinations and of combinations seen in training.
 */
public final class ClipEvaluation {
  private ClipEvaluation() {}

  /**
   * The zero-shot prompt ensemble: each class's embedding is the renormalized mean of these
   * templates' normalized embeddings. Some are training caption templates, some are not.
   */
  public static final List<String> TEMPLATES =
      List.of("a photo of a {}.", "a {}.", "a drawing of a {}.", "a picture of a {}.", "there is a {}.");

  /**
   * Zero-shot accuracy of one group of images.
   *
   * @param correct images whose best class is their own
   * @param total images in the group (0: the group is empty, accuracy NaN)
   */
  public record Accuracy(int correct, int total) {
    /** correct / total, NaN for an empty group. */
    public double value() {
      return total == 0 ? Double.NaN : (double) correct / total;
    }
  }

  /**
   * What {@link #evaluate} measured.
   *
   * @param pairs test pairs in the retrieval
   * @param recall retrieval recalls over them
   * @param heldOut zero-shot accuracy on images of held-out combinations, or null (no labels)
   * @param seen zero-shot accuracy on images of seen combinations, or null (no labels)
   * @param heldOutColor held-out images whose predicted class has their color, or null
   * @param heldOutShape held-out images whose predicted class has their shape, or null
   * @param confusions for held-out images, "true -> predicted" counts of the mistakes
   */
  public record Result(
      int pairs,
      Retrieval.Recall recall,
      Accuracy heldOut,
      Accuracy seen,
      Accuracy heldOutColor,
      Accuracy heldOutShape,
      Map<String, Integer> confusions) {

    /** The figures as a JSON-ready map (fractions in [0, 1]). */
    public Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      if (heldOut != null) {
        m.put("zero_shot_held_out", finite(heldOut.value()));
        m.put("zero_shot_held_out_images", heldOut.total());
        m.put("zero_shot_seen", finite(seen.value()));
        m.put("zero_shot_seen_images", seen.total());
        m.put("zero_shot_held_out_color", finite(heldOutColor.value()));
        m.put("zero_shot_held_out_shape", finite(heldOutShape.value()));
      }
      m.put("image_to_text_recall@1", recall.imageToText1());
      m.put("image_to_text_recall@5", recall.imageToText5());
      m.put("text_to_image_recall@1", recall.textToImage1());
      m.put("text_to_image_recall@5", recall.textToImage5());
      m.put("test_pairs", pairs);
      return m;
    }

    private static Double finite(double v) {
      return Double.isNaN(v) ? null : v;
    }
  }

  /**
   * Evaluates {@code embedder}'s model on the test split of {@code data} (a dataset folder with
   * {@code test.csv}/{@code .tsv}/{@code .jsonl}, or a list file).
   *
   * @throws IllegalArgumentException naming the file (and row) of bad data
   */
  public static Result evaluate(ClipEmbedder embedder, Path data) throws IOException {
    Path testFile = CaptionedData.splitFile(data, "test", "--data");
    List<Captioned> rows = CaptionedData.read(testFile);
    List<Path> images = new ArrayList<>(rows.size());
    List<String> captions = new ArrayList<>(rows.size());
    for (Captioned r : rows) {
      images.add(r.image());
      captions.add(r.caption());
    }
    float[][] imageEmb;
    try {
      imageEmb = embedder.embedImages(images);
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException(testFile + ": " + e.getMessage(), e);
    }
    float[][] textEmb = embedder.embedTexts(captions);
    Retrieval.Recall recall = Retrieval.recall(imageEmb, textEmb, captions);
    Path labelsFile = Files.isDirectory(data) ? data.resolve(SyntheticShapes.TEST_LABELS) : null;
    if (labelsFile == null || !Files.isRegularFile(labelsFile)) {
      return new Result(rows.size(), recall, null, null, null, null, Map.of());
    }
    List<String> classes = new ArrayList<>();
    for (Combination c : Combination.all()) {
      classes.add(c.label());
    }
    ZeroShot zs = embedder.zeroShot(classes, TEMPLATES);
    Map<Path, Integer> index = new LinkedHashMap<>();
    for (int i = 0; i < rows.size(); i++) {
      index.put(rows.get(i).image(), i);
    }
    int colorOk = 0;
    int shapeOk = 0;
    int[] ok = new int[2];
    int[] total = new int[2];
    Map<String, Integer> confusions = new java.util.TreeMap<>();
    List<String> lines = Files.readAllLines(labelsFile, StandardCharsets.UTF_8);
    Path base = labelsFile.toAbsolutePath().getParent();
    for (int i = 1; i < lines.size(); i++) {
      if (lines.get(i).isBlank()) {
        continue;
      }
      String where = labelsFile.getFileName() + ":" + (i + 1);
      String[] f = lines.get(i).split("\t");
      if (f.length != 3 || !(f[2].equals("seen") || f[2].equals("held-out"))) {
        throw new IllegalArgumentException(
            where + ": expected filepath<TAB>label<TAB>seen|held-out, found '" + lines.get(i) + "'");
      }
      Integer row = index.get(base.resolve(f[0]).normalize());
      if (row == null) {
        throw new IllegalArgumentException(where + ": " + f[0] + " is not in " + testFile.getFileName());
      }
      Combination truthC = Combination.parse(f[1]);
      String truth = truthC.label();
      String predicted = zs.classify(imageEmb[row]).label();
      int g = f[2].equals("held-out") ? 0 : 1;
      total[g]++;
      if (g == 0) {
        Combination p = Combination.parse(predicted);
        colorOk += p.color() == truthC.color() ? 1 : 0;
        shapeOk += p.shape() == truthC.shape() ? 1 : 0;
      }
      if (predicted.equals(truth)) {
        ok[g]++;
      } else if (g == 0) {
        confusions.merge(truth + " -> " + predicted, 1, Integer::sum);
      }
    }
    return new Result(
        rows.size(),
        recall,
        new Accuracy(ok[0], total[0]),
        new Accuracy(ok[1], total[1]),
        new Accuracy(colorOk, total[0]),
        new Accuracy(shapeOk, total[0]),
        confusions);
  }
}
