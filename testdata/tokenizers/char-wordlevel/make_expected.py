#!/usr/bin/env python3
"""Writes expected.json beside tokenizer.json: the ids and decoded text Hugging Face tokenizers
gives for a few texts with the char vocabulary that `t4j train clm` wrote (WordLevel model, Split
pre-tokenizer on [\\s\\S], Fuse decoder). tokenizer.json came from
`./t4j train clm --data <first 200,000 bytes of testdata/data/tinyshakespeare.txt> ...`.

Usage: ~/.venv-ref/bin/python testdata/tokenizers/char-wordlevel/make_expected.py
"""
import json
import os

import tokenizers
from tokenizers import Tokenizer

here = os.path.dirname(os.path.abspath(__file__))
tok = Tokenizer.from_file(os.path.join(here, "tokenizer.json"))
texts = [
    "ROMEO:\nWhat say'st thou?",
    "First Citizen:\n\nBefore we proceed any further, hear me speak.",
    "  two  spaces\tand a tab\r\n",
    "unseen: é, 😀, ß, 7 and ~",
    "",
]
cases = []
for t in texts:
    e = tok.encode(t)
    cases.append({"text": t, "ids": e.ids, "tokens": e.tokens, "decoded": tok.decode(e.ids)})
with open(os.path.join(here, "expected.json"), "w", encoding="utf-8") as f:
    json.dump({"note": "Hugging Face tokenizers " + tokenizers.__version__
               + ": encode(text).ids and decode(ids) (special tokens skipped) with tokenizer.json",
               "cases": cases}, f, ensure_ascii=False, indent=1)
    f.write("\n")
