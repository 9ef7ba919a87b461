#!/usr/bin/env python3
"""Loads folders written by `t4j train` with Hugging Face transformers and compares them with t4j.

For each folder: `from_pretrained` must load the model with no missing, unexpected or mismatched
weights (the classes its config.json names) and AutoTokenizer its tokenizer; the tokenizer must
give the ids `t4j tokenize` gives on every prompt; then, by the folder's task,
  clm      greedy text of `t4j generate --model DIR --prompt P --greedy --max-new N` equals the
           prompt plus Hugging Face's greedy continuation (`generate(do_sample=False)`), for each
           prompt (N is cut so that prompt + N fits the model's context: HF does not slide);
  seq2seq  (marian / pegasus) the greedy output text of `t4j generate --greedy` equals Hugging
           Face's (decoder start, stop token and length from the folder's generation_config.json),
           and HF's position table is the stored one (ours), not the one HF would compute;
           t4j-transformer folders are reported as not loadable, as their README.md says;
  classify accuracy and mean loss over --pairs (TSV text<TAB>label) equal `t4j eval`'s;
  mlm      loading and tokenizer ids only (t4j has no deterministic fill-mask output to compare).
Prints one PASS/FAIL row per check and exits 1 if any failed. Not run in CI (needs the venv).

Usage: ~/.venv-ref/bin/python bench/hf_roundtrip.py [--t4j ./t4j] [--max-new 40]
       [--prompt P ...] [--pairs FILE.tsv] DIR [DIR ...]
"""
import argparse
import json
import os
import subprocess
import sys

import torch
from transformers import (AutoModelForCausalLM, AutoModelForMaskedLM, AutoModelForSeq2SeqLM,
                          AutoModelForSequenceClassification, AutoTokenizer)

CLM_PROMPTS = ["ROMEO:", "First Citizen:\nWe are", "The king ", "O, what a ", "\n"]
S2S_PROMPTS = ["four hundred two", "ninety one", "seven thousand thirty", "twelve", "zero"]

rows = []


def report(folder, check, ok, detail=""):
    rows.append((os.path.basename(os.path.normpath(folder)), check, "PASS" if ok else "FAIL",
                 detail))
    print(f"{rows[-1][0]:<14} {check:<34} {rows[-1][2]:<5} {detail}", flush=True)


def t4j(args, cmd):
    p = subprocess.run([args.t4j] + cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"t4j {' '.join(cmd)} failed ({p.returncode}): {p.stderr.strip()}")
    return p.stdout


def our_ids(args, folder, text):
    out = t4j(args, ["tokenize", "--no-special", "-t", os.path.join(folder, json.load(open(os.path.join(folder, "recipe.json")))["tokenizer"]),
                     text])
    for line in out.splitlines():
        if line.startswith("ids:"):
            return [int(x) for x in line[4:].split()]
    raise RuntimeError("t4j tokenize printed no ids line")


def load(folder, auto):
    model, info = auto.from_pretrained(folder, output_loading_info=True)
    model.eval()
    bad = {k: v for k, v in info.items() if v}
    report(folder, f"load {type(model).__name__}", not bad, json.dumps(bad) if bad else "")
    return model


def check_tokenizer(args, folder, tok, prompts):
    for p in prompts:
        hf = tok(p, add_special_tokens=False).input_ids
        ours = our_ids(args, folder, p)
        report(folder, f"tokenizer ids {p!r}"[:34], hf == ours,
               "" if hf == ours else f"hf {hf} ours {ours}")


def clm(args, folder, config):
    tok = AutoTokenizer.from_pretrained(folder)
    model = load(folder, AutoModelForCausalLM)
    check_tokenizer(args, folder, tok, args.prompt or CLM_PROMPTS)
    for p in args.prompt or CLM_PROMPTS:
        ids = tok(p, return_tensors="pt").input_ids
        n = min(args.max_new, config["n_positions"] - ids.shape[1])
        with torch.no_grad():
            out = model.generate(ids, attention_mask=torch.ones_like(ids), do_sample=False,
                                 max_new_tokens=n)
        hf = p + tok.decode(out[0, ids.shape[1]:], skip_special_tokens=True)
        ours = t4j(args, ["generate", "--model", folder, "--prompt", p, "--greedy", "--max-new",
                          str(n)])
        ours = ours[:-1] if ours.endswith("\n") else ours
        report(folder, f"greedy {n} {p!r}"[:34], hf == ours,
               repr(hf[len(p):][:40]) if hf == ours else f"hf {hf!r} ours {ours!r}")


def seq2seq(args, folder, config):
    if config["model_type"].startswith("t4j-"):
        note = os.path.exists(os.path.join(folder, "README.md"))
        report(folder, "t4j-only (README.md says so)", note, config["model_type"])
        return
    tok = AutoTokenizer.from_pretrained(folder)
    model = load(folder, AutoModelForSeq2SeqLM)
    from safetensors import safe_open
    with safe_open(os.path.join(folder, "model.safetensors"), "pt") as f:
        stored = f.get_tensor("model.encoder.embed_positions.weight")
    used = model.model.encoder.embed_positions.weight.detach()
    hf_own = model.model.encoder.embed_positions.create_weight()  # HF's layout: sin | cos halves
    report(folder, "stored position table used",
           torch.equal(used, stored) and torch.equal(
               model.model.decoder.embed_positions.weight.detach(), stored),
           f"HF's own table differs from ours by {float((hf_own - stored).abs().max()):.3f}")
    check_tokenizer(args, folder, tok, args.prompt or S2S_PROMPTS)
    for p in args.prompt or S2S_PROMPTS:
        enc = tok(p, return_tensors="pt")
        with torch.no_grad():
            out = model.generate(**enc, do_sample=False, num_beams=1)
        hf = tok.decode(out[0], skip_special_tokens=True)
        ours = t4j(args, ["generate", "--model", folder, "--prompt", p, "--greedy"]).rstrip("\n")
        report(folder, f"greedy {p!r}"[:34], hf == ours,
               repr(hf) if hf == ours else f"hf {hf!r} ours {ours!r}")


def classify(args, folder, config):
    tok = AutoTokenizer.from_pretrained(folder)
    model = load(folder, AutoModelForSequenceClassification)
    if not args.pairs:
        return
    pairs = [line.rstrip("\n").split("\t") for line in open(args.pairs, encoding="utf-8")
             if line.strip()]
    check_tokenizer(args, folder, tok, [t for t, _ in pairs[:5]])
    correct, loss = 0, 0.0
    for text, label in pairs:
        ids = tok(text, return_tensors="pt", truncation=True,
                  max_length=config["max_position_embeddings"])
        with torch.no_grad():
            logits = model(**ids).logits[0]
        y = model.config.label2id[label]
        loss += torch.nn.functional.cross_entropy(logits[None], torch.tensor([y])).item()
        correct += int(logits.argmax().item() == y)
    line = t4j(args, ["eval", "--model", folder, "--data", args.pairs]).strip().splitlines()[-1]
    # "loss 0.6925, classification accuracy 53.00% over 500 examples"
    our_loss = float(line.split(",")[0].split()[1])
    our_acc = float(line.split("accuracy")[1].split("%")[0])
    acc = 100.0 * correct / len(pairs)
    ok = abs(acc - our_acc) < 0.005 and abs(loss / len(pairs) - our_loss) < 1e-3
    report(folder, f"accuracy, loss on {len(pairs)} pairs", ok,
           f"hf {acc:.2f}% {loss / len(pairs):.4f}, t4j {our_acc:.2f}% {our_loss:.4f}")


def mlm(args, folder, config):
    tok = AutoTokenizer.from_pretrained(folder)
    load(folder, AutoModelForMaskedLM)
    check_tokenizer(args, folder, tok, args.prompt or CLM_PROMPTS)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--t4j", default="./t4j")
    ap.add_argument("--max-new", type=int, default=40)
    ap.add_argument("--prompt", action="append")
    ap.add_argument("--pairs")
    ap.add_argument("folders", nargs="+")
    args = ap.parse_args()
    for folder in args.folders:
        config = json.load(open(os.path.join(folder, "config.json"), encoding="utf-8"))
        recipe = json.load(open(os.path.join(folder, "recipe.json"), encoding="utf-8"))
        try:
            {"clm": clm, "seq2seq": seq2seq, "classify": classify, "mlm": mlm}[recipe["task"]](
                args, folder, config)
        except Exception as e:  # a folder that does not load is a failed row, not a crash
            report(folder, "error", False, f"{type(e).__name__}: {e}"[:200])
    failed = sum(r[2] == "FAIL" for r in rows)
    print(f"\n{len(rows) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
