package io.github.transformers4j.spark.ml;

import io.github.transformers4j.api.registry.Tokenizers;
import io.github.transformers4j.api.spi.TextTokenizer;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * The token ids of each text, {@code array<int>}, by the model folder's tokenizer ({@code
 * tokenizer.json}, or the vocabulary files Hugging Face's {@code AutoTokenizer} would read), with
 * the special tokens the tokenizer adds itself: what the models of the folder are fed.
 */
public final class TokenizationTransformer extends T4jTransformer<TokenizationTransformer> {
  private static final long serialVersionUID = 1L;

  public TokenizationTransformer() {
    this(Identifiable.randomUID("t4jTokenization"));
  }

  public TokenizationTransformer(String uid) {
    super(uid);
    setDefault(outputCol(), "ids");
  }

  public static MLReader<TokenizationTransformer> read() {
    return new DefaultParamsReader<>();
  }

  public static TokenizationTransformer load(String path) {
    return read().load(path);
  }

  @Override
  protected String what() {
    return "texts to tokenize";
  }


  @Override
  protected DataType outputType() {
    return DataTypes.createArrayType(DataTypes.IntegerType, false);
  }

  @Override
  protected BatchFunction batchFunction() {
    return (settings, inputs) -> {
      TextTokenizer tok =
          ModelCache.get(
              settings.key("tokenizer"),
              (ops, folder) -> {
                try {
                  return Tokenizers.installed().forName("auto").load(folder);
                } catch (IllegalArgumentException e) {
                  throw new IllegalArgumentException(
                      "modelPath " + folder + " has no tokenizer this library reads: "
                          + e.getMessage(), e);
                }
              });
      List<Integer[]> out = new ArrayList<>(inputs.size());
      for (Object text : inputs) {
        int[] ids = tok.encodeIds((String) text);
        Integer[] boxed = new Integer[ids.length];
        for (int i = 0; i < ids.length; i++) {
          boxed[i] = ids[i];
        }
        out.add(boxed);
      }
      return out;
    };
  }
}
