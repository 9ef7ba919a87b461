package io.github.transformers4j.it.archfixture.tokenizers;

import org.apache.lucene.util.BytesRef;

/** Negative-control fixture: Lucene inside tokenizers is allowed, so no rule may report it. */
public final class LuceneTokenizer {
  public BytesRef utf8(String text) {
    return new BytesRef(text);
  }
}
