#!/usr/bin/env python3
"""Writes the seed corpora of the Jazzer reader fuzz targets (issue 12).

Each corpus is where Jazzer's JUnit integration looks for it: the test resource folder
<module>/src/test/resources/<package>/<TestClass>Inputs/<method>/ (TARGETS below). Jazzer runs
every file there as a regression input in the normal build and starts fuzzing from them; its
findings (crash-<sha1> files) land in the same folders and stay there as regression inputs.

Small on purpose: a mutation of a small valid file reaches every field of the format. Each target
also has the inputs that once broke a reader (regression seeds). Run from anywhere:
    python3 testdata/fuzz/make_seeds.py
Standard library only; the output is deterministic. Seeds copied from a fixture (config.json of
every family, SentencePiece's test model, a CLIP image) are written by copy_fixtures().
"""
import json
import os
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PKG = "src/test/resources/io/github/transformers4j"

# target -> (module, package below io.github.transformers4j, test class, fuzz test method)
TARGETS = {
    "safetensors": ("transformer-models", "models/weights", "SafeTensorsFuzzTest", "safetensors"),
    "sharded-index": ("transformer-models", "models/weights", "SafeTensorsFuzzTest", "shardedIndex"),
    "shards": ("transformer-models", "models/weights", None, "shards"),
    "onnx": ("transformer-models", "models/weights", "OnnxFuzzTest", "onnx"),
    "config": ("transformer-models", "models/config", "ConfigFuzzTest", "config"),
    "sentencepiece": ("tokenizers", "tokenizers", "ReaderFuzzTest", "sentencePiece"),
    "tokenizer-json": ("tokenizers", "tokenizers", "ReaderFuzzTest", "tokenizerJson"),
    "vocab-merges": ("tokenizers", "tokenizers", "ReaderFuzzTest", "vocabJsonMergesTxt"),
    "encoder-bpe": ("tokenizers", "tokenizers", "ReaderFuzzTest", "encoderJsonVocabBpe"),
    "vocab-txt": ("tokenizers", "tokenizers", "ReaderFuzzTest", "vocabTxt"),
    "trainer-state": ("training", "training", "CheckpointFuzzTest", "trainerState"),
    "optimizer-file": ("training", "training", "CheckpointFuzzTest", "optimizerFile"),
    "metrics-jsonl": ("training", "training", "CheckpointFuzzTest", "metricsJsonl"),
    "image-file": ("multimodal-clip", "clip/image", "ImageFuzzTest", "imageFile"),
    "preprocessor-config": ("multimodal-clip", "clip/image", "ImageFuzzTest", "preprocessorConfig"),
}


def target_dir(target):
    module, package, cls, method = TARGETS[target]
    sub = method if cls is None else cls + "Inputs/" + method
    return os.path.join(ROOT, module, PKG, package, sub)


def varint(v):
    out = bytearray()
    v &= (1 << 64) - 1
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def key(field, wire):
    return varint(field << 3 | wire)


def length_delimited(field, payload):
    return key(field, 2) + varint(len(payload)) + payload


def write(target, name, data):
    d = target_dir(target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8"))


def sentencepiece():
    # ModelProto: pieces (1), trainer_spec (2), normalizer_spec (3); a Unigram model.
    pieces = [("<unk>", 0.0, 2), ("<s>", 0.0, 3), ("</s>", 0.0, 3), ("\u2581", -1.0, 1),
              ("a", -2.0, 1), ("b", -2.5, 1), ("\u2581ab", -1.5, 1), ("<0x41>", -9.0, 6)]
    body = b""
    for text, score, typ in pieces:
        p = length_delimited(1, text.encode("utf-8")) + key(2, 5) + struct.pack("<f", score)
        p += key(3, 0) + varint(typ)
        body += length_delimited(1, p)
    trainer = key(3, 0) + varint(1) + key(35, 0) + varint(1)
    body += length_delimited(2, trainer)
    normalizer = (length_delimited(1, b"identity") + key(3, 0) + varint(1) + key(4, 0) + varint(1)
                  + key(5, 0) + varint(1))
    body += length_delimited(3, normalizer)
    write("sentencepiece", "tiny.model", body)
    # Regression: lengths near 2^63 made the reader walk backwards (issue 12, defect 1).
    write("sentencepiece", "hang-key-7a.model", bytes.fromhex("7af6ffffffffffffff7f"))
    write("sentencepiece", "hang-key-12.model", bytes.fromhex("12f6ffffffffffffff7f"))
    write("sentencepiece", "hang-appended.model", body + bytes.fromhex("7af6ffffffffffffff7f"))
    write("sentencepiece", "key-beyond-int.model", bytes.fromhex("8a8080801000"))


def tokenizer_json():
    base = {"version": "1.0", "truncation": None, "padding": None, "added_tokens": [
        {"id": 0, "content": "<unk>", "single_word": False, "lstrip": False, "rstrip": False,
         "normalized": False, "special": True}],
        "normalizer": {"type": "Lowercase"}, "pre_tokenizer": {"type": "Whitespace"},
        "post_processor": None, "decoder": None}
    wordlevel = dict(base, model={"type": "WordLevel", "vocab": {"<unk>": 0, "hi": 1, "there": 2},
                                  "unk_token": "<unk>"})
    bpe = dict(base, model={"type": "BPE", "vocab": {"<unk>": 0, "a": 1, "b": 2, "ab": 3, "abb": 4},
                            "merges": ["a b", ["ab", "b"]], "unk_token": "<unk>"},
               decoder={"type": "BPEDecoder", "suffix": "</w>"})
    unigram = dict(base, model={"type": "Unigram", "vocab": [["<unk>", 0.0], ["a", -1.0], ["b", -2.0],
                                                              ["ab", -1.5]], "unk_id": 0},
                   pre_tokenizer={"type": "Metaspace", "replacement": "\u2581",
                                  "prepend_scheme": "always", "split": True})
    wordpiece = dict(base, model={"type": "WordPiece", "vocab": {"<unk>": 0, "hi": 1, "##s": 2},
                                  "unk_token": "<unk>", "continuing_subword_prefix": "##",
                                  "max_input_chars_per_word": 100},
                     padding={"strategy": {"Fixed": 8}, "direction": "Right",
                              "pad_to_multiple_of": None, "pad_id": 0, "pad_type_id": 0,
                              "pad_token": "<unk>"},
                     truncation={"max_length": 6, "strategy": "LongestFirst", "stride": 0,
                                 "direction": "Right"},
                     post_processor={"type": "BertProcessing", "sep": ["<unk>", 0], "cls": ["<unk>", 0]})
    for name, obj in [("wordlevel", wordlevel), ("bpe", bpe), ("unigram", unigram),
                      ("wordpiece", wordpiece)]:
        write("tokenizer-json", name + ".json", json.dumps(obj, ensure_ascii=False))
    # Regression: sizes and ids that allocated gigabytes or were silently misread (defects 5, 6).
    padded = dict(wordlevel, padding=dict(wordpiece["padding"], strategy={"Fixed": 2000000000}))
    write("tokenizer-json", "padding-fixed-2e9.json", json.dumps(padded))
    big_id = dict(wordlevel, model=dict(wordlevel["model"], vocab={"<unk>": 0, "hi": 2147483647}))
    write("tokenizer-json", "id-2-31-minus-1.json", json.dumps(big_id))
    frac = json.dumps(wordlevel).replace('"hi": 1', '"hi": 1.5')
    write("tokenizer-json", "id-fraction.json", frac)


def vocab_merges():
    # One input holds both files of a BPE tokenizer: the vocabulary (JSON), a NUL byte, the merges.
    vocab = json.dumps({"a": 0, "b": 1, "ab": 2, "\u0120": 3, "\u0120a": 4, "<|endoftext|>": 5})
    merges = "#version: 0.2\na b\n\u0120 a\n"
    pairs = [("valid", vocab, merges),
             # Regression: ids that were silently misread, merges GPT-2 would ignore (defects 6, 7).
             ("id-2-40", '{"a": 0, "b": 1099511627776, "ab": 2}', merges),
             ("duplicate-id", '{"a": 0, "b": 1, "ab": 1}', merges),
             ("version-only", vocab, "#version: 0.2\n"),
             ("empty-pair", vocab, "#version: 0.2\n b\n")]
    for target in ("vocab-merges", "encoder-bpe"):
        for name, v, m in pairs:
            write(target, name, v.encode("utf-8") + b"\0" + m.encode("utf-8"))


def onnx():
    # ModelProto: ir_version (1), graph (7) with a MatMul node (1) and initializers (5) in the
    # forms the reader decodes: raw FLOAT, packed float_data, packed int64_data, raw FLOAT16.
    def tensor(name, dims, dtype, data_field, payload):
        t = b"".join(key(1, 0) + varint(d) for d in dims) + key(2, 0) + varint(dtype)
        t += length_delimited(8, name.encode())
        return t + length_delimited(data_field, payload)

    node = (length_delimited(1, b"x") + length_delimited(1, b"onnx::MatMul_1")
            + length_delimited(2, b"y") + length_delimited(3, b"/enc/layer.0/q/MatMul")
            + length_delimited(4, b"MatMul"))
    graph = length_delimited(1, node)
    graph += length_delimited(5, tensor("onnx::MatMul_1", [2, 3], 1, 9,
                                        struct.pack("<6f", 1, 2, 3, 4, 5, 6)))
    graph += length_delimited(5, tensor("enc.layer.0.q.bias", [3], 1, 4,
                                        struct.pack("<3f", 0.5, -0.5, 0.25)))
    graph += length_delimited(5, tensor("position_ids", [1, 2], 7, 7, varint(0) + varint(1)))
    graph += length_delimited(5, tensor("half", [2], 10, 9, struct.pack("<2H", 0x3C00, 0xC000)))
    model = key(1, 0) + varint(8) + length_delimited(7, graph)
    write("onnx", "tiny.onnx", model)
    write("onnx", "hang-graph.onnx", bytes.fromhex("3af6ffffffffffffff7f"))
    write("onnx", "hang-key-7a.onnx", bytes.fromhex("7af6ffffffffffffff7f"))


def safetensors():
    # Header (JSON, padded with spaces to a multiple of 8) then the data, as Hugging Face writes it.
    data = struct.pack("<4f", 1, 2, 3, 4) + struct.pack("<3H", 0x3C00, 0xC000, 0x7BFF)
    data += struct.pack("<2H", 0x3F80, 0xC040)
    header = {"__metadata__": {"format": "pt"},
              "w": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]},
              "h": {"dtype": "F16", "shape": [3], "data_offsets": [16, 22]},
              "b": {"dtype": "BF16", "shape": [1, 2], "data_offsets": [22, 26]}}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    write("safetensors", "tiny.safetensors", struct.pack("<Q", len(text)) + text + data)
    # A header length near 2^63 and one just past the file.
    write("safetensors", "huge-header.safetensors", struct.pack("<Q", (1 << 63) - 1) + b"{}")
    write("safetensors", "short-header.safetensors", struct.pack("<Q", 64) + b"{}      ")


def sharded():
    # Two valid shards next to every index input: a.safetensors (w, h) and b.safetensors (b).
    def shard(tensors):
        header, data = {}, b""
        for name, dtype, shape, payload in tensors:
            header[name] = {"dtype": dtype, "shape": shape,
                            "data_offsets": [len(data), len(data) + len(payload)]}
            data += payload
        text = json.dumps(header, separators=(",", ":")).encode()
        text += b" " * (-len(text) % 8)
        return struct.pack("<Q", len(text)) + text + data

    write("shards", "a.safetensors", shard([("w", "F32", [2, 2], struct.pack("<4f", 1, 2, 3, 4)),
                                            ("h", "F16", [1], struct.pack("<H", 0x3C00))]))
    write("shards", "b.safetensors", shard([("b", "BF16", [2], struct.pack("<2H", 0x3F80, 0xC040))]))
    index = {"metadata": {"total_size": 22}, "weight_map": {"w": "a.safetensors", "h": "a.safetensors",
                                                            "b": "b.safetensors"}}
    write("sharded-index", "valid.json", json.dumps(index))
    # A shard outside the folder, a missing shard, a tensor in the wrong shard.
    write("sharded-index", "outside.json", json.dumps(dict(index, weight_map={"w": "../a.safetensors"})))
    write("sharded-index", "missing.json", json.dumps(dict(index, weight_map={"w": "c.safetensors"})))
    # Names echoed at any length made messages of any length.
    write("sharded-index", "long-names.json",
          json.dumps({"weight_map": {"w" * 4000: "c" * 4000 + ".safetensors"}}))
    write("sharded-index", "wrong-shard.json",
          json.dumps(dict(index, weight_map={"w": "b.safetensors", "h": "a.safetensors"})))


def copy_fixtures():
    # Every family's config.json, after one byte that picks the fixture whose checkpoint it loads
    # with (ConfigFuzzTest.FIXTURES, same order).
    families = ["gpt2", "opt", "opt-postln", "electra", "electra-generator", "electra-tokcls",
                "roberta", "roberta-seqcls", "bart", "marian", "pegasus", "t5", "mt5", "clip"]
    for i, family in enumerate(families):
        with open(os.path.join(ROOT, "testdata/models/hf-tiny", family, "config.json"), "rb") as f:
            write("config", family + ".json", bytes([i]) + f.read())
    # SentencePiece's own test model: most of its bytes are the precompiled charsmap (nmt_nfkc),
    # so mutations of it reach the Darts trie and its replacement blob.
    with open(os.path.join(ROOT, "testdata/tokenizers/sentencepiece/test_model.model"), "rb") as f:
        write("sentencepiece", "test_model.model", f.read())
    # The CLIP fixture's pictures.
    for png in ("red-scene.png", "tall.png", "wide.png"):
        with open(os.path.join(ROOT, "testdata/models/hf-tiny/clip", png), "rb") as f:
            write("image-file", png, f.read())


def checkpoint():
    # The valid trainer_state.json, optimizer.safetensors and metrics.jsonl (valid.*) are the files
    # of CheckpointFuzzTest's 2-step run, copied from it (its theValidSeedsAreThisVersionsCheckpoint
    # fails when they change). Regression: states that resumed silently or crashed (defect 3, 7).
    state = {"step": 2, "seed": 11, "optimizerSteps": 2, "train": {"rng": 7681369315911520529},
             "tokens": 84, "extra": {}}
    write("trainer-state", "null.json", "null")
    write("trainer-state", "empty.json", "")
    write("trainer-state", "steps-negative.json", json.dumps(dict(state, optimizerSteps=-1)))
    write("trainer-state", "steps-zero.json", json.dumps(dict(state, optimizerSteps=0)))
    write("trainer-state", "step-string.json", json.dumps(dict(state, step="abc")))
    # Regression: a torn last line (a full disk) blocked resuming (defect 4).
    rows = '{"step":1,"loss":3.15,"lr":0.025}\n{"step":2,"loss":2.83,"lr":0.05}\n'
    write("metrics-jsonl", "torn-last-line.jsonl", rows + '{"step":3,"lo')
    write("metrics-jsonl", "malformed-middle.jsonl", '{"step":1,"loss":3.15}\n{"step\n' + rows)


def images():
    # Tiny images of the formats ImageIO reads, written by hand (no imaging library here).
    def bmp(w, h, pixels):
        row = (w * 3 + 3) // 4 * 4
        data = b""
        for y in range(h - 1, -1, -1):
            line = b"".join(bytes((b, g, r)) for r, g, b in pixels[y * w:(y + 1) * w])
            data += line + b"\0" * (row - len(line))
        info = struct.pack("<IiiHHIIiiII", 40, w, h, 1, 24, 0, len(data), 2835, 2835, 0, 0)
        return b"BM" + struct.pack("<IHHI", 14 + 40 + len(data), 0, 0, 54) + info + data
    write("image-file", "rgb-2x2.bmp", bmp(2, 2, [(255, 0, 0), (0, 255, 0), (0, 0, 255), (9, 9, 9)]))
    # A 1x1 GIF (global palette of 2 colors, LZW minimum code size 2).
    gif = (b"GIF89a" + struct.pack("<HHBBB", 1, 1, 0x80, 0, 0) + b"\xff\x00\x00\x00\x00\x00"
           + b"," + struct.pack("<HHHHB", 0, 0, 1, 1, 0) + b"\x02\x02\x44\x01\x00;")
    write("image-file", "red-1x1.gif", gif)
    # A PNG claiming 100000 x 100000 pixels (a decompression bomb's header; limit 89,478,485).
    ihdr = b"IHDR" + struct.pack(">IIBBBBB", 100000, 100000, 8, 2, 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + ihdr + struct.pack(">I", zlib.crc32(ihdr))
    write("image-file", "huge-header.png", png)
    # preprocessor_config.json: CLIP's, and sizes that would allocate gigabytes.
    with open(os.path.join(ROOT, "testdata/models/hf-tiny/clip/preprocessor_config.json"), "rb") as f:
        clip = f.read()
    write("preprocessor-config", "clip.json", clip)
    write("preprocessor-config", "size-2e9.json",
          json.dumps({"size": {"shortest_edge": 2000000000}, "crop_size": 2000000000}))


def vocab_txt():
    write("vocab-txt", "vocab.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\nworld\n##s\n,\n")


if __name__ == "__main__":
    safetensors()
    vocab_txt()
    onnx()
    sentencepiece()
    tokenizer_json()
    vocab_merges()
    sharded()
    copy_fixtures()
    checkpoint()
    images()
