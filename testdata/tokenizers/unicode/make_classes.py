"""Writes classes.json: how Hugging Face tokenizers classifies code points, as its components show it.

For a set of code points (points), the lists of those in each class: white_space (WhitespaceSplit splits "a<c>b" there: Rust's char::is_whitespace),
cjk (BertNormalizer with handle_chinese_chars puts spaces around it), bert_punctuation
(BertPreTokenizer isolates it in "a<c>b"), bert_control (BertNormalizer's clean_text removes it).
The code points: all of U+0000..U+00FF, each end of the ranges the Java class tests and its
neighbours, and 3000 assigned code points drawn with seed 12. Surrogates are left out (a Python
string cannot pass a lone one to Rust). Run: ~/.venv-ref/bin/python testdata/tokenizers/unicode/make_classes.py
"""
import json
import os
import random
import unicodedata

import tokenizers
from tokenizers import normalizers, pre_tokenizers

ENDS = [0x09, 0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000, 0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000,
        0x4E00, 0x9FFF, 0x3400, 0x4DBF, 0x20000, 0x2A6DF, 0x2A700, 0x2B73F, 0x2B740, 0x2B81F,
        0x2B920, 0x2CEAF, 0xF900, 0xFAFF, 0x2F800, 0x2FA1F, 33, 47, 58, 64, 91, 96, 123, 126, 0x7F]


def main():
    points = set(range(0x100))
    for e in ENDS:
        points.update((e - 1, e, e + 1))
    r = random.Random(12)
    while len(points) < 256 + 3 * len(ENDS) + 3000:
        c = r.randrange(0x110000)
        if not 0xD800 <= c <= 0xDFFF and unicodedata.category(chr(c)) != "Cn":
            points.add(c)
    ws = pre_tokenizers.WhitespaceSplit()
    bert_pre = pre_tokenizers.BertPreTokenizer()
    cjk = normalizers.BertNormalizer(clean_text=False, handle_chinese_chars=True, strip_accents=False, lowercase=False)
    clean = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=False, strip_accents=False, lowercase=False)
    classes = {"white_space": [], "cjk": [], "bert_punctuation": [], "bert_control": []}
    checked = sorted(p for p in points if not 0xD800 <= p <= 0xDFFF)
    for c in checked:
        ch = chr(c)
        pieces = [p for p, _ in bert_pre.pre_tokenize_str("a" + ch + "b")]
        if len(ws.pre_tokenize_str("a" + ch + "b")) == 2:
            classes["white_space"].append(c)
        if cjk.normalize_str(ch) == " " + ch + " ":
            classes["cjk"].append(c)
        if pieces == ["a", ch, "b"]:
            classes["bert_punctuation"].append(c)
        if ch not in "\x00\ufffd" and clean.normalize_str("a" + ch + "b") == "ab":
            classes["bert_control"].append(c)
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "classes.json"), "w", encoding="utf-8") as f:
        json.dump({"note": "Made by make_classes.py with Hugging Face tokenizers " + tokenizers.__version__,
                   "points": checked, **classes}, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
