#!/usr/bin/env python3
"""Diagnoses why a CLIP trained by `t4j clip train` on `t4j clip synth` data misnames the held-out
color-shape combinations: is it the image tower or the text tower?

For the images of each held-out combination of the test split it prints
  zero-shot shape   the argmax over the prompt-ensembled shape words alone ("a photo of a circle.", ...)
  zero-shot color   the same over the color words alone;
and over the whole test split
  linear probe      a logistic regression fitted on the image tower's pooled output (and on the
                    normalized image embeddings) of the SEEN images' shapes (colors), evaluated on the
                    held-out images: if even a probe fitted to the image features cannot read the shape
                    of a held-out image, the image tower does not represent it apart from its color.
Not run in CI (needs the venv). Nothing is fitted to held-out images.

Usage: ~/.venv-ref/bin/python bench/clip_holdout_probe.py DATA_DIR MODEL_DIR
"""
import collections
import sys

import numpy as np
import torch
from PIL import Image
from transformers import CLIPModel, CLIPProcessor

TEMPLATES = ["a photo of a {}.", "a {}.", "a drawing of a {}.", "a picture of a {}.", "there is a {}."]
SHAPES = ["circle", "square", "triangle"]
COLORS = ["red", "green", "blue", "yellow", "white", "black"]


def main(data, model_dir):
    model = CLIPModel.from_pretrained(model_dir).eval()
    proc = CLIPProcessor.from_pretrained(model_dir)
    rows = [l.rstrip("\n").split("\t") for l in open(f"{data}/test-labels.tsv", encoding="utf-8")][1:]
    images = [Image.open(f"{data}/{r[0]}").convert("RGB") for r in rows]
    seen = np.array([r[2] == "seen" for r in rows])
    with torch.no_grad():
        pixels = proc(images=images, return_tensors="pt")["pixel_values"]
        pooled = model.vision_model(pixel_values=pixels).pooler_output
        embeds = torch.nn.functional.normalize(model.visual_projection(pooled), dim=-1)

        def classes(words):
            out = []
            for w in words:
                t = proc(text=[x.format(w) for x in TEMPLATES], return_tensors="pt", padding=True)
                e = model.text_projection(model.text_model(**t).pooler_output)
                e = torch.nn.functional.normalize(e, dim=-1).mean(0)
                out.append(torch.nn.functional.normalize(e, dim=-1))
            return torch.stack(out)

        for kind, words, part in [("shape", SHAPES, 1), ("color", COLORS, 0)]:
            pred = (embeds @ classes(words).T).argmax(1)
            for label in sorted({r[1] for r in rows if r[2] == "held-out"}):
                idx = [i for i, r in enumerate(rows) if r[1] == label]
                counts = collections.Counter(words[int(pred[i])] for i in idx)
                right = counts[label.split()[part]]
                print(f"zero-shot {kind} on held-out {label}: {right}/{len(idx)} right {dict(counts)}")

    for name, x in [("pooled output", pooled), ("image embeddings", embeds)]:
        for kind, part in [("shape", 1), ("color", 0)]:
            y_words = [r[1].split()[part] for r in rows]
            names = sorted(set(y_words))
            y = torch.tensor([names.index(w) for w in y_words])
            mu, sd = x[seen].mean(0), x[seen].std(0) + 1e-6
            z = (x - mu) / sd
            w = torch.zeros(x.shape[1], len(names), requires_grad=True)
            b = torch.zeros(len(names), requires_grad=True)
            opt = torch.optim.Adam([w, b], lr=0.05)
            for _ in range(500):
                opt.zero_grad()
                loss = torch.nn.functional.cross_entropy(z[seen] @ w + b, y[seen]) + 1e-3 * (w**2).sum()
                loss.backward()
                opt.step()
            pred = (z @ w + b).argmax(1)
            acc_seen = (pred[seen] == y[seen]).float().mean().item()
            acc_held = (pred[~seen] == y[~seen]).float().mean().item()
            print(f"linear probe ({name}) {kind}: seen {100 * acc_seen:.1f} %, held-out {100 * acc_held:.1f} %")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    torch.manual_seed(0)
    main(sys.argv[1], sys.argv[2])
