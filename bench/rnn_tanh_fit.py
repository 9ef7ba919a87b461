#!/usr/bin/env python3
"""Fits the rational tanh of the cpu backend's recurrent gate passes (kernels/Recurrent.java).

tanh(x) ~ x*P(x^2)/Q(x^2) on |x| <= 9 with P of degree 6 and Q of degree 3, Q(0) = 1: least squares
on the linearized error x*P - tanh(x)*Q over 80,000 points of [0, 9] (uniform plus Chebyshev-spaced),
reweighted by the error for 40 rounds (towards the minimax fit), the best round kept. Prints the
error in double, the error of the float evaluation the kernel does (Horner, then clamp to [-1, 1]),
and the coefficients in the powers of x^2 the kernel uses.

Usage: python bench/rnn_tanh_fit.py   (numpy only)
"""
import numpy as np

C = 9.0
x = np.concatenate([C * (1 - np.cos(np.linspace(0, np.pi / 2, 40001))), np.linspace(0, C, 40001)])
y = np.tanh(x)
u = (x / C) ** 2  # the fit runs in u = (x/C)^2 for conditioning


def fit(w):
    a = np.hstack([np.stack([x * u ** k for k in range(7)], 1),
                   -np.stack([y * u ** k for k in range(1, 4)], 1)])
    sol, *_ = np.linalg.lstsq(a * w[:, None], y * w, rcond=None)
    return sol[:7], np.concatenate([[1.0], sol[7:]])


w = np.ones_like(x)
best = None
for _ in range(40):
    p, q = fit(w)
    err = x * np.polyval(p[::-1], u) / np.polyval(q[::-1], u) - y
    m = np.abs(err).max()
    if best is None or m < best[0]:
        best = (m, p, q)
    w = w * (np.abs(err) / m + 0.05) ** 0.5
    w /= w.max()
m, p, q = best
print(f"max |error| in double: {m:.3g}; min Q on the range {np.polyval(q[::-1], u).min():.3g}")
ps = np.array([p[k] / C ** (2 * k) for k in range(7)]).astype(np.float32)  # back to powers of x^2
qs = np.array([q[k] / C ** (2 * k) for k in range(4)]).astype(np.float32)
xs = np.linspace(-12, 12, 2400001).astype(np.float32)
xc = np.clip(xs, np.float32(-C), np.float32(C))
s = xc * xc
num = np.float32(ps[6])
for k in range(5, -1, -1):
    num = num * s + ps[k]
num = num * xc
den = np.float32(qs[3])
for k in range(2, -1, -1):
    den = den * s + qs[k]
t = np.clip(num / den, np.float32(-1), np.float32(1))
print(f"max |error| evaluated in float on [-12, 12]: {np.abs(t - np.tanh(xs.astype(np.float64))).max():.3g}")
print("P:", ", ".join(repr(float(v)) for v in ps))
print("Q:", ", ".join(repr(float(v)) for v in qs))
