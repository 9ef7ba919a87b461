#!/usr/bin/env python3
"""Writes the seed corpora of the reader fuzz targets (issue 12) into testdata/fuzz/<target>/.

Small on purpose: a mutation of a small valid file reaches every field of the format. Each target
also has the inputs that once broke a reader (regression seeds). Run from anywhere:
    python3 testdata/fuzz/make_seeds.py
Standard library only; the output is deterministic.
"""
import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


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
    d = os.path.join(HERE, target)
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
    write("vocab-json", "vocab.json", json.dumps({"a": 0, "b": 1, "ab": 2, "\u0120a": 3, "<|endoftext|>": 4}))
    write("vocab-json", "id-2-40.json", '{"a": 0, "b": 1099511627776, "ab": 2}')
    write("vocab-json", "duplicate-id.json", '{"a": 0, "b": 1, "ab": 1}')
    write("merges-txt", "merges.txt", "#version: 0.2\na b\n\u0120 a\n")
    write("merges-txt", "version-only.txt", "#version: 0.2\n")
    write("merges-txt", "empty-pair.txt", "#version: 0.2\n b\n")


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


def vocab_txt():
    write("vocab-txt", "vocab.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\nworld\n##s\n,\n")


if __name__ == "__main__":
    safetensors()
    vocab_txt()
    onnx()
    sentencepiece()
    tokenizer_json()
    vocab_merges()
