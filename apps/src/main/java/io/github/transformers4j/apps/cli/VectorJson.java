package io.github.transformers4j.apps.cli;

/** How the embedding commands ({@code t4j embed}, {@code t4j clip embed}) print a vector. */
public final class VectorJson {
  private VectorJson() {}

  /** {@code [a,b,...]} with Java's shortest float text for each element. */
  public static String format(float[] v) {
    StringBuilder s = new StringBuilder(v.length * 12).append('[');
    for (int j = 0; j < v.length; j++) {
      s.append(j == 0 ? "" : ",").append(v[j]);
    }
    return s.append(']').toString();
  }
}
