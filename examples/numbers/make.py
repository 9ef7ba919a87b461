#!/usr/bin/env python3
"""Writes the number data sets of this folder (run from here: python3 make.py).

English words of 0..9999 ("four thousand two hundred seven"); 500 numbers, drawn with a fixed
seed, are held out of training:
  pairs.tsv, pairs-held-out.tsv     words<TAB>digits   (t4j train seq2seq / eval), 9,500 + 500
  parity.tsv, parity-held-out.tsv   words<TAB>even|odd (t4j train classify / eval), 3,000 + 500
"""
import random

ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen"
        " fifteen sixteen seventeen eighteen nineteen").split()
TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()


def words(n):
    if n < 20:
        return ONES[n]
    if n < 100:
        return TENS[n // 10] + ("" if n % 10 == 0 else "-" + ONES[n % 10])
    if n < 1000:
        return ONES[n // 100] + " hundred" + ("" if n % 100 == 0 else " " + words(n % 100))
    return ONES[n // 1000] + " thousand" + ("" if n % 1000 == 0 else " " + words(n % 1000))


def write(name, rows):
    with open(name, "w", encoding="utf-8", newline="\n") as f:
        f.writelines(f"{a}\t{b}\n" for a, b in rows)


rng = random.Random(2026)
held = sorted(rng.sample(range(10000), 500))
train = sorted(set(range(10000)) - set(held))
write("pairs.tsv", [(words(n), n) for n in train])
write("pairs-held-out.tsv", [(words(n), n) for n in held])
write("parity.tsv", [(words(n), "odd" if n % 2 else "even") for n in sorted(rng.sample(train, 3000))])
write("parity-held-out.tsv", [(words(n), "odd" if n % 2 else "even") for n in held])
