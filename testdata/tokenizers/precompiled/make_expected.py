"""Writes expected.json: T5's SentencePiece charsmap (the Precompiled normalizer of
testdata/tokenizers/t5/saved/tokenizer.json) applied by Hugging Face tokenizers to chosen and
random texts: compatibility forms, ligatures, full-width and half-width forms, combining marks,
spaces, and 1,500 strings of 1 to 6 random code points (seed 5; letters, marks, symbols of the
whole Basic Multilingual Plane and beyond). Left out: a half-width katakana with its half-width
sound mark ("ﾊﾟ"), one grapheme of 6 UTF-8 bytes, which Hugging Face maps char by char (ハ and a
combining mark) where SentencePiece, and this project, take the longest match (パ). Run:
~/.venv-ref/bin/python testdata/tokenizers/precompiled/make_expected.py
"""
import json
import os
import random
import unicodedata

import tokenizers
from tokenizers import Tokenizer

HERE = os.path.dirname(os.path.abspath(__file__))
CHOSEN = ["ﬁne ﬀ ﬃ", "①②③ ⑴ ⒈", "ＡＢＣ１２３！", "ｶﾀｶﾅ ﾊ", "㍿ ㈱ ㌔", "e\u0301 A\u030a", "Å Ω K",
          "x\u00a0y\u3000z\u2009w", "™ … ½ Ⅻ ²", "Ǆǅǆ ĳ", "\u200b\u200dzero width", "tab\tnew\nline",
          "ﬆ ﬅ ẞ ß", "한국어 ㄱㄴ ﾡ", "𝐀𝐁 𝟏𝟐", "", "plain ascii text"]


def main():
    with open(os.path.join(HERE, "..", "t5", "saved", "tokenizer.json"), encoding="utf-8") as f:
        t5 = json.load(f)
    tok = Tokenizer.from_str(json.dumps({
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": [],
        "normalizer": t5["normalizer"], "pre_tokenizer": None, "post_processor": None, "decoder": None,
        "model": {"type": "WordLevel", "vocab": {"[UNK]": 0}, "unk_token": "[UNK]"}}))
    r = random.Random(5)
    texts = list(CHOSEN)
    while len(texts) < len(CHOSEN) + 1500:
        s = ""
        for _ in range(r.randint(1, 6)):
            c = r.choice([r.randrange(0x20, 0x3000), r.randrange(0x3000, 0x10000), r.randrange(0x10000, 0x20000)])
            if 0xD800 <= c <= 0xDFFF or unicodedata.category(chr(c)) == "Cn":
                continue
            s += chr(c)
        if s:
            texts.append(s)
    out = {"note": "Made by make_expected.py with Hugging Face tokenizers " + tokenizers.__version__,
           "cases": [[t, tok.normalizer.normalize_str(t)] for t in texts]}
    with open(os.path.join(HERE, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
