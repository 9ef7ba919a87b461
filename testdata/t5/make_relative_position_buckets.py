"""Writes relative_position_buckets.json: T5's relative position buckets as Hugging Face computes them.

Run with the reference venv (transformers 5.18, PyTorch 2.13, offline):
    ~/.venv-ref/bin/python testdata/t5/make_relative_position_buckets.py
For each (bidirectional, num_buckets, max_distance) the bucket of every relative position
key - query in [-LIMIT, LIMIT], from T5Attention._relative_position_bucket.
"""
import json
import os

import torch
import transformers
from transformers.models.t5.modeling_t5 import T5Attention

LIMIT = 600
SETTINGS = [
    (True, 32, 128), (False, 32, 128),  # t5-small .. t5-11b, mT5
    (True, 8, 20), (False, 8, 20),      # the hf-tiny fixtures
    (True, 10, 7), (False, 5, 3),       # odd counts, max distance below the exact range
]

cases = []
rel = torch.arange(-LIMIT, LIMIT + 1, dtype=torch.long)
for bidirectional, buckets, distance in SETTINGS:
    b = T5Attention._relative_position_bucket(
        rel, bidirectional=bidirectional, num_buckets=buckets, max_distance=distance)
    cases.append({"bidirectional": bidirectional, "num_buckets": buckets, "max_distance": distance,
                  "first_relative_position": -LIMIT, "buckets": b.tolist()})

out = {
    "note": "T5Attention._relative_position_bucket(relative_position, bidirectional, num_buckets, "
            "max_distance) for relative_position = key - query from first_relative_position upward",
    "transformers": transformers.__version__,
    "torch": torch.__version__,
    "cases": cases,
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "relative_position_buckets.json")
with open(path, "w") as f:
    json.dump(out, f, separators=(",", ":"))
    f.write("\n")
print("wrote", path)
