"""Writes expected.json: what Hugging Face tokenizers' BpeTrainer learns.

The corpus is the first 1,000 lines of testdata/data/tinyshakespeare.txt; byte-level BPE
(ByteLevel pre-tokenizer without a prefix space, the 256 byte chars as initial alphabet, vocabulary
600, pairs seen at least twice, special token <|endoftext|>): the vocabulary (token -> id) and the
merges in order. (WordPiece training is not compared: this project's WordPiece vocabulary orders
its alphabet and picks merges differently from Hugging Face's WordPieceTrainer.) Run:
~/.venv-ref/bin/python testdata/tokenizers/hf-trainers/make_expected.py
"""
import json
import os

import tokenizers
from tokenizers import Tokenizer, models, pre_tokenizers, trainers

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    with open(os.path.join(HERE, "..", "..", "data", "tinyshakespeare.txt"), encoding="utf-8") as f:
        lines = f.read().split("\n")[:1000]

    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.train_from_iterator(lines, trainers.BpeTrainer(
        vocab_size=600, min_frequency=2, special_tokens=["<|endoftext|>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False))
    bj = json.loads(bpe.to_str())

    out = {"note": "Made by make_expected.py with Hugging Face tokenizers " + tokenizers.__version__
                   + " from the first 1,000 lines of data/tinyshakespeare.txt",
           "bpe": {"vocab": bj["model"]["vocab"], "merges": bj["model"]["merges"]}}
    with open(os.path.join(HERE, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
