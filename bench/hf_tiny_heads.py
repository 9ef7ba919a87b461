#!/usr/bin/env python3
"""Reference outputs for the encoder task heads, from Hugging Face transformers 5.18 (PyTorch 2.13).

Builds two tiny random models with named labels (id2label), every parameter drawn from
N(0, 0.15^2) with a fixed seed so that mistakes show, and records HF's outputs on a single
sequence and on a right-padded batch of two:
  testdata/models/hf-tiny/roberta-seqcls/  RobertaForSequenceClassification (3 labels)
  testdata/models/hf-tiny/electra-tokcls/  ElectraForTokenClassification (5 labels, embedding_size 16)
  testdata/models/hf-tiny/electra-generator/  ElectraForMaskedLM (the generator, embedding_size 16)
  testdata/models/hf-tiny/opt-postln/      OPTForCausalLM laid out as OPT-350m: post-LN blocks, no
                                           final_layer_norm, word_embed_proj_dim 16; logits only
Each folder gets config.json, model.safetensors and expected_outputs.json (with a `note`).

Run from the repository root, offline:  ~/.venv-ref/bin/python bench/hf_tiny_heads.py
"""
import json
import os

import torch
from transformers import (ElectraConfig, ElectraForMaskedLM, ElectraForTokenClassification,
                          OPTConfig, OPTForCausalLM, RobertaConfig, RobertaForSequenceClassification)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "testdata", "models", "hf-tiny")


def randomize(model, seed):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for _, p in sorted(model.named_parameters()):
            p.copy_(torch.randn(p.shape, generator=g) * 0.15)



def save(model, name, note, cases, hidden=True):
    d = os.path.join(OUT, name)
    model.save_pretrained(d, safe_serialization=True)
    out = {"note": note, "transformers": __import__("transformers").__version__,
           "torch": torch.__version__, "cases": []}
    model.eval()
    for ids, mask in cases:
        with torch.no_grad():
            r = model(input_ids=torch.tensor(ids), attention_mask=torch.tensor(mask),
                      output_hidden_states=True)
        case = {"input_ids": ids, "attention_mask": mask}
        if hidden:
            case["last_hidden_state"] = torch.round(r.hidden_states[-1], decimals=7).tolist()
        case["logits"] = torch.round(r.logits, decimals=7).tolist()
        out["cases"].append(case)
    with open(os.path.join(d, "expected_outputs.json"), "w") as f:
        json.dump(out, f)
    print(name, "written:", [os.path.getsize(os.path.join(d, x)) for x in sorted(os.listdir(d))])


def main():
    roberta = RobertaConfig(
        vocab_size=1000, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
        intermediate_size=37, max_position_embeddings=66, type_vocab_size=1, pad_token_id=1,
        bos_token_id=0, eos_token_id=2, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0,
        id2label={0: "negative", 1: "neutral", 2: "positive"},
        label2id={"negative": 0, "neutral": 1, "positive": 2})
    torch.manual_seed(0)
    m = RobertaForSequenceClassification(roberta)
    randomize(m, 10)
    save(m, "roberta-seqcls",
         "RobertaForSequenceClassification (classifier.dense + tanh + classifier.out_proj on <s>), "
         "labels negative/neutral/positive, random weights (std 0.15); right padding with pad id 1; "
         "logits (B, 3); last_hidden_state at every position, padding included",
         [([[0, 31, 415, 7, 88, 2]], [[1, 1, 1, 1, 1, 1]]),
          ([[0, 5, 6, 7, 2, 1, 1, 1], [0, 900, 17, 250, 44, 61, 3, 2]],
           [[1, 1, 1, 1, 1, 0, 0, 0], [1, 1, 1, 1, 1, 1, 1, 1]])])

    electra = ElectraConfig(
        vocab_size=1000, embedding_size=16, hidden_size=32, num_hidden_layers=2,
        num_attention_heads=4, intermediate_size=37, max_position_embeddings=64,
        hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0,
        id2label={0: "O", 1: "B-PER", 2: "I-PER", 3: "B-LOC", 4: "I-LOC"},
        label2id={"O": 0, "B-PER": 1, "I-PER": 2, "B-LOC": 3, "I-LOC": 4})
    torch.manual_seed(0)
    m = ElectraForTokenClassification(electra)
    randomize(m, 11)
    save(m, "electra-tokcls",
         "ElectraForTokenClassification (embedding_size 16 projected to hidden 32; classifier per "
         "token), labels O/B-PER/I-PER/B-LOC/I-LOC, random weights (std 0.15); right padding with "
         "pad id 0; logits (B, T, 5) at every position, padding included",
         [([[101, 31, 415, 7, 88, 102]], [[1, 1, 1, 1, 1, 1]]),
          ([[101, 5, 6, 7, 102, 0, 0, 0], [101, 900, 17, 250, 44, 61, 3, 102]],
           [[1, 1, 1, 1, 1, 0, 0, 0], [1, 1, 1, 1, 1, 1, 1, 1]])])

    electra.id2label = None
    electra.label2id = None
    gen = ElectraConfig(
        vocab_size=1000, embedding_size=16, hidden_size=32, num_hidden_layers=2,
        num_attention_heads=4, intermediate_size=37, max_position_embeddings=64,
        hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
    torch.manual_seed(0)
    m = ElectraForMaskedLM(gen)
    randomize(m, 12)
    save(m, "electra-generator",
         "ElectraForMaskedLM (the generator: generator_predictions dense 32->16, gelu, LayerNorm, "
         "generator_lm_head tied to the 16-wide word embeddings), random weights (std 0.15); right "
         "padding with pad id 0; logits (B, T, 1000) at every position, padding included",
         [([[101, 31, 415, 7, 88, 102]], [[1, 1, 1, 1, 1, 1]]),
          ([[101, 5, 6, 7, 102, 0, 0, 0], [101, 900, 17, 250, 44, 61, 3, 102]],
           [[1, 1, 1, 1, 1, 0, 0, 0], [1, 1, 1, 1, 1, 1, 1, 1]])])

    opt = OPTConfig(
        vocab_size=1000, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, ffn_dim=37,
        max_position_embeddings=64, word_embed_proj_dim=16, do_layer_norm_before=False,
        dropout=0.0, attention_dropout=0.0, pad_token_id=1, bos_token_id=2, eos_token_id=2)
    torch.manual_seed(0)
    m = OPTForCausalLM(opt)
    randomize(m, 13)
    save(m, "opt-postln",
         "OPTForCausalLM as OPT-350m is built: do_layer_norm_before false (post-LN blocks, no "
         "final_layer_norm), word_embed_proj_dim 16 with project_in/project_out, random weights "
         "(std 0.15); right padding with pad id 1 (positions from the attention mask's cumulative "
         "sum, padding at -1 + 2); logits (B, T, 1000) at every position, padding included",
         [([[2, 31, 415, 7]], [[1, 1, 1, 1]]),
          ([[2, 5, 6, 7, 1, 1, 1], [2, 900, 17, 250, 44, 61, 3]],
           [[1, 1, 1, 1, 0, 0, 0], [1, 1, 1, 1, 1, 1, 1]])],
         hidden=False)


if __name__ == "__main__":
    main()
