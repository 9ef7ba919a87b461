/**
 * What a model can be asked to do, whatever its family: continue a sequence ({@link CausalLm}),
 * map a source to a target ({@link Seq2SeqLm}), fill masked tokens ({@link MaskedLm}), classify a
 * sequence ({@link SequenceClassifier}) or each of its tokens ({@link TokenClassifier}). Each
 * family's task models implement these, so the generator, the task pipelines and the command line
 * work over any registered architecture, a plugin's included.
 */
package io.github.transformers4j.models.tasks;
