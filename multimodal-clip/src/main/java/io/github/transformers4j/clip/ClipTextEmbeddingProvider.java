package io.github.transformers4j.clip;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.registry.Tokenizers;
import io.github.transformers4j.models.embedding.EmbeddingOptions;
import io.github.transformers4j.models.embedding.TextEmbedding;
import io.github.transformers4j.models.embedding.TextEmbeddingProvider;
import io.github.transformers4j.models.pretrained.Pretrained;
import io.github.transformers4j.training.data.TextTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * CLIP folders ({@code model_type} {@code clip}) as text embedders: the text tower's projected
 * end-of-text features, as {@code t4j clip embed --text} and Hugging Face's {@code
 * CLIPModel.get_text_features} compute them, L2-normalized unless the options say otherwise (HF's
 * {@code text_embeds} are normalized). The pooling option does not apply: CLIP pools at the
 * end-of-text token. Texts longer than the text tower's positions are refused, naming the limit.
 */
public final class ClipTextEmbeddingProvider implements TextEmbeddingProvider {

  @Override
  public String name() {
    return "clip-text";
  }

  @Override
  public Set<String> modelTypes() {
    return Set.of(ClipConfig.MODEL_TYPE);
  }

  @Override
  public TextEmbedding load(Ops ops, Path dir, EmbeddingOptions options) throws IOException {
    TextTokenizer tok;
    try {
      tok = ClipTokenizers.adapt(Tokenizers.installed().forName("auto").load(dir));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          dir + " has no CLIP tokenizer this library reads: " + e.getMessage(), e);
    }
    ClipModel clip = Pretrained.load(ops, dir, ClipModel.class, options.precision());
    ClipEmbedder embedder = new ClipEmbedder(ops, clip, tok, null, options.batchSize());
    int max = clip.config().text().maxPositionEmbeddings();
    int width = clip.config().projectionDim();
    boolean normalize = options.normalize();
    return new TextEmbedding() {
      @Override
      public String modelType() {
        return ClipConfig.MODEL_TYPE;
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
        // The row the tower sees: start marker, the text's tokens, end marker; never cut here.
        return ClipTextInputs.encode(tok, List.of(text), Integer.MAX_VALUE, true).ids().cols();
      }

      @Override
      public float[][] embed(List<String> texts) {
        return normalize ? embedder.embedTexts(texts) : embedder.textFeatures(texts);
      }
    };
  }
}
