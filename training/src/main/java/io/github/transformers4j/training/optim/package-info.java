/** Parameters, gradient accumulation and clipping, optimizers (AdamW, SGD) and schedules. */
package io.github.transformers4j.training.optim;
