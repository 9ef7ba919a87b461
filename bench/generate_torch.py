#!/usr/bin/env python3
"""Decoding throughput of a GPT-2-shaped decoder in PyTorch, the peer of `t4j bench generate`.

The same model and loop: GPT-2 blocks (pre-LN, fused qkv, GELU tanh, tied head), random weights
(std 0.02), a prompt of random tokens, then greedy decoding one token at a time with a key/value
cache grown by concatenation, batch 1, under torch.inference_mode(). Prints the prefill time and
the decode rate as medians of `runs` runs after one warm-up run, in the format of
`t4j bench generate`.

Usage: /usr/bin/python3 bench/generate_torch.py [threads] [prompt] [new] [runs] [layers] [width]
       [heads] [vocab]   (defaults 1 32 64 3 12 768 12 50257: GPT-2 small)
"""
import math
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

args = [int(a) for a in sys.argv[1:]]
threads, prompt, new, runs, L, C, H, V = (args + [1, 32, 64, 3, 12, 768, 12, 50257][len(args):])[:8]
torch.set_num_threads(threads)
torch.manual_seed(1)
P = max(1024, prompt + new)


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln_1, self.ln_2 = nn.LayerNorm(C), nn.LayerNorm(C)
        self.c_attn, self.c_proj = nn.Linear(C, 3 * C), nn.Linear(C, C)
        self.c_fc, self.mlp_proj = nn.Linear(C, 4 * C), nn.Linear(4 * C, C)

    def forward(self, x, cache):
        b, t, c = x.shape
        q, k, v = self.c_attn(self.ln_1(x)).split(C, dim=2)
        q, k, v = (z.view(b, t, H, C // H).transpose(1, 2) for z in (q, k, v))
        if cache:
            k = torch.cat([cache[0], k], dim=2)
            v = torch.cat([cache[1], v], dim=2)
        tk = k.shape[2]
        att = (q @ k.transpose(-2, -1)) / math.sqrt(C // H)
        if t > 1:  # the prompt: causal; a single new query sees every cached key
            future = torch.triu(torch.ones(t, tk, dtype=torch.bool), tk - t + 1)
            att = att.masked_fill(future, float("-inf"))
        y = (att.softmax(-1) @ v).transpose(1, 2).reshape(b, t, c)
        x = x + self.c_proj(y)
        x = x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))
        return x, (k, v)


class Gpt(nn.Module):
    def __init__(self):
        super().__init__()
        self.wte, self.wpe = nn.Embedding(V, C), nn.Embedding(P, C)
        self.h = nn.ModuleList(Block() for _ in range(L))
        self.ln_f = nn.LayerNorm(C)
        for p in self.parameters():
            if p.dim() >= 2:
                nn.init.normal_(p, std=0.02)

    def forward(self, idx, start, caches):
        x = self.wte(idx) + self.wpe(torch.arange(start, start + idx.shape[1]))
        out = []
        for blk, cache in zip(self.h, caches):
            x, kv = blk(x, cache)
            out.append(kv)
        return self.ln_f(x[:, -1]) @ self.wte.weight.T, out


model = Gpt().eval()
ids = torch.randint(0, V, (1, prompt))
prefill, rate = [], []
with torch.inference_mode():
    for r in range(-1, runs):
        t0 = time.perf_counter()
        logits, caches = model(ids, 0, [None] * L)
        token = logits.argmax(-1, keepdim=True)
        t1 = time.perf_counter()
        for i in range(new - 1):
            logits, caches = model(token, prompt + i, caches)
            token = logits.argmax(-1, keepdim=True)
        t2 = time.perf_counter()
        if r >= 0:
            prefill.append((t1 - t0) * 1e3)
            rate.append((new - 1) / (t2 - t1))
prefill.sort()
rate.sort()
print(f"generate gpt2 {L}x{C} (vocab {V}, random weights) on torch {torch.__version__}, {threads} "
      f"thread{'s' if threads > 1 else ''}: prompt {prompt}, new {new}, median of {runs}: "
      f"prefill {prefill[runs // 2]:.1f} ms, decode {rate[runs // 2]:.1f} tokens/s")
