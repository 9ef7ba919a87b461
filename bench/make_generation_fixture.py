"""Makes testdata/models/hf-tiny/gpt2: a tiny random GPT-2 (std 0.15 weights, so distributions are
peaked and ties do not occur) saved by Hugging Face transformers, and the ids that its `generate`
returns under many generation settings (greedy and beam search with each logits processor and
each early-stopping rule), alone and in a left-padded batch. The Java Generator must give the
same ids. Run with the reference venv: ~/.venv-ref/bin/python bench/make_generation_fixture.py
"""
import json
import os
import sys

import torch
import transformers
from transformers import GPT2Config, GPT2LMHeadModel

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(__file__), "..", "testdata", "models", "hf-tiny", "gpt2")
os.makedirs(out, exist_ok=True)
EOS = 59  # a token this model often picks, so hypotheses finish at many lengths
FORCED = 7
torch.manual_seed(1234)
config = GPT2Config(vocab_size=300, n_positions=64, n_embd=32, n_layer=2, n_head=4,
                    bos_token_id=0, eos_token_id=EOS, pad_token_id=1,
                    resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0)
model = GPT2LMHeadModel(config)
with torch.no_grad():
    for name, p in model.named_parameters():
        if p.dim() >= 1:
            p.normal_(0.0, 0.15)
model.eval()
model.save_pretrained(out)

prompts = [[0, 31, 45, 9], [0, 5, 6, 7, 8, 9, 10, 11], [0, 200]]
settings = {
    "greedy": dict(do_sample=False, num_beams=1),
    "greedy_repetition_1.3": dict(do_sample=False, num_beams=1, repetition_penalty=1.3),
    "greedy_no_repeat_2": dict(do_sample=False, num_beams=1, no_repeat_ngram_size=2),
    "greedy_min_new_6": dict(do_sample=False, num_beams=1, min_new_tokens=6),
    "greedy_forced_eos": dict(do_sample=False, num_beams=1, forced_eos_token_id=FORCED),
    "beams3": dict(do_sample=False, num_beams=3, early_stopping=True),
    "beams3_not_early": dict(do_sample=False, num_beams=3, early_stopping=False),
    "beams3_never": dict(do_sample=False, num_beams=3, early_stopping="never"),
    "beams4_lp0.5": dict(do_sample=False, num_beams=4, early_stopping=True, length_penalty=0.5),
    "beams4_lp2_never": dict(do_sample=False, num_beams=4, early_stopping="never", length_penalty=2.0),
    "beams3_no_repeat_2": dict(do_sample=False, num_beams=3, early_stopping=True, no_repeat_ngram_size=2),
    "beams3_repetition_1.5": dict(do_sample=False, num_beams=3, early_stopping=True, repetition_penalty=1.5),
    "beams3_min_new_5": dict(do_sample=False, num_beams=3, early_stopping=True, min_new_tokens=5),
    "beams2_forced_eos": dict(do_sample=False, num_beams=2, early_stopping=True, forced_eos_token_id=FORCED),
}
cases = []
with torch.no_grad():
    for name, kw in settings.items():
        for max_new in (6, 12):
            alone = []
            for p in prompts:
                ids = torch.tensor([p])
                o = model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=max_new,
                                   pad_token_id=1, eos_token_id=EOS, **kw)
                alone.append(o[0].tolist())
            # The same prompts in one left-padded batch; the pads are stripped from the outputs.
            width = max(len(p) for p in prompts)
            ids = torch.tensor([[1] * (width - len(p)) + p for p in prompts])
            mask = torch.tensor([[0] * (width - len(p)) + [1] * len(p) for p in prompts])
            o = model.generate(ids, attention_mask=mask, max_new_tokens=max_new, pad_token_id=1,
                               eos_token_id=EOS, **kw)
            batch = []
            for i, p in enumerate(prompts):
                row = o[i].tolist()[width - len(p):]
                # Rows that ended early are filled with pad (1) after their EOS.
                if EOS in row[len(p):]:
                    row = row[:len(p) + row[len(p):].index(EOS) + 1]
                batch.append(row)
            cases.append(dict(name=name, settings={k: v for k, v in kw.items()}, max_new_tokens=max_new,
                              eos_token_id=EOS, pad_token_id=1, forced_token=FORCED, prompts=prompts, alone=alone, batch=batch))
with open(os.path.join(out, "expected_generation.json"), "w") as f:
    json.dump(dict(note="Hugging Face generate() ids of this tiny random GPT-2 (std 0.15 weights) under each "
                        "setting, eos 59, pad 1; 'alone' per prompt, 'batch' the same prompts left-padded in one "
                        "batch with the pads stripped and rows cut after their EOS. Made by "
                        "bench/make_generation_fixture.py",
                   transformers=transformers.__version__, torch=torch.__version__, cases=cases), f, indent=1)
print("wrote", len(cases), "cases to", out)
