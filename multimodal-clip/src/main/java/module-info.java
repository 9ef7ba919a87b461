/**
 * CLIP-style text-image models: the ViT image encoder, the text encoder, the symmetric
 * contrastive objective and zero-shot classification.
 */
module io.github.transformers4j.clip {
  requires transitive io.github.transformers4j.api;
  requires transitive io.github.transformers4j.models;
  requires transitive io.github.transformers4j.training;
  // preprocessor_config.json and the datasets' JSONL
  requires com.google.gson;
  // ImageIO reads and writes images (java.awt.image holds the decoded rasters); Java2D draws the
  // synthetic dataset.
  requires java.desktop;

  exports io.github.transformers4j.clip;
  exports io.github.transformers4j.clip.data;
  exports io.github.transformers4j.clip.image;
  exports io.github.transformers4j.clip.training;

  provides io.github.transformers4j.api.spi.ArchitectureProvider with
      io.github.transformers4j.clip.ClipProvider,
      io.github.transformers4j.clip.ClipTowerProviders.Text,
      io.github.transformers4j.clip.ClipTowerProviders.Vision;
  provides io.github.transformers4j.models.embedding.TextEmbeddingProvider with
      io.github.transformers4j.clip.ClipTextEmbeddingProvider;
  provides io.github.transformers4j.training.spi.ObjectiveProvider with
      io.github.transformers4j.clip.training.ContrastiveProvider;
}
