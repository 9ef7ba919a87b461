"""Reference outputs for the tiny BART-family encoder-decoders under testdata/models/hf-tiny/.

    ~/.venv-ref/bin/python bench/hf_tiny_seq2seq.py check   # recompute bart and pegasus, compare
    ~/.venv-ref/bin/python bench/hf_tiny_seq2seq.py marian  # write testdata/models/hf-tiny/marian/

`check` loads the committed bart and pegasus folders with Hugging Face transformers and recomputes
every number of their expected_outputs.json, so the conventions below (inputs, generate options)
are shown to be the ones those fixtures were made with. `marian` builds a MarianMTModel of the same
shape from random weights (std 0.15, seed 0), saves it and writes expected_outputs.json in the same
layout. Not run in CI: the Java tests read the committed files.
"""

import json
import sys
from pathlib import Path

import torch
import transformers
from transformers import AutoModelForSeq2SeqLM, MarianConfig, MarianMTModel

ROOT = Path(__file__).resolve().parent.parent / "testdata" / "models" / "hf-tiny"
SOURCES = [[0, 37, 215, 9, 40, 2], [0, 600, 5, 6, 7, 8, 9, 10, 11, 12, 13, 2]]
DECODER_INPUT = [2, 0, 66]
MAX_NEW = 8


def outputs(model):
    """The expected_outputs.json cases of `model` for SOURCES."""
    cases = []
    start = model.config.decoder_start_token_id
    for src in SOURCES:
        ids = torch.tensor([src])
        with torch.no_grad():
            out = model(input_ids=ids, decoder_input_ids=torch.tensor([DECODER_INPUT]))
            greedy = model.generate(ids, do_sample=False, num_beams=1, max_new_tokens=MAX_NEW)
            beams = model.generate(
                ids, do_sample=False, num_beams=3, length_penalty=1.0, early_stopping=True,
                max_new_tokens=MAX_NEW)
        assert greedy[0, 0].item() == start and beams[0, 0].item() == start
        cases.append({
            "input_ids": src,
            "decoder_input_ids": DECODER_INPUT,
            "encoder_last_hidden_state": out.encoder_last_hidden_state[0].tolist(),
            "logits": out.logits[0].tolist(),
            "greedy": greedy[0].tolist(),
            "beam_search": {"num_beams": 3, "length_penalty": 1.0, "early_stopping": True,
                            "output": beams[0].tolist()},
            "max_new_tokens": MAX_NEW,
        })
    return cases


def max_diff(a, b):
    ta, tb = torch.tensor(a), torch.tensor(b)
    return (ta - tb).abs().max().item()


def check(family):
    folder = ROOT / family
    model = AutoModelForSeq2SeqLM.from_pretrained(folder).eval()
    expected = json.loads((folder / "expected_outputs.json").read_text())["cases"]
    for got, want in zip(outputs(model), expected):
        enc = max_diff(got["encoder_last_hidden_state"], want["encoder_last_hidden_state"])
        logits = max_diff(got["logits"], want["logits"])
        same = (got["greedy"] == want["greedy"]
                and got["beam_search"]["output"] == want["beam_search"]["output"])
        print(f"{family} {want['input_ids']}: encoder {enc:.2e}, logits {logits:.2e}, "
              f"greedy and beams {'equal' if same else 'DIFFER'}")
        if not same or enc > 1e-5 or logits > 1e-5:
            sys.exit(1)


def marian():
    torch.manual_seed(0)
    config = MarianConfig(
        vocab_size=1000, decoder_vocab_size=1000, d_model=32, encoder_layers=2, decoder_layers=2,
        encoder_attention_heads=4, decoder_attention_heads=4, encoder_ffn_dim=37,
        decoder_ffn_dim=37, max_position_embeddings=64, activation_function="swish",
        scale_embedding=True, pad_token_id=1, eos_token_id=2, bos_token_id=0,
        decoder_start_token_id=1, forced_eos_token_id=None, dropout=0.0, attention_dropout=0.0,
        activation_dropout=0.0)
    model = MarianMTModel(config).eval()
    with torch.no_grad():
        for name, p in model.named_parameters():
            # The sinusoidal tables are fixed (not parameters HF trains); keep them as built.
            if "embed_positions" in name:
                continue
            if "layer_norm.weight" in name:
                # Around 1, as the bart and pegasus fixtures have them: near 0 would shrink every
                # hidden state and leave the logits to the bias alone.
                p.normal_(1.0, 0.1)
            elif "layer_norm.bias" in name:
                p.normal_(0.0, 0.1)
            else:
                p.normal_(0.0, 0.15)
        # Nonzero (the bart and pegasus files hold zeros), so that a missing bias shows.
        model.final_logits_bias.normal_(0.0, 0.15)
    folder = ROOT / "marian"
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)
    for extra in ("generation_config.json",):
        (folder / extra).unlink(missing_ok=True)
    doc = {
        "note": "MarianMTModel {'scale_embedding': True, 'activation_function': 'swish', "
                "'decoder_start_token_id': 1 (the pad id, as Marian checkpoints have it)}, random "
                "weights (std 0.15; LayerNorm weights 1 + N(0, 0.1²), biases N(0, 0.1²); "
                "final_logits_bias N(0, 0.15²)), seed 0; made by "
                "bench/hf_tiny_seq2seq.py marian",
        "transformers": transformers.__version__,
        "torch": torch.__version__,
        "cases": outputs(model),
    }
    (folder / "expected_outputs.json").write_text(json.dumps(doc))
    print("wrote", folder, [c["greedy"] for c in doc["cases"]],
          [c["beam_search"]["output"] for c in doc["cases"]])


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else "check"
    if what == "check":
        check("bart")
        check("pegasus")
    elif what == "marian":
        marian()
        check("marian")
    else:
        sys.exit("usage: hf_tiny_seq2seq.py check|marian")
