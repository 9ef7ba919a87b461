package io.github.transformers4j.clip;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.models.nn.AbstractModule;
import io.github.transformers4j.models.nn.Parameter;
import java.util.SplittableRandom;

/**
 * The ViT patch embedding (Dosovitskiy et al. 2021, eq. 1): each non-overlapping p×p patch of the
 * image, flattened in (C, p, p) order, times a (D, C·p·p) matrix, without bias. Hugging Face stores
 * the matrix as a stride-p {@code Conv2d} kernel, {@code weight} (D, C, p, p); a convolution whose
 * stride equals its kernel is exactly this one product over the unfolded patches, so it is one
 * matmul here rather than a convolution kernel in the backend SPI.
 */
final class PatchEmbedding extends AbstractModule {
  private final Parameter weight;
  private final int patch;

  PatchEmbedding(Ops ops, int channels, int width, int patch, SplittableRandom rng, double std) {
    super(ops);
    this.patch = patch;
    this.weight = normal("weight", rng, std, width, channels, patch, patch);
  }

  /** {@code pixels} (B, C, H, W) → (B, N, D) with N = (H/p)·(W/p) patches in row-major order. */
  Tensor forward(Tensor pixels) {
    int b = pixels.shape().dim(0);
    int c = pixels.shape().dim(1);
    int gh = pixels.shape().dim(2) / patch;
    int gw = pixels.shape().dim(3) / patch;
    int d = weight.shape().dim(0);
    // (B, C, gh·p, gw·p) -> (B, C, gh, p, gw, p) -> (B, gh, gw, C, p, p) -> (B, N, C·p·p)
    Tensor x = ops.reshape(pixels, b, c, gh, patch, gw, patch);
    x = ops.permute(x, 0, 2, 4, 1, 3, 5);
    x = ops.reshape(x, b, gh * gw, c * patch * patch);
    Tensor w = ops.reshape(weight.get(), d, c * patch * patch); // (D, C, p, p) -> (D, C·p·p)
    return ops.linear(x, w, true, null); // (B, N, C·p·p) -> (B, N, D)
  }
}
