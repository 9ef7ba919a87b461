/**
 * Reading model configurations: Hugging Face {@code config.json} files parsed to plain maps, and
 * {@link io.github.transformers4j.models.config.ConfigReader}, typed access to their fields with
 * errors that name the field.
 */
package io.github.transformers4j.models.config;
