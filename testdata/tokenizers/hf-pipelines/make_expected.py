"""Writes expected.json: small tokenizer.json pipelines and what Hugging Face tokenizers does with them.

Each case is a complete tokenizer.json (a vocabulary trained here on a few sentences by the
library's own trainers, then normalizer, pre-tokenizer, post-processor, decoder, truncation and
padding set as the case says) and, for several texts and pairs, the ids, tokens, offsets, type ids,
attention and special-tokens masks, and the decoded text with and without special tokens, all as
`tokenizers` (the Rust library, through its Python binding) computes them. Run with the reference
venv: ~/.venv-ref/bin/python testdata/tokenizers/hf-pipelines/make_expected.py
"""
import copy
import json
import os

import tokenizers
from tokenizers import Tokenizer, models, trainers, pre_tokenizers

CORPUS = [
    "The quick brown fox jumps over the lazy dog.",
    "Héllo wörld, naïve café! Ünïcödé is fun: 12345 and 67.89%.",
    "don't stop believing; it's 2026 and the tokenizer works",
    "東京 は 大きい 都市 です",
    "transformers tokenize text into pieces, pieces into ids",
] * 3

TEXTS = [
    "The quick brown fox.",
    "Héllo  WÖRLD, café 12345!",
    "don't tokenize 東京 😀 now",
    "  leading and trailing spaces  ",
    "unseen qzx words xyzzy",
    "QUICK Fox, quick FOX",
]
PAIRS = [
    ("The quick brown fox jumps over the lazy dog.", "it's 2026"),
    ("Héllo", "naïve café tokenizer works fine today"),
    ("a b c d e f", "g h i j k l"),
    # One side exactly as long as only_first's / only_second's room: nothing is left to cut.
    ("a b c", "the the the the the the the the the"),
    ("the the the the the the the", "a b c"),
]


def trained(kind):
    if kind == "wordpiece":
        tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
        tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
        tr = trainers.WordPieceTrainer(
            vocab_size=220, special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"])
    elif kind == "bpe-suffix":
        tok = Tokenizer(models.BPE(unk_token="<unk>", end_of_word_suffix="</w>"))
        tok.pre_tokenizer = pre_tokenizers.Whitespace()
        tr = trainers.BpeTrainer(
            vocab_size=200, special_tokens=["<s>", "<pad>", "</s>", "<unk>"], end_of_word_suffix="</w>")
    elif kind == "bpe-prefix":
        tok = Tokenizer(models.BPE(unk_token="[UNK]", continuing_subword_prefix="##", fuse_unk=True))
        tok.pre_tokenizer = pre_tokenizers.Whitespace()
        tr = trainers.BpeTrainer(
            vocab_size=200, special_tokens=["[UNK]", "[CLS]", "[SEP]"], continuing_subword_prefix="##")
    elif kind == "bytelevel":
        tok = Tokenizer(models.BPE())
        tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=True)
        tr = trainers.BpeTrainer(
            vocab_size=400, special_tokens=["<|endoftext|>"],
            initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    elif kind == "metaspace-bpe":
        tok = Tokenizer(models.BPE(unk_token="<unk>", byte_fallback=True))
        tok.pre_tokenizer = pre_tokenizers.Metaspace()
        tr = trainers.BpeTrainer(vocab_size=200, special_tokens=["<unk>", "<s>", "</s>"])
    elif kind == "unigram":
        tok = Tokenizer(models.Unigram())
        tok.pre_tokenizer = pre_tokenizers.Metaspace()
        tr = trainers.UnigramTrainer(
            vocab_size=150, special_tokens=["<pad>", "</s>", "<unk>"], unk_token="<unk>")
    tok.train_from_iterator(CORPUS, tr)
    return json.loads(tok.to_str())


def with_bytes(j):
    """Adds the 256 <0xXX> byte tokens to a BPE vocabulary (byte fallback)."""
    v = j["model"]["vocab"]
    for b in range(256):
        v.setdefault("<0x%02X>" % b, len(v))
    return j


def cases():
    out = []
    wp = trained("wordpiece")
    bert = copy.deepcopy(wp)
    bert["normalizer"] = {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                          "strip_accents": None, "lowercase": True}
    bert["post_processor"] = {"type": "BertProcessing", "sep": ["[SEP]", 3], "cls": ["[CLS]", 2]}
    bert["decoder"] = {"type": "WordPiece", "prefix": "##", "cleanup": True}
    out.append(("bert-longest-first", bert, {"max_length": 9, "strategy": "LongestFirst", "stride": 0,
                                             "direction": "Right"}, None))
    out.append(("bert-only-first-left", bert, {"max_length": 12, "strategy": "OnlyFirst", "stride": 2,
                                               "direction": "Left"},
                {"strategy": {"Fixed": 16}, "direction": "Left", "pad_to_multiple_of": None,
                 "pad_id": 4, "pad_type_id": 1, "pad_token": "[MASK]"}))
    out.append(("bert-only-second", bert, {"max_length": 10, "strategy": "OnlySecond", "stride": 1,
                                           "direction": "Right"},
                {"strategy": {"Fixed": 13}, "direction": "Right", "pad_to_multiple_of": 8,
                 "pad_id": 0, "pad_type_id": 0, "pad_token": "[PAD]"}))
    nocleanup = copy.deepcopy(bert)
    nocleanup["normalizer"] = {"type": "Sequence", "normalizers": [
        {"type": "NFD"}, {"type": "StripAccents"}, {"type": "Lowercase"}, {"type": "Strip", "strip_left": True, "strip_right": True}]}
    nocleanup["pre_tokenizer"] = {"type": "Sequence", "pretokenizers": [
        {"type": "WhitespaceSplit"}, {"type": "Punctuation", "behavior": "Isolated"},
        {"type": "Digits", "individual_digits": True}]}
    nocleanup["decoder"] = {"type": "WordPiece", "prefix": "##", "cleanup": False}
    out.append(("wordpiece-nfd-punctuation-digits", nocleanup, None, None))

    suf = trained("bpe-suffix")
    suf["normalizer"] = {"type": "Sequence", "normalizers": [{"type": "NFKC"}, {"type": "Lowercase"}]}
    suf["post_processor"] = {"type": "RobertaProcessing", "sep": ["</s>", 2], "cls": ["<s>", 0],
                             "trim_offsets": True, "add_prefix_space": True}
    suf["decoder"] = {"type": "BPEDecoder", "suffix": "</w>"}
    # Not special and normalized: matched in the normalized (lowercased) text.
    suf["added_tokens"].append({"id": len(suf["model"]["vocab"]), "content": "fox", "single_word": False,
                                "lstrip": False, "rstrip": False, "special": False, "normalized": True})
    out.append(("bpe-end-of-word-suffix", suf, None, None))

    pre = trained("bpe-prefix")
    pre["normalizer"] = {"type": "NFKD"}
    pre["post_processor"] = {"type": "TemplateProcessing",
                             "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}},
                                        {"Sequence": {"id": "A", "type_id": 0}},
                                        {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
                             "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}},
                                      {"Sequence": {"id": "A", "type_id": 0}},
                                      {"SpecialToken": {"id": "[SEP]", "type_id": 0}},
                                      {"Sequence": {"id": "B", "type_id": 1}},
                                      {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
                             "special_tokens": {
                                 "[CLS]": {"id": "[CLS]", "ids": [pre["model"]["vocab"]["[CLS]"]], "tokens": ["[CLS]"]},
                                 "[SEP]": {"id": "[SEP]", "ids": [pre["model"]["vocab"]["[SEP]"]], "tokens": ["[SEP]"]}}}
    pre["decoder"] = {"type": "WordPiece", "prefix": "##", "cleanup": True}
    out.append(("bpe-continuing-prefix-fuse-unk", pre, {"max_length": 8, "strategy": "LongestFirst", "stride": 0,
                                                        "direction": "Left"}, None))

    bl = trained("bytelevel")
    bl["post_processor"] = {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True}
    bl["decoder"] = {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True}
    out.append(("byte-level-trim-offsets", bl, None, None))

    ms = with_bytes(trained("metaspace-bpe"))
    ms["pre_tokenizer"] = None
    ms["normalizer"] = {"type": "Sequence", "normalizers": [
        {"type": "Prepend", "prepend": "\u2581"}, {"type": "Replace", "pattern": {"String": " "}, "content": "\u2581"}]}
    ms["post_processor"] = {"type": "TemplateProcessing",
                            "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                            "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                                     {"SpecialToken": {"id": "<s>", "type_id": 1}}, {"Sequence": {"id": "B", "type_id": 1}}],
                            "special_tokens": {"<s>": {"id": "<s>", "ids": [ms["model"]["vocab"]["<s>"]], "tokens": ["<s>"]}}}
    ms["decoder"] = {"type": "Sequence", "decoders": [
        {"type": "Replace", "pattern": {"String": "\u2581"}, "content": " "},
        {"type": "ByteFallback"}, {"type": "Fuse"}, {"type": "Strip", "content": " ", "start": 1, "stop": 0}]}
    out.append(("llama-style-byte-fallback", ms, None, None))

    un = trained("unigram")
    un["normalizer"] = {"type": "Sequence", "normalizers": [{"type": "NFKC"}, {"type": "Lowercase"},
                                                            {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "}]}
    un["pre_tokenizer"] = {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "first", "split": True}
    un["decoder"] = {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "first", "split": True}
    out.append(("unigram-metaspace-first", un, None,
                {"strategy": {"Fixed": 24}, "direction": "Right", "pad_to_multiple_of": 5,
                 "pad_id": 0, "pad_type_id": 0, "pad_token": "<pad>"}))
    legacy = copy.deepcopy(un)
    # The older Metaspace fields: add_prefix_space instead of prepend_scheme.
    legacy["pre_tokenizer"] = {"type": "Metaspace", "replacement": "\u2581", "add_prefix_space": True}
    legacy["decoder"] = {"type": "Metaspace", "replacement": "\u2581", "add_prefix_space": True}
    out.append(("unigram-metaspace-legacy-fields", legacy, None, None))
    return out


def utf16_offsets(e, a, b):
    """Python's offsets count code points; Java's count UTF-16 units, as these do."""
    out = []
    for (s, t), seq in zip(e.offsets, e.sequence_ids):
        text = b if seq == 1 else a
        out.append([len(text[:s].encode("utf-16-le")) // 2, len(text[:t].encode("utf-16-le")) // 2])
    return out


def run(name, j, trunc, pad):
    j = copy.deepcopy(j)
    j["truncation"] = trunc
    j["padding"] = pad
    tok = Tokenizer.from_str(json.dumps(j))
    results = []
    inputs = [(t, None) for t in TEXTS] + list(PAIRS)
    for a, b in inputs:
        try:
            e = tok.encode(a, b) if b is not None else tok.encode(a)
        except BaseException as ex:  # a truncation that cannot be met: an error in both
            results.append({"text": a, "pair": b, "error": str(ex)})
            continue
        results.append({
            "text": a, "pair": b, "ids": e.ids,
            # The vocabulary's token of each id: for an unknown piece Hugging Face's Unigram puts
            # the text itself in Encoding.tokens, where this library puts the unknown token.
            "tokens": [tok.id_to_token(i) for i in e.ids],
            "offsets": utf16_offsets(e, a, b), "type_ids": e.type_ids,
            "attention_mask": e.attention_mask, "special_tokens_mask": e.special_tokens_mask,
            "decoded": tok.decode(e.ids, skip_special_tokens=False),
            "decoded_skip": tok.decode(e.ids, skip_special_tokens=True),
        })
    return {"name": name, "tokenizer": j, "vocab_size": tok.get_vocab_size(with_added_tokens=True),
            "results": results}


def main():
    out = {"note": "Made by make_expected.py with Hugging Face tokenizers " + tokenizers.__version__
                   + ": small trained vocabularies, each case's tokenizer.json and what the library gives",
           "cases": [run(*c) for c in cases()]}
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
