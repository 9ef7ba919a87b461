package io.github.transformers4j.tokenizers.formats;

import com.google.gson.JsonElement;
import io.github.transformers4j.tokenizers.TokenModel;
import java.math.BigDecimal;

/**
 * Strict integers from tokenizer JSON files. Gson's {@code getAsInt} turns {@code 2^40} into 0,
 * {@code 1.5} into 1 and the string {@code "7"} into 7, and fails on {@code "abc"} with a message
 * that names no field; here each of them is an error naming the field and the range expected.
 */
final class JsonNumbers {
  private JsonNumbers() {}

  /** A token id: an integral JSON number in {@code [0, TokenModel.MAX_ID)}. */
  static int tokenId(JsonElement e, String where) {
    return integer(e, where, 0, TokenModel.MAX_ID - 1);
  }

  /** An integral JSON number in {@code [min, max]}; {@code where} names it in errors. */
  static int integer(JsonElement e, String where, int min, int max) {
    if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
      throw new IllegalArgumentException(
          where + " must be a whole number in [" + min + ", " + max + "], got " + Messages.show(e));
    }
    BigDecimal d;
    try {
      d = new BigDecimal(e.getAsJsonPrimitive().getAsString());
    } catch (NumberFormatException bad) {
      throw new IllegalArgumentException(where + " is not a number: " + Messages.show(e));
    }
    if (d.signum() != 0 && d.stripTrailingZeros().scale() > 0) {
      throw new IllegalArgumentException(where + " must be a whole number, got " + Messages.show(e));
    }
    if (d.compareTo(BigDecimal.valueOf(min)) < 0 || d.compareTo(BigDecimal.valueOf(max)) > 0) {
      throw new IllegalArgumentException(
          where + " " + Messages.show(e) + " is outside [" + min + ", " + max + "]");
    }
    return d.intValueExact();
  }
}
