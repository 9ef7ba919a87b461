"""Writes long_references.json: longer T5 / mT5 decodes by Hugging Face, for the hf-tiny fixtures.

Run with the reference venv (transformers 5.18, PyTorch 2.13, offline) from the repository root:
    ~/.venv-ref/bin/python testdata/t5/make_long_references.py
For testdata/models/hf-tiny/{t5,mt5}: two sources in one right-padded batch (attention_mask),
a 30-token teacher-forced decoder input (logits kept at a few positions, rounded to 1e-6, past the fixtures'
max_distance 20), and generate()'s greedy and 3-beam ids with max_new_tokens 30 on that batch.
"""
import json
import os

import torch
import transformers
from transformers import AutoModelForSeq2SeqLM

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SOURCES = [[37, 215, 9, 40, 1], [600] + list(range(5, 26)) + [1]]
DECODER = [0] + [(37 * i + 11) % 1100 for i in range(1, 30)]
KEEP = [0, 21, 29]

out = {
    "note": "sources right-padded with pad_token_id in one batch (attention_mask); logits of "
            "decoder_input_ids at positions `positions` for each row; generate() greedy and "
            "num_beams 3 (early_stopping True, length_penalty 1.0) with max_new_tokens 30",
    "transformers": transformers.__version__,
    "torch": torch.__version__,
    "sources": SOURCES,
    "decoder_input_ids": DECODER,
    "positions": KEEP,
    "models": {},
}
torch.manual_seed(0)
for family in ["t5", "mt5"]:
    model = AutoModelForSeq2SeqLM.from_pretrained(os.path.join(ROOT, "testdata/models/hf-tiny", family)).eval()
    pad = model.config.pad_token_id
    width = max(len(s) for s in SOURCES)
    ids = torch.tensor([s + [pad] * (width - len(s)) for s in SOURCES])
    mask = torch.tensor([[1] * len(s) + [0] * (width - len(s)) for s in SOURCES])
    dec = torch.tensor([DECODER] * len(SOURCES))
    with torch.no_grad():
        logits = model(input_ids=ids, attention_mask=mask, decoder_input_ids=dec).logits
        greedy = model.generate(input_ids=ids, attention_mask=mask, do_sample=False, num_beams=1,
                                max_new_tokens=30)
        beams = model.generate(input_ids=ids, attention_mask=mask, do_sample=False, num_beams=3,
                               early_stopping=True, length_penalty=1.0, max_new_tokens=30)
    out["models"][family] = {
        "logits": [[[round(x, 6) for x in logits[r, p].tolist()] for p in KEEP] for r in range(len(SOURCES))],
        "greedy": greedy.tolist(),
        "beam_search": beams.tolist(),
    }
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "long_references.json")
with open(path, "w") as f:
    json.dump(out, f, separators=(",", ":"))
    f.write("\n")
print("wrote", path)
for family, m in out["models"].items():
    print(family, "greedy", m["greedy"])
    print(family, "beams", m["beam_search"])
