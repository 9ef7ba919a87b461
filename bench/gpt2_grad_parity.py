#!/usr/bin/env python3
"""Reference numbers for training's gradient-parity test, from PyTorch (Debian python3-torch 1.13).

GPT-2 written in plain torch from testdata/models/tiny-random-gpt2 (no `transformers`
package): the causal-LM loss and every parameter gradient of one step, then the losses of five
AdamW steps (decay on matrices but not embeddings, biases or norms; clipping at global norm 1.0).
Writes training/src/test/resources/parity/gpt2_grad_parity.{json,safetensors}.

Run from the repository root:  /usr/bin/python3 bench/gpt2_grad_parity.py
"""
import json, math, os, struct, sys
import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(ROOT, "testdata", "models", "tiny-random-gpt2")
OUT = os.path.join(ROOT, "training", "src", "test", "resources", "parity")
B, T = 2, 8
LR, BETAS, EPS, WD, CLIP = 1e-2, (0.9, 0.99), 1e-8, 0.1, 1.0


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        assert t["dtype"] == "F32", (name, t["dtype"])
        a, b = t["data_offsets"]
        out[name] = np.frombuffer(data[a:b], dtype="<f4").reshape(t["shape"]).copy()
    return out


def write_safetensors(path, tensors):
    header, offset, blobs = {}, 0, []
    for name, a in tensors.items():
        b = np.ascontiguousarray(a, dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [offset, offset + len(b)]}
        offset += len(b)
        blobs.append(b)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


def forward(p, ids, cfg):
    nh, c, L = cfg["n_head"], cfg["n_embd"], cfg["n_layer"]
    b, t = ids.shape
    x = p["wte.weight"][ids] + p["wpe.weight"][torch.arange(t)]
    causal = torch.tril(torch.ones(t, t, dtype=torch.bool))
    for i in range(L):
        q = lambda n: p[f"h.{i}.{n}"]
        h = torch.nn.functional.layer_norm(x, (c,), q("ln_1.weight"), q("ln_1.bias"), cfg["layer_norm_epsilon"])
        qkv = h @ q("attn.c_attn.weight") + q("attn.c_attn.bias")
        qq, kk, vv = qkv.split(c, dim=2)
        heads = lambda z: z.view(b, t, nh, c // nh).transpose(1, 2)  # (B, nh, T, hs)
        qq, kk, vv = heads(qq), heads(kk), heads(vv)
        att = (qq @ kk.transpose(-2, -1)) / math.sqrt(c // nh)
        att = att.masked_fill(~causal, float("-inf")).softmax(-1)
        y = (att @ vv).transpose(1, 2).contiguous().view(b, t, c)
        x = x + (y @ q("attn.c_proj.weight") + q("attn.c_proj.bias"))
        h = torch.nn.functional.layer_norm(x, (c,), q("ln_2.weight"), q("ln_2.bias"), cfg["layer_norm_epsilon"])
        h = gelu_new(h @ q("mlp.c_fc.weight") + q("mlp.c_fc.bias"))
        x = x + (h @ q("mlp.c_proj.weight") + q("mlp.c_proj.bias"))
    x = torch.nn.functional.layer_norm(x, (c,), p["ln_f.weight"], p["ln_f.bias"], cfg["layer_norm_epsilon"])
    return x @ p["wte.weight"].T  # tied head, (B, T, V)


def batch(k, vocab):
    # Deterministic ids the Java test rebuilds from the JSON: rows of T+1 tokens.
    return [[(k * 131 + r * 977 + j * 37 + 11) % vocab for j in range(T + 1)] for r in range(B)]


def loss_of(p, rows, cfg):
    ids = torch.tensor(rows)
    logits = forward(p, ids[:, :T], cfg)
    return torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), ids[:, 1:].reshape(-1))


def main():
    torch.manual_seed(0)
    cfg = json.load(open(os.path.join(FIX, "config.json")))
    w = read_safetensors(os.path.join(FIX, "model.safetensors"))
    names = [n for n in w if not n.endswith(".attn.bias") and not n.endswith("masked_bias") and n != "lm_head.weight"]
    names = [n[len("transformer."):] if n.startswith("transformer.") else n for n in names]
    p = {n: torch.tensor(w.get(n, w.get("transformer." + n)), requires_grad=True) for n in names}
    batches = [batch(k, cfg["vocab_size"]) for k in range(5)]

    loss = loss_of(p, batches[0], cfg)
    loss.backward()
    grads = {n: p[n].grad.detach().numpy().copy() for n in names}

    for n in names:
        p[n].grad = None
    decay = [p[n] for n in names if p[n].dim() >= 2 and n not in ("wte.weight", "wpe.weight")]
    no_decay = [p[n] for n in names if not (p[n].dim() >= 2 and n not in ("wte.weight", "wpe.weight"))]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": WD}, {"params": no_decay, "weight_decay": 0.0}],
        lr=LR, betas=BETAS, eps=EPS)
    losses, norms = [], []
    for k in range(5):
        opt.zero_grad()
        l = loss_of(p, batches[k], cfg)
        l.backward()
        norms.append(float(torch.nn.utils.clip_grad_norm_([p[n] for n in names], CLIP)))
        opt.step()
        losses.append(float(l))

    os.makedirs(OUT, exist_ok=True)
    write_safetensors(os.path.join(OUT, "gpt2_grad_parity.safetensors"), grads)
    json.dump({
        "source": "bench/gpt2_grad_parity.py, torch " + torch.__version__,
        "fixture": "testdata/models/tiny-random-gpt2",
        "batch": B, "block": T,
        "batches": batches,
        "loss": float(loss),
        "adamw": {"lr": LR, "betas": list(BETAS), "eps": EPS, "weight_decay": WD, "clip": CLIP,
                   "decay": "matrices; not wte, wpe, biases, norms"},
        "adamw_losses": losses,
        "adamw_grad_norms": norms,
        "gradients": "gpt2_grad_parity.safetensors",
    }, open(os.path.join(OUT, "gpt2_grad_parity.json"), "w"), indent=1)
    print("loss", float(loss), "adamw losses", losses)


if __name__ == "__main__":
    sys.exit(main())
