package io.github.transformers4j.it.tokenizers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import io.github.transformers4j.tokenizers.Encoding;
import io.github.transformers4j.tokenizers.Tokenizer;
import io.github.transformers4j.tokenizers.formats.HfTokenizerJson;
import io.github.transformers4j.tokenizers.formats.TokenizerFiles;
import io.github.transformers4j.tokenizers.trainers.Progress;
import io.github.transformers4j.tokenizers.trainers.UnigramTrainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ours against Hugging Face tokenizers itself (the Rust library through DJL), line by line on the
 * Europarl sample plus Korean text: identical ids and identical character offsets on every line,
 * for GPT-2 (the fixture tokenizer.json, loaded by both) and BERT uncased (our tokenizer.json built
 * from vocab.txt, loaded by both), for the CLIP and SentencePiece tokenizer.json we save, and for
 * the tokenizer.json of a Unigram vocabulary we train.
 */
class HuggingFaceParityTest {
  static List<String> lines;

  @TempDir static Path tmp;

  @BeforeAll
  static void corpus() throws IOException {
    lines = new ArrayList<>(Corpora.europarl());
    assertEquals(17_597, lines.size(), "Europarl sample lines");
    lines.addAll(Corpora.korean());
  }

  @Test
  void gpt2EveryLineIdenticalIdsAndOffsets() throws IOException {
    Path json = Corpora.fixture("gpt2/tokenizer.json");
    compare("gpt2", TokenizerFiles.load(json), json, lines);
  }

  @Test
  void bertUncasedEveryLineIdenticalIdsAndOffsets() throws IOException {
    Tokenizer ours = TokenizerFiles.load(Corpora.fixture("bert-base-uncased/vocab.txt"));
    Path json = tmp.resolve("bert/tokenizer.json");
    HfTokenizerJson.save(ours, json);
    compare("bert-base-uncased", ours, json, lines);
  }

  @Test
  void clipAndSentencePieceSavedJsonAgreeOnEveryLine() throws IOException {
    Tokenizer clip = TokenizerFiles.load(Corpora.fixture("clip/bpe_simple_vocab_16e6.txt.gz"));
    Path clipJson = tmp.resolve("clip/tokenizer.json");
    HfTokenizerJson.save(clip, clipJson);
    // Every 8th line keeps this test short; GPT-2 and BERT above take all of them.
    List<String> some = new ArrayList<>();
    for (int i = 0; i < lines.size(); i += 8) {
      some.add(lines.get(i));
    }
    compare("clip", clip, clipJson, some);
    Tokenizer spm = TokenizerFiles.load(Corpora.fixture("sentencepiece/test_model.model"));
    Path spmJson = tmp.resolve("spm/tokenizer.json");
    HfTokenizerJson.save(spm, spmJson);
    compare("sentencepiece", spm, spmJson, some);
  }

  @Test
  void trainedUnigramJsonIsARealHuggingFaceUnigramTokenizer() throws IOException {
    // Trained on the first 3,000 Europarl lines; compared on the 400 after them and the Korean
    // lines, whose Hangul the training never saw (fused unknowns).
    UnigramTrainer.Config config = UnigramTrainer.Config.of(2000, List.of("<s>", "</s>"));
    long t0 = System.nanoTime();
    Tokenizer ours = new UnigramTrainer(config, Progress.none()).train(lines.subList(0, 3000));
    System.out.printf("unigram: trained on 3,000 lines in %.0f ms%n", (System.nanoTime() - t0) / 1e6);
    Path json = tmp.resolve("unigram/tokenizer.json");
    HfTokenizerJson.save(ours, json);
    List<String> heldOut = new ArrayList<>(lines.subList(3000, 3400));
    heldOut.addAll(Corpora.korean());
    heldOut.add("<s>Unknown: \u4e2d\u6587 and emoji \ud83d\ude00 and the word <unk></s>");
    // The file must be what Hugging Face loads as a unigram model, not just what we wrote.
    assertTrue(Files.readString(json).contains("\"type\": \"Unigram\""));
    compare("unigram-trained", HfTokenizerJson.load(json), json, heldOut);
    compare("unigram-trained (in memory)", ours, json, heldOut);
  }

  static void compare(String name, Tokenizer ours, Path json, List<String> texts) throws IOException {
    int same = 0;
    List<String> diffs = new ArrayList<>();
    try (HuggingFaceTokenizer hf =
        HuggingFaceTokenizer.newInstance(json, Map.of("truncation", "false", "padding", "false"))) {
      // Both sides encode in batches (in parallel) to keep this test well under a minute.
      List<Encoding> oursAll = new ArrayList<>();
      List<ai.djl.huggingface.tokenizers.Encoding> theirsAll = new ArrayList<>();
      for (int from = 0; from < texts.size(); from += 1024) {
        List<String> chunk = texts.subList(from, Math.min(texts.size(), from + 1024));
        oursAll.addAll(ours.encodeBatch(chunk));
        theirsAll.addAll(Arrays.asList(hf.batchEncode(chunk, true, false)));
      }
      for (int li = 0; li < texts.size(); li++) {
        String text = texts.get(li);
        Encoding e = oursAll.get(li);
        ai.djl.huggingface.tokenizers.Encoding h = theirsAll.get(li);
        long[] hid = h.getIds();
        int[] ids = e.ids();
        boolean ok = hid.length == ids.length;
        for (int i = 0; ok && i < ids.length; i++) {
          ok = hid[i] == ids[i];
        }
        CharSpan[] spans = h.getCharTokenSpans();
        for (int i = 0; ok && i < ids.length; i++) {
          // DJL reports offsets in code points (Rust chars); ours are UTF-16 indices.
          int s = text.codePointCount(0, e.start(i));
          int en = text.codePointCount(0, e.end(i));
          ok = spans[i] == null ? (s == 0 && en == 0) : spans[i].getStart() == s && spans[i].getEnd() == en;
          if (!ok) {
            diffs.add(name + " line " + li + " token " + i + " '" + e.token(i) + "': offsets ours ("
                + s + ", " + en + ") theirs (" + spans[i].getStart() + ", " + spans[i].getEnd() + ")");
          }
        }
        if (ok) {
          same++;
        } else if (diffs.size() < 5) {
          diffs.add(name + " line " + li + ": ids ours " + first(ids) + " theirs " + first(hid)
              + "\n  text: " + text.substring(0, Math.min(200, text.length())));
        }
      }
    }
    System.out.printf("%s: %d of %d lines identical (ids and offsets) with Hugging Face tokenizers%n",
        name, same, texts.size());
    assertEquals(texts.size(), same, String.join("\n", diffs.subList(0, Math.min(5, diffs.size()))));
  }

  private static String first(int[] a) {
    return Arrays.toString(Arrays.copyOf(a, Math.min(a.length, 40)));
  }

  private static String first(long[] a) {
    return Arrays.toString(Arrays.copyOf(a, Math.min(a.length, 40)));
  }
}
