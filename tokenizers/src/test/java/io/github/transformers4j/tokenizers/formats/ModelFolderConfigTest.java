package io.github.transformers4j.tokenizers.formats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.transformers4j.tokenizers.AddedToken;
import io.github.transformers4j.tokenizers.formats.ModelFolderTokenizer.Family;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * How a model folder's {@code tokenizer_config.json} and {@code config.json} are read: the family
 * from every {@code tokenizer_class} Hugging Face names (with and without {@code Fast}), else from
 * {@code model_type}; and the added-token flags of {@code added_tokens_decoder} entries and {@code
 * *_token} objects, each field as transformers writes it, with its defaults when absent.
 */
class ModelFolderConfigTest {
  static JsonObject json(String s) {
    return JsonParser.parseString(s).getAsJsonObject();
  }

  static Family byClass(String cls) {
    return ModelFolderTokenizer.family(json("{\"tokenizer_class\": \"" + cls + "\"}"), null);
  }

  static Family byType(String type) {
    return ModelFolderTokenizer.family(json("{}"), json("{\"model_type\": \"" + type + "\"}"));
  }

  @Test
  void familyFromTokenizerClassElseModelType() {
    Map<Family, List<String>> classes =
        Map.of(
            Family.ROBERTA,
            List.of("RobertaTokenizer", "BartTokenizer", "LongformerTokenizer", "LEDTokenizer"),
            Family.GPT2,
            List.of("GPT2Tokenizer"),
            Family.T5,
            List.of("T5Tokenizer", "MT5Tokenizer"),
            Family.PEGASUS,
            List.of("PegasusTokenizer"),
            Family.CLIP,
            List.of("CLIPTokenizer"));
    for (Map.Entry<Family, List<String>> e : classes.entrySet()) {
      for (String c : e.getValue()) {
        assertEquals(e.getKey(), byClass(c), c);
        assertEquals(e.getKey(), byClass(c + "Fast"), c + "Fast");
      }
    }
    Map<Family, List<String>> types =
        Map.of(
            Family.ROBERTA, List.of("roberta", "bart", "longformer", "led"),
            Family.GPT2, List.of("gpt2", "opt"),
            Family.T5, List.of("t5", "mt5", "MT5"),
            Family.PEGASUS, List.of("pegasus"),
            Family.CLIP, List.of("clip", "clip_text_model"));
    for (Map.Entry<Family, List<String>> e : types.entrySet()) {
      for (String t : e.getValue()) {
        assertEquals(e.getKey(), byType(t), t);
      }
    }
    assertEquals(Family.UNKNOWN, byClass("BertTokenizer"));
    assertEquals(Family.UNKNOWN, byType("bert"));
    assertEquals(Family.UNKNOWN, ModelFolderTokenizer.family(null, null));
    // The class wins over the model type.
    assertEquals(
        Family.T5,
        ModelFolderTokenizer.family(
            json("{\"tokenizer_class\": \"T5TokenizerFast\"}"), json("{\"model_type\": \"bart\"}")));
    // An unknown class falls back to the model type.
    assertEquals(
        Family.PEGASUS,
        ModelFolderTokenizer.family(
            json("{\"tokenizer_class\": \"PreTrainedTokenizerFast\"}"),
            json("{\"model_type\": \"pegasus\"}")));
  }

  @Test
  void addedTokenFlagsAsWrittenWithTheirDefaults() throws IOException {
    JsonObject config =
        json(
            "{\"added_tokens_decoder\": {"
                + "\"0\": {\"content\": \"<s>\", \"lstrip\": false, \"normalized\": true,"
                + " \"rstrip\": true, \"single_word\": true, \"special\": false},"
                + "\"1\": {\"content\": \"<mask>\", \"lstrip\": true}},"
                + "\"mask_token\": {\"content\": \"<mask>\", \"lstrip\": false},"
                + "\"sep_token\": {\"content\": \"</s>\", \"special\": true, \"normalized\": false},"
                + "\"pad_token\": \"<pad>\"}");
    Map<String, AddedToken> flags = ModelFolderTokenizer.flags(config, Path.of("tokenizer_config.json"));
    assertEquals(List.of("<s>", "<mask>", "</s>"), List.copyOf(flags.keySet()));
    AddedToken s = flags.get("<s>");
    assertEquals(
        List.of(false, true, false, true, true),
        List.of(s.special(), s.normalized(), s.lstrip(), s.rstrip(), s.singleWord()));
    // Absent fields: special true, the others false; added_tokens_decoder comes first.
    AddedToken mask = flags.get("<mask>");
    assertEquals(
        List.of(true, false, true, false, false),
        List.of(mask.special(), mask.normalized(), mask.lstrip(), mask.rstrip(), mask.singleWord()));
    AddedToken sep = flags.get("</s>");
    assertTrue(sep.special() && !sep.normalized() && !sep.lstrip());
    assertTrue(ModelFolderTokenizer.flags(null, Path.of("x")).isEmpty());
  }
}
