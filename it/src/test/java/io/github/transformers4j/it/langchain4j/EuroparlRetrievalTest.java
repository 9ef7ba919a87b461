package io.github.transformers4j.it.langchain4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.langchain4j.store.embedding.EmbeddingSearchResult;
import dev.langchain4j.store.embedding.inmemory.InMemoryEmbeddingStore;
import io.github.transformers4j.it.parity.MiniLmFolder;
import io.github.transformers4j.it.tokenizers.Corpora;
import io.github.transformers4j.langchain4j.T4jEmbeddingModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retrieval through LangChain4j: English sentences of Lucene's Europarl sample embedded by {@link
 * T4jEmbeddingModel} (the real all-MiniLM-L6-v2) into LangChain4j's {@link
 * InMemoryEmbeddingStore}; a query that paraphrases one sentence, with other words, must find that
 * sentence first among all of them.
 */
class EuroparlRetrievalTest {
  /** Sentences in the store: the first this many English ones of the sample. */
  private static final int SENTENCES = 150;

  /** Each query, and the start of the sentence it paraphrases. */
  private static final Map<String, String> QUERIES =
      Map.of(
          "Having enough to eat is an essential right of every person.",
          "The right to food is a basic and fundamental human right.",
          "Experiments on patients in medicine must respect their dignity and their health.",
          "Clinical trials are a necessary step",
          "The directive on energy labels is central to reaching the EU's target of 20 % more"
              + " energy efficiency in 2020.",
          "The Energy Labelling Directive has a crucial role",
          "Norway will run out of gas, so we will depend on gas from Russia.",
          "The first of these is Russian gas",
          "We must keep fighting the smuggling of cigarettes and send an anti-fraud investigator"
              + " to China.",
          "I believe that continuing the fight against cigarette smuggling");

  @Test
  void aParaphraseFindsItsSentenceFirst(@TempDir Path tmp) throws Exception {
    List<String> sentences = englishSentences(Corpora.europarl(), SENTENCES);
    assertEquals(SENTENCES, sentences.size());
    InMemoryEmbeddingStore<TextSegment> store = new InMemoryEmbeddingStore<>();
    try (T4jEmbeddingModel model =
        T4jEmbeddingModel.builder()
            .modelFolder(MiniLmFolder.write(tmp))
            .backend("cpu")
            .batchSize(16)
            .build()) {
      List<TextSegment> segments = sentences.stream().map(TextSegment::from).toList();
      List<Embedding> embeddings = model.embedAll(segments).content();
      store.addAll(embeddings, segments);
      for (Map.Entry<String, String> q : QUERIES.entrySet()) {
        assertTrue(
            sentences.stream().anyMatch(s -> s.startsWith(q.getValue())),
            "the store lacks the sentence starting " + q.getValue());
        EmbeddingSearchResult<TextSegment> found =
            store.search(
                EmbeddingSearchRequest.builder()
                    .queryEmbedding(model.embed(q.getKey()).content())
                    .maxResults(2)
                    .build());
        List<EmbeddingMatch<TextSegment>> top = found.matches();
        System.out.printf(
            "[EuroparlRetrievalTest] %s%n  -> %.3f %s%n     (next %.3f %s)%n",
            q.getKey(),
            top.get(0).score(),
            top.get(0).embedded().text(),
            top.get(1).score(),
            top.get(1).embedded().text());
        assertTrue(
            top.get(0).embedded().text().startsWith(q.getValue()),
            () -> q.getKey() + " found " + top.get(0).embedded().text());
      }
    }
  }

  /**
   * Sentences of 8 to 40 words from the English lines of {@code lines} (title, date and body,
   * tab-separated; English when the, and, of, is and that make over 12 % of the body's words), in
   * file order, the first {@code n}.
   */
  static List<String> englishSentences(List<String> lines, int n) {
    List<String> out = new ArrayList<>();
    for (String line : lines) {
      String[] parts = line.split("\t");
      if (parts.length < 3) {
        continue;
      }
      String body = parts[2];
      int words = body.strip().split("\\s+").length;
      if (words < 50) {
        continue;
      }
      int common = 0;
      for (String w : List.of(" the ", " and ", " of ", " is ", " that ")) {
        for (int i = body.indexOf(w); i >= 0; i = body.indexOf(w, i + w.length())) {
          common++;
        }
      }
      if (common <= 0.12 * words) {
        continue;
      }
      for (String s : body.split("(?<=[.?!])\\s+")) {
        int k = s.strip().split("\\s+").length;
        if (k >= 8 && k <= 40 && s.indexOf('\uFFFD') < 0) {
          out.add(s.strip());
          if (out.size() == n) {
            return out;
          }
        }
      }
    }
    return out;
  }
}
