#!/usr/bin/env python3
"""Loads folders written by `t4j train ... --from DIR` with Hugging Face transformers, compares with t4j.

For each folder (its recipe.json says the task it was fine-tuned on):
  every task  `from_pretrained` of the class for the task loads it with no missing, unexpected or
              mismatched weights, and AutoTokenizer its tokenizer;
  clm/seq2seq `t4j generate --model DIR --ids IDS --greedy --max-new N` prints exactly the ids of
              Hugging Face's `generate(do_sample=False, num_beams=1, max_new_tokens=N)`, for each
              prompt (encoded by Hugging Face's tokenizer, special tokens included);
  classify    `t4j classify --model DIR TEXT` gives Hugging Face's top label and its probability
              (to 1e-4) for each prompt;
  mlm         `t4j fill-mask --model DIR TEXT` gives Hugging Face's five best tokens at the mask and
              their probabilities (to 1e-4).
Prints one PASS/FAIL row per check and exits 1 if any failed. Not run in CI (needs the venv).

Usage: ~/.venv-ref/bin/python bench/hf_finetune_check.py [--t4j ./t4j] [--max-new 8]
       [--prompt P ...] DIR [DIR ...]
"""
import argparse
import json
import os
import subprocess
import sys

import torch
from transformers import (AutoModelForCausalLM, AutoModelForMaskedLM, AutoModelForSeq2SeqLM,
                          AutoModelForSequenceClassification, AutoTokenizer)

PROMPTS = {
    "clm": ["the quick", "the lazy dog", "over"],
    "seq2seq": ["forty-two", "seven", "ninety-one"],
    "classify": ["the film was good and nice", "the film was bad and sad", "the film was fine"],
    "mlm": ["the film was [MASK] and the play was good", "the [MASK] was bad"],
}
rows = []


def report(folder, check, ok, detail=""):
    rows.append((os.path.basename(os.path.normpath(folder)), check, "PASS" if ok else "FAIL"))
    print(f"{rows[-1][0]:<10} {check:<36} {rows[-1][2]:<5} {detail}", flush=True)


def t4j(args, cmd):
    p = subprocess.run([args.t4j, "--backend", "cpu"] + cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"t4j {' '.join(cmd)} failed ({p.returncode}): {p.stderr.strip()}")
    return p.stdout


def load(folder, auto):
    model, info = auto.from_pretrained(folder, output_loading_info=True)
    model.eval()
    bad = {k: v for k, v in info.items() if v}
    report(folder, f"load {type(model).__name__}"[:36], not bad, json.dumps(bad) if bad else "")
    return model


def generation(args, folder, auto, prompts):
    tok = AutoTokenizer.from_pretrained(folder)
    model = load(folder, auto)
    for p in prompts:
        ids = tok(p, return_tensors="pt").input_ids
        with torch.no_grad():
            out = model.generate(ids, attention_mask=torch.ones_like(ids), do_sample=False,
                                 num_beams=1, max_new_tokens=args.max_new)
        hf = ",".join(str(i) for i in out[0].tolist())
        ours = t4j(args, ["generate", "--model", folder, "--ids",
                          ",".join(str(i) for i in ids[0].tolist()), "--greedy", "--max-new",
                          str(args.max_new)]).strip()
        report(folder, f"greedy ids {p!r}"[:36], hf == ours,
               hf if hf == ours else f"hf {hf} ours {ours}")


def classify(args, folder, prompts):
    tok = AutoTokenizer.from_pretrained(folder)
    model = load(folder, AutoModelForSequenceClassification)
    for p in prompts:
        with torch.no_grad():
            probs = model(**tok(p, return_tensors="pt")).logits[0].softmax(-1)
        k = int(probs.argmax())
        label, score = t4j(args, ["classify", "--model", folder, p]).split("\n")[0].split("\t")
        ok = label == model.config.id2label[k] and abs(float(score) - float(probs[k])) < 1e-4
        report(folder, f"top label {p!r}"[:36], ok,
               f"hf {model.config.id2label[k]} {float(probs[k]):.4f}, t4j {label} {score}")


def mlm(args, folder, prompts):
    tok = AutoTokenizer.from_pretrained(folder)
    model = load(folder, AutoModelForMaskedLM)
    for p in prompts:
        enc = tok(p, return_tensors="pt")
        at = int((enc.input_ids[0] == tok.mask_token_id).nonzero()[0])
        with torch.no_grad():
            probs = model(**enc).logits[0, at].softmax(-1)
        top = probs.topk(5)
        hf = [(tok.convert_ids_to_tokens(int(i)), float(s)) for s, i in zip(top.values,
                                                                              top.indices)]
        lines = t4j(args, ["fill-mask", "--model", folder, p]).strip().split("\n")[:5]
        ours = [(line.split("\t")[1], float(line.split("\t")[0])) for line in lines]
        ok = [t for t, _ in hf] == [t for t, _ in ours] and all(
            abs(a[1] - b[1]) < 1e-4 for a, b in zip(hf, ours))
        report(folder, f"top-5 at mask {p!r}"[:36], ok,
               " ".join(f"{t}:{s:.4f}" for t, s in hf) if ok else f"hf {hf} t4j {ours}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--t4j", default="./t4j")
    ap.add_argument("--max-new", type=int, default=8)
    ap.add_argument("--prompt", action="append")
    ap.add_argument("folders", nargs="+")
    args = ap.parse_args()
    for folder in args.folders:
        task = json.load(open(os.path.join(folder, "recipe.json"), encoding="utf-8"))["finetune"]
        prompts = args.prompt or PROMPTS[task]
        try:
            if task == "clm":
                generation(args, folder, AutoModelForCausalLM, prompts)
            elif task == "seq2seq":
                generation(args, folder, AutoModelForSeq2SeqLM, prompts)
            elif task == "classify":
                classify(args, folder, prompts)
            else:
                mlm(args, folder, prompts)
        except Exception as e:  # a folder that does not load is a failed row, not a crash
            report(folder, "error", False, f"{type(e).__name__}: {e}"[:300])
    failed = sum(r[2] == "FAIL" for r in rows)
    print(f"\n{len(rows) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
