"""PyTorch's CUDA SGEMM (C = A @ B, fp32, TF32 off) at the sizes the GPU check times.

Writes JSON for GpuCheck's --torch: {"device", "torch", "allow_tf32": false, "results": [{"n",
"ms_median", "gflops_median", "gflops_best"}]}, or {"skipped": "why"} when PyTorch or CUDA is
missing, so the check always has a file to read. Timing: CUDA events around each product after
warm-up products; the median and the best of the samples.

    python3 sgemm_torch.py --out torch_sgemm.json [--sizes 1024,2048,4096,8192] [--samples 10]
"""
import argparse
import json
import os
import statistics
import sys


def write(path, obj):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")
    os.replace(tmp, path)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", required=True)
    p.add_argument("--sizes", default="1024,2048,4096,8192")
    p.add_argument("--samples", type=int, default=10)
    a = p.parse_args()
    try:
        sizes = [int(s) for s in a.sizes.split(",")]
    except ValueError:
        sys.exit("sgemm_torch.py: --sizes must be integers separated by commas, got " + a.sizes)
    try:
        import torch
    except ImportError as e:
        write(a.out, {"skipped": "python3 cannot import torch (%s)" % e})
        print("sgemm_torch.py: PyTorch not present: skipped")
        return
    if not torch.cuda.is_available():
        write(a.out, {"skipped": "PyTorch %s sees no CUDA device" % torch.__version__})
        print("sgemm_torch.py: no CUDA device: skipped")
        return
    # fp32 SGEMM as cuBLAS computes it: no TF32 tensor cores.
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.set_float32_matmul_precision("highest")
    dev = torch.device("cuda")
    gen = torch.Generator(device=dev).manual_seed(42)
    results = []
    for n in sizes:
        x = torch.rand(n, n, device=dev, generator=gen) * 2 - 1
        y = torch.rand(n, n, device=dev, generator=gen) * 2 - 1
        for _ in range(3):
            torch.mm(x, y)
        torch.cuda.synchronize()
        ms = []
        for _ in range(a.samples):
            start = torch.cuda.Event(enable_timing=True)
            end = torch.cuda.Event(enable_timing=True)
            start.record()
            torch.mm(x, y)
            end.record()
            end.synchronize()
            ms.append(start.elapsed_time(end))
        flop = 2.0 * n * n * n
        med = statistics.median(ms)
        results.append({
            "n": n,
            "ms": ms,
            "ms_median": med,
            "gflops_median": flop / (med * 1e6),
            "gflops_best": flop / (min(ms) * 1e6),
        })
        print("sgemm_torch.py: n %5d: %9.1f GFLOP/s median (%.3f ms)" % (n, flop / (med * 1e6), med))
        del x, y
    write(a.out, {
        "device": torch.cuda.get_device_name(0),
        "torch": torch.__version__,
        "allow_tf32": torch.backends.cuda.matmul.allow_tf32,
        "results": results,
    })


if __name__ == "__main__":
    main()
