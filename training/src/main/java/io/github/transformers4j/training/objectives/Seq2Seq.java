package io.github.transformers4j.training.objectives;

import io.github.transformers4j.api.Ops;
import io.github.transformers4j.api.Tensor;
import io.github.transformers4j.training.data.Batch;
import io.github.transformers4j.training.data.IntGrid;

/**
 * Sequence-to-sequence with teacher forcing: the decoder reads the decoder start token followed by
 * the target shifted right by one and predicts the target; padded target positions are ignored;
 * optional label smoothing.
 */
public final class Seq2Seq implements Objective {
  private final int decoderStart;
  private final float labelSmoothing;

  /**
   * The objective with decoder start id {@code decoderStart} and {@code labelSmoothing} in [0, 1).
   */
  public Seq2Seq(int decoderStart, float labelSmoothing) {
    if (decoderStart < 0) {
      throw new IllegalArgumentException(
          "seq2seq: decoder start id must be >= 0, got " + decoderStart);
    }
    if (!(labelSmoothing >= 0 && labelSmoothing < 1)) {
      throw new IllegalArgumentException(
          "seq2seq: label smoothing must be in [0, 1), got " + labelSmoothing);
    }
    this.decoderStart = decoderStart;
    this.labelSmoothing = labelSmoothing;
  }

  @Override
  public String name() {
    return "seq2seq";
  }

  /** The decoder input: the start token, then {@code targets} without its last column. */
  public static IntGrid shiftRight(IntGrid targets, int start, int pad) {
    int b = targets.rows();
    int t = targets.cols();
    int[] out = new int[b * t];
    for (int r = 0; r < b; r++) {
      out[r * t] = start;
      for (int c = 1; c < t; c++) {
        int v = targets.at(r, c - 1);
        out[r * t + c] = v == Losses.IGNORE ? pad : v;
      }
    }
    return new IntGrid(b, t, out);
  }

  @Override
  public Loss loss(Ops ops, Trainable model, Batch batch, Forward pass) {
    Seq2SeqModel m = Objective.require("seq2seq", model, Seq2SeqModel.class);
    if (batch.targets() == null) {
      throw new IllegalArgumentException("seq2seq: the batch has no targets");
    }
    IntGrid tgt = batch.targets();
    IntGrid tmask = batch.targetMask();
    int[] labels = tgt.data().clone();
    IntGrid decMask = null;
    if (tmask != null) {
      for (int i = 0; i < labels.length; i++) {
        if (tmask.data()[i] == 0) {
          labels[i] = Losses.IGNORE;
        }
      }
      // The start token is always real; position c is real when target c−1 was.
      int[] dm = new int[labels.length];
      for (int r = 0; r < tgt.rows(); r++) {
        dm[r * tgt.cols()] = 1;
        for (int c = 1; c < tgt.cols(); c++) {
          dm[r * tgt.cols() + c] = tmask.at(r, c - 1);
        }
      }
      decMask = new IntGrid(tgt.rows(), tgt.cols(), dm);
    }
    IntGrid decIn = shiftRight(tgt, decoderStart, decoderStart);
    Tensor logits =
        m.forward(
            ops,
            Losses.ids(ops, batch.inputs()),
            Losses.ids(ops, batch.mask()),
            Losses.ids(ops, decIn),
            Losses.ids(ops, decMask),
            pass); // (B, T, V)
    Tensor targets = ops.ids(labels, tgt.rows(), tgt.cols());
    Tensor loss = ops.crossEntropy(logits, targets, Losses.IGNORE, labelSmoothing);
    return new Loss(loss, Losses.counted(labels), Losses.correct(logits, labels));
  }
}
