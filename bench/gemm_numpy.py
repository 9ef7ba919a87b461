#!/usr/bin/python3
"""SGEMM GFLOP/s of numpy (OpenBLAS) measured the way `t4j bench gemm` measures ours.

Same protocol as io.github.transformers4j.apps.bench.GemmBench: random float32 matrices uniform in
[-1, 1), C = A @ B with a freshly allocated C, a few entries checked against float64 dot products,
warm-up, then --repeats samples of at least --min-sample-ms each; median and best reported. The
JSON written with --json has the same fields as `t4j bench gemm --json`.

The thread count must be fixed before numpy loads OpenBLAS, so the caller sets
OPENBLAS_NUM_THREADS (bench/gemm-vs-openblas.sh does); --threads only checks and records it, and
uses threadpoolctl to enforce it when that package is installed.
"""

import argparse
import ctypes
import json
import os
import platform
import statistics
import sys
import time


def positive_ints(text):
    values = [int(v) for v in text.split(",") if v.strip()]
    if not values or any(v <= 0 for v in values):
        raise argparse.ArgumentTypeError(f"'{text}' is not a list of positive integers")
    return values


def openblas_info():
    """Config string, core name and thread count of the OpenBLAS that numpy loaded, read from the
    library itself (ctypes), so it is right whatever numpy.show_config() was built with."""
    info = {"library": None, "config": None, "corename": None, "num_threads": None}
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "/" in line and ".so" in line}
    except OSError:
        paths = set()
    for path in sorted(paths):
        name = os.path.basename(path)
        if not ("blas" in name or "lapack" in name):
            continue
        try:
            lib = ctypes.CDLL(path)
            get_config = lib.openblas_get_config
        except (OSError, AttributeError):
            continue
        get_config.restype = ctypes.c_char_p
        info["library"] = os.path.realpath(path)
        info["config"] = get_config().decode().strip()
        try:
            lib.openblas_get_corename.restype = ctypes.c_char_p
            info["corename"] = lib.openblas_get_corename().decode().strip()
        except AttributeError:
            pass
        try:
            info["num_threads"] = int(lib.openblas_get_num_threads())
        except AttributeError:
            pass
        break
    return info


def check(a, b, c, n, rng):
    """The first entry of c off by more than the fp32 rounding bound n*u*sum|a*b|, or None."""
    import numpy as np

    points = [(0, 0), (0, n - 1), (n - 1, 0), (n - 1, n - 1)]
    points += [(int(rng.integers(n)), int(rng.integers(n))) for _ in range(6)]
    for i, j in points:
        prods = a[i, :].astype(np.float64) * b[:, j].astype(np.float64)
        exact = prods.sum()
        bound = 1.01 * n * 2.0**-24 * np.abs(prods).sum() + 1e-300
        if not abs(float(c[i, j]) - exact) <= bound:
            return f"C[{i},{j}] = {c[i, j]} but the dot product is {exact:.7g} (allowed {bound:.3g})"
    return None


def measure(n, threads, args):
    import numpy as np

    rng = np.random.default_rng(args.seed * 31 + n)
    a = rng.uniform(-1, 1, (n, n)).astype(np.float32)
    b = rng.uniform(-1, 1, (n, n)).astype(np.float32)
    wrong = check(a, b, np.matmul(a, b), n, rng)
    row = {"n": n, "threads": threads}
    if wrong is None:
        # The fastest warm-up call sizes the samples, as in GemmBench.
        calls = 0
        fastest = float("inf")
        start = now = time.perf_counter()
        while True:
            t0 = now
            np.matmul(a, b)
            calls += 1
            now = time.perf_counter()
            fastest = min(fastest, now - t0)
            if calls >= 2 and now - start >= args.warmup_ms / 1000:
                break
        per_call = max(fastest, 1e-9)
        inner = max(1, min(1_000_000, int(-(-args.min_sample_ms / 1000 // per_call))))
        samples = []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            for _ in range(inner):
                np.matmul(a, b)
            samples.append((time.perf_counter() - t0) * 1000 / inner)
        wrong = check(a, b, np.matmul(a, b), n, rng)
    flops = 2.0 * n**3
    if wrong is None:
        med = statistics.median(samples)
        row.update(
            median_gflops=flops / (med * 1e6),
            best_gflops=flops / (min(samples) * 1e6),
            median_ms=med,
            samples_ms=samples,
            calls_per_sample=inner,
            correct=True,
            check="10 entries within the fp32 rounding bound, before and after timing",
        )
    else:
        row.update(
            median_gflops=None,
            best_gflops=None,
            median_ms=None,
            samples_ms=[],
            calls_per_sample=0,
            correct=False,
            check=wrong,
        )
    return row


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", type=positive_ints, default=[256, 512, 1024, 2048])
    p.add_argument("--threads", type=int, required=True, help="the OPENBLAS_NUM_THREADS in effect")
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--warmup-ms", type=float, default=500)
    p.add_argument("--min-sample-ms", type=float, default=50)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--json", help="write the results here")
    args = p.parse_args()

    env_threads = os.environ.get("OPENBLAS_NUM_THREADS")
    if env_threads != str(args.threads):
        sys.exit(
            f"gemm_numpy.py: OPENBLAS_NUM_THREADS is {env_threads!r} but --threads is "
            f"{args.threads}; set it before starting Python (numpy reads it once)"
        )
    try:
        import numpy as np
    except ImportError:
        sys.exit(
            "gemm_numpy.py: numpy is missing for "
            + sys.executable
            + "; install it: apt-get install -y python3-numpy libopenblas0-pthread"
        )

    limiter = None
    try:
        from threadpoolctl import threadpool_limits

        limiter = threadpool_limits(limits=args.threads, user_api="blas")
    except ImportError:
        pass

    blas = openblas_info()
    if blas["config"] is None:
        sys.exit(
            "gemm_numpy.py: numpy is not running on OpenBLAS (reference BLAS is ~20x slower);"
            " install libopenblas0-pthread"
        )
    if blas["num_threads"] is not None and blas["num_threads"] != args.threads:
        sys.exit(
            f"gemm_numpy.py: OpenBLAS runs {blas['num_threads']} threads, expected {args.threads}"
        )
    print(
        f"numpy {np.__version__}, {blas['config']}, core {blas['corename']},"
        f" {blas['num_threads']} thread(s), {blas['library']}",
        file=sys.stderr,
    )

    results = []
    for n in args.sizes:
        row = measure(n, args.threads, args)
        results.append(row)
        shown = f"{row['median_gflops']:.1f} GFLOP/s" if row["correct"] else "WRONG"
        print(f"gemm numpy threads={args.threads} n={n}: {shown}", file=sys.stderr)
    if limiter is not None:
        limiter.restore_original_limits()

    if args.json:
        meta = {
            "benchmark": "gemm",
            "backend": "numpy-openblas",
            "backend_description": f"numpy {np.__version__}, {blas['config']}, core {blas['corename']}",
            "numpy_version": np.__version__,
            "openblas": blas,
            "python_version": platform.python_version(),
            "threadpoolctl": limiter is not None,
            "repeats": args.repeats,
            "warmup_ms": args.warmup_ms,
            "min_sample_ms": args.min_sample_ms,
            "seed": args.seed,
            "results": results,
        }
        with open(args.json, "w") as f:
            json.dump(meta, f, indent=2)
            f.write("\n")
    return 0 if all(r["correct"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
