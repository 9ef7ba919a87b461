#!/usr/bin/env python3
"""Forward+backward time of one torch.nn.LSTM / torch.nn.GRU layer in PyTorch, the peer of
`t4j bench rnn`.

One layer, unidirectional, batch-first, input size = hidden size, zero initial state, float32,
PyTorch's default initialization. Each run: the layer's forward over a (B, T, H) input that needs
its gradient, the loss sum(output), and the backward for the input and every weight (the weight
gradients are reset to None before each run, so no accumulation pass is timed). Prints the median
and best milliseconds of `runs` runs after `warmup` warm-up runs, in the format of `t4j bench rnn`.

Usage: python bench/rnn_torch.py [lstm|gru] [threads=1] [B=32] [T=128] [H=256] [runs=11] [warmup=3]
"""
import sys
import time

import torch

args = sys.argv[1:]
kind = args[0] if args else "lstm"
threads, b, t, h, runs, warmup = ([int(a) for a in args[1:7]] + [1, 32, 128, 256, 11, 3][len(args[1:7]):])[:6]
if kind not in ("lstm", "gru"):
    sys.exit(f"rnn_torch.py: kind: expected lstm or gru, got {kind}")
torch.set_num_threads(threads)
torch.manual_seed(1)
layer = (torch.nn.LSTM if kind == "lstm" else torch.nn.GRU)(h, h, num_layers=1, batch_first=True)
x = torch.randn(b, t, h, requires_grad=True)

ms = []
for i in range(warmup + runs):
    x.grad = None
    for p in layer.parameters():
        p.grad = None
    t0 = time.perf_counter()
    out, _ = layer(x)
    out.sum().backward()
    dt = (time.perf_counter() - t0) * 1e3
    if i >= warmup:
        ms.append(dt)
ms.sort()
print(f"torch {kind} B={b} T={t} H={h} threads={threads} forward+backward: median {ms[len(ms) // 2]:.1f} ms, "
      f"best {ms[0]:.1f} ms (PyTorch {torch.__version__})")
