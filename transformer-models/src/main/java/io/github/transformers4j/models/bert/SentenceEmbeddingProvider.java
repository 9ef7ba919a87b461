package io.github.transformers4j.models.bert;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.registry.Tokenizers;
import io.github.transformers4j.api.spi.TextTokenizer;
import io.github.transformers4j.models.embedding.EmbeddingOptions;
import io.github.transformers4j.models.embedding.TextEmbedding;
import io.github.transformers4j.models.embedding.TextEmbeddingProvider;
import io.github.transformers4j.models.pretrained.Pretrained;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * BERT-family folders ({@code bert}, {@code roberta}, {@code electra}) as sentence embedders, as
 * {@code t4j embed} builds them: the folder's tokenizer, the encoder, mean or {@code [CLS]} pooling
 * ({@link SentenceEmbedder}).
 */
public final class SentenceEmbeddingProvider implements TextEmbeddingProvider {

  @Override
  public String name() {
    return "bert-sentence";
  }

  @Override
  public Set<String> modelTypes() {
    return Set.of("bert", "roberta", "electra");
  }

  @Override
  public TextEmbedding load(Ops ops, Path dir, EmbeddingOptions options) throws IOException {
    TextTokenizer tok;
    try {
      tok = Tokenizers.installed().forName("auto").load(dir);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(dir + " has no tokenizer this library reads: " + e.getMessage(), e);
    }
    BertModel bert = Pretrained.load(ops, dir, BertModel.class, options.precision());
    bert.train(false, 0);
    SentenceEmbedder embedder =
        new SentenceEmbedder(
            ops,
            bert,
            tok,
            "cls".equals(options.pooling()) ? SentenceEmbedder.Pool.CLS : SentenceEmbedder.Pool.MEAN,
            options.normalize(),
            options.batchSize());
    int max = maxTokens(bert.config());
    int width = bert.config().hiddenSize();
    String type = bert.config().modelType();
    return new TextEmbedding() {
      @Override
      public String modelType() {
        return type;
      }

      @Override
      public int dimensions() {
        return width;
      }

      @Override
      public int maxTokens() {
        return max;
      }

      @Override
      public int countTokens(String text) {
        return embedder.tokenCount(text);
      }

      @Override
      public float[][] embed(List<String> texts) {
        for (int i = 0; i < texts.size(); i++) {
          int n = embedder.tokenCount(texts.get(i));
          if (n > max) {
            throw new IllegalArgumentException(
                "text " + i + " has " + n + " tokens but the model takes at most " + max);
          }
        }
        return embedder.embed(texts);
      }
    };
  }

  /** The most tokens a text may have: the positions (RoBERTa's start at pad + 1). */
  static int maxTokens(BertConfig config) {
    int max = config.maxPositionEmbeddings();
    return "roberta".equals(config.modelType()) ? max - config.padTokenId() - 1 : max;
  }
}
