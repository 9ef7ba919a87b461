package io.github.transformers4j.clip.training;

import java.util.List;

/**
 * Retrieval recall@k over paired image and text embeddings (row i of each is one captioned image),
 * both L2-normalized so that the dot product is the cosine.
 *
 * <p>Captions repeat in a dataset ("a red circle" captions many images), and identical texts have
 * identical embeddings, so a retrieved item counts as right when its caption is the query's
 * caption text: image→text ranks the distinct caption texts for each image and hits when the
 * image's own text is among the top k; text→image ranks all images for each row's text and hits
 * when one of the top k images has that text as caption. Both are averaged over the rows. The rank
 * of the right item is the number of wrong candidates scoring strictly higher (ties go to the
 * query).
 */
public final class Retrieval {
  private Retrieval() {}

  /** Recall at 1 and 5 in both directions, fractions in [0, 1]. */
  public record Recall(double imageToText1, double imageToText5, double textToImage1, double textToImage5) {}

  /**
   * The recalls of {@code images} (N, P) against {@code texts} (N, P), row i of both from the same
   * row of the data whose caption is {@code captions.get(i)}.
   */
  public static Recall recall(float[][] images, float[][] texts, List<String> captions) {
    int n = images.length;
    if (texts.length != n || captions.size() != n || n == 0) {
      throw new IllegalArgumentException(
          "retrieval: " + n + " images, " + texts.length + " texts, " + captions.size() + " captions");
    }
    // Distinct caption texts, each with the embedding of its first row.
    java.util.Map<String, Integer> first = new java.util.LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      first.putIfAbsent(captions.get(i), i);
    }
    int[] distinct = first.values().stream().mapToInt(Integer::intValue).toArray();
    long i2t1 = 0;
    long i2t5 = 0;
    for (int i = 0; i < n; i++) {
      float own = dot(images[i], texts[first.get(captions.get(i))]);
      int rank = 0;
      for (int t : distinct) {
        if (!captions.get(t).equals(captions.get(i)) && dot(images[i], texts[t]) > own) {
          rank++;
        }
      }
      i2t1 += rank < 1 ? 1 : 0;
      i2t5 += rank < 5 ? 1 : 0;
    }
    long t2i1 = 0;
    long t2i5 = 0;
    float[] s = new float[n];
    for (int q = 0; q < n; q++) {
      for (int j = 0; j < n; j++) {
        s[j] = dot(texts[q], images[j]);
      }
      // The best-scoring image with the query's caption: its rank is the number of images of other
      // captions that score strictly more.
      float best = Float.NEGATIVE_INFINITY;
      for (int j = 0; j < n; j++) {
        if (captions.get(j).equals(captions.get(q))) {
          best = Math.max(best, s[j]);
        }
      }
      int rank = 0;
      for (int j = 0; j < n; j++) {
        if (!captions.get(j).equals(captions.get(q)) && s[j] > best) {
          rank++;
        }
      }
      t2i1 += rank < 1 ? 1 : 0;
      t2i5 += rank < 5 ? 1 : 0;
    }
    return new Recall((double) i2t1 / n, (double) i2t5 / n, (double) t2i1 / n, (double) t2i5 / n);
  }

  static float dot(float[] a, float[] b) {
    float s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }
}
