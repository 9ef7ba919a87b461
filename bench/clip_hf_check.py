#!/usr/bin/env python3
"""Loads a CLIP folder written by `t4j clip train` with Hugging Face transformers and compares it
with t4j.

Checks, each printed as one PASS/FAIL row (exit 1 if any failed):
  load        `CLIPModel.from_pretrained(DIR)` with no missing, unexpected or mismatched weights,
              and `CLIPProcessor.from_pretrained(DIR)` (its tokenizer and image processor);
  ids         the processor's input_ids for each text equal the built-in CLIP tokenizer's
              (`t4j tokenize -t DIR`) ids;
  embeddings  the normalized image embeddings (`get_image_features`, PIL processor on the PNGs)
              and text embeddings (`get_text_features`) equal `t4j clip embed`'s, max |diff| <= 1e-4;
  logit_scale equal to the one in model.safetensors.
Not run in CI (needs the venv).

Usage: ~/.venv-ref/bin/python bench/clip_hf_check.py [--t4j ./t4j] DIR [IMAGE ...] [--text T ...]
IMAGE: PNG/JPEG files to embed, e.g. a few of a `t4j clip synth` test split.
"""
import argparse
import json
import subprocess
import sys

import numpy as np
import torch
from PIL import Image
from transformers import CLIPModel, CLIPProcessor

TEXTS = ["a photo of a green triangle.", "a red circle", "there is a small white square at the top left",
         "A BLACK Triangle, on the right!"]
TOL = 1e-4

failed = []


def report(check, ok, detail=""):
    print(f"{check:<12} {'PASS' if ok else 'FAIL':<5} {detail}", flush=True)
    if not ok:
        failed.append(check)


def t4j(args, cmd):
    p = subprocess.run([args.t4j] + cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"t4j {' '.join(cmd)} failed ({p.returncode}): {p.stderr.strip()}")
    return p.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--t4j", default="./t4j")
    ap.add_argument("--text", action="append", default=None)
    ap.add_argument("folder")
    ap.add_argument("images", nargs="*")
    args = ap.parse_args()
    texts = args.text or TEXTS

    model, info = CLIPModel.from_pretrained(args.folder, output_loading_info=True)
    model.eval()
    problems = {k: v for k, v in info.items() if v}
    report("load", not problems, f"loading info {problems}" if problems else "no missing/unexpected/mismatched weights")
    processor = CLIPProcessor.from_pretrained(args.folder)
    report("processor", True, f"{type(processor.tokenizer).__name__}, {type(processor.image_processor).__name__}")

    ours_ids = []
    for t in texts:
        out = t4j(args, ["tokenize", "-t", args.folder, t])
        line = next(l for l in out.splitlines() if l.startswith("ids:"))
        ours_ids.append([int(x) for x in line[4:].split()])
    hf_ids = [processor.tokenizer(t)["input_ids"] for t in texts]
    report("ids", hf_ids == ours_ids, "equal on %d texts" % len(texts) if hf_ids == ours_ids
           else f"HF {hf_ids} vs t4j {ours_ids}")

    with torch.no_grad():
        emb = []
        if args.images:
            px = processor(images=[Image.open(p) for p in args.images], return_tensors="pt")
            f = model.get_image_features(**px)
            f = f.pooler_output if hasattr(f, "pooler_output") else f
            emb += (f / f.norm(dim=-1, keepdim=True)).numpy().tolist()
        tx = processor(text=texts, return_tensors="pt", padding=True)
        f = model.get_text_features(**tx)
        f = f.pooler_output if hasattr(f, "pooler_output") else f
        emb += (f / f.norm(dim=-1, keepdim=True)).numpy().tolist()
    cmd = ["clip", "embed", "--model", args.folder]
    for p in args.images:
        cmd += ["--image", p]
    for t in texts:
        cmd += ["--text", t]
    ours = [json.loads(l) for l in t4j(args, cmd).splitlines() if l.strip()]
    hf = np.array(emb)
    ours = np.array(ours)
    if hf.shape != ours.shape:
        report("embeddings", False, f"shapes HF {hf.shape} vs t4j {ours.shape}")
    else:
        n = len(args.images)
        di = float(np.abs(hf[:n] - ours[:n]).max()) if n else 0.0
        dt = float(np.abs(hf[n:] - ours[n:]).max())
        report("embeddings", max(di, dt) <= TOL,
               f"{n} images max |diff| {di:.2e}, {len(texts)} texts max |diff| {dt:.2e} (tolerance {TOL})")
    from safetensors.numpy import load_file
    stored = float(load_file(f"{args.folder}/model.safetensors")["logit_scale"])
    report("logit_scale", abs(float(model.logit_scale.detach()) - stored) == 0.0,
           f"HF {float(model.logit_scale.detach()):.6f}, file {stored:.6f}")
    print("ALL PASS" if not failed else f"FAILED: {', '.join(failed)}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
