#!/usr/bin/env bash
# SGEMM of a Transformers4J backend against numpy/OpenBLAS on this machine, in one run.
#
#   bench/gemm-vs-openblas.sh [--backend cpu] [--sizes 256,512,1024,2048] [--threads-list 1,2]
#                             [--rounds 2] [--repeats 5] [--openblas-coretype NAME]
#
# Runs ours (./t4j bench gemm --json) and numpy (bench/gemm_numpy.py, one process per thread
# count) alternately, A B A B for --rounds rounds, so that load from other work on a shared machine
# falls on both; then prints, per size and thread count, the median over rounds of each side's
# median GFLOP/s and the ratio ours/OpenBLAS. Raw JSON is kept under bench-results/.
#
# numpy runs with T4J_REF_PYTHON when set, else /usr/bin/python3 (Debian's python3-numpy on
# libopenblas0-pthread), never a python3 that may come first on PATH. OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE, if set in this environment,
# are removed for numpy's runs only: they pin a slower kernel or cache blocking.
set -euo pipefail

here=$(cd -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")" && pwd -P)
ROOT=$(cd -- "$here/.." && pwd -P)
PY=${T4J_REF_PYTHON:-/usr/bin/python3}

backend=cpu
sizes=256,512,1024,2048
threads_list=1,2
rounds=2
repeats=5
coretype=

usage() {
  sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --backend) backend=$2; shift 2 ;;
    --sizes) sizes=$2; shift 2 ;;
    --threads-list) threads_list=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --repeats) repeats=$2; shift 2 ;;
    --openblas-coretype) coretype=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "gemm-vs-openblas: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
for v in "$sizes" "$threads_list"; do
  [[ "$v" =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] || { echo "gemm-vs-openblas: '$v' is not a list of positive integers" >&2; exit 2; }
done
for v in "$rounds" "$repeats"; do
  [[ "$v" =~ ^[1-9][0-9]*$ ]] || { echo "gemm-vs-openblas: '$v' is not a positive integer" >&2; exit 2; }
done

# --- numpy on OpenBLAS present? Install it when we may, else say how. ---
need_pkgs=()
[[ -x "$PY" ]] && "$PY" -c 'import numpy' 2>/dev/null || need_pkgs+=(python3-numpy)
dpkg -s libopenblas0-pthread >/dev/null 2>&1 || need_pkgs+=(libopenblas0-pthread)
if [[ ${#need_pkgs[@]} -gt 0 ]]; then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    echo "gemm-vs-openblas: installing ${need_pkgs[*]}" >&2
    apt-get install -y -q "${need_pkgs[@]}" >&2
  else
    echo "gemm-vs-openblas: missing ${need_pkgs[*]}; install with: sudo apt-get install -y python3-numpy libopenblas0-pthread" >&2
    exit 1
  fi
fi

out="$ROOT/bench-results/gemm-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"
for var in OPENBLAS_CORETYPE OPENBLAS_L2_SIZE; do
  if [[ -n "${!var:-}" ]]; then
    echo "gemm-vs-openblas: $var=${!var} is set here; removed for numpy's runs" >&2
  fi
done

# Build before measuring, so a first-use build does not fall in round 1.
"$ROOT/t4j" --version >/dev/null

IFS=, read -r -a threads_arr <<<"$threads_list"
for ((r = 1; r <= rounds; r++)); do
  echo "== round $r of $rounds: t4j ($backend)" >&2
  "$ROOT/t4j" bench gemm --backend "$backend" --sizes "$sizes" --threads-list "$threads_list" \
    --repeats "$repeats" --json "$out/ours-$r.json" >"$out/ours-$r.txt"
  echo "== round $r of $rounds: numpy/OpenBLAS" >&2
  for t in "${threads_arr[@]}"; do
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE ${coretype:+OPENBLAS_CORETYPE=$coretype} \
      OPENBLAS_NUM_THREADS="$t" OMP_NUM_THREADS="$t" \
      "$PY" "$here/gemm_numpy.py" --threads "$t" --sizes "$sizes" --repeats "$repeats" \
      --json "$out/numpy-$r-t$t.json"
  done
done

"$PY" - "$out" "$rounds" <<'EOF'
import glob, json, os, statistics, sys

out, rounds = sys.argv[1], int(sys.argv[2])

def load(pattern):
    runs = [json.load(open(f)) for f in sorted(glob.glob(os.path.join(out, pattern)))]
    by_key = {}
    for run in runs:
        for r in run["results"]:
            by_key.setdefault((r["n"], r["threads"]), []).append(r["median_gflops"] if r["correct"] else None)
    return runs, by_key

ours_runs, ours = load("ours-*.json")
numpy_runs, numpy = load("numpy-*.json")
print()
print(f"ours:  {ours_runs[0]['backend']} ({ours_runs[0]['backend_description']}), Java {ours_runs[0]['java_version']}")
blas = numpy_runs[0]["openblas"]
print(f"numpy: {numpy_runs[0]['numpy_version']} on {blas['config']}, core {blas['corename']}")
print(f"medians over {rounds} interleaved round(s) of each side's median; raw data in {out}")
print()
header = f"{'size':>5}  {'threads':>7}  {'ours GFLOP/s':>12}  {'OpenBLAS GFLOP/s':>16}  {'ours/OpenBLAS':>13}"
print(header)
print("-" * len(header))
keys = sorted(set(k for k in numpy) | set((n, t) for (n, t) in ours if t is not None))
wrong = False
for n, t in keys:
    # A backend without a thread option reports threads=null: compare it on every thread count.
    mine = ours.get((n, t)) or ours.get((n, None)) or []
    theirs = numpy.get((n, t), [])
    if None in mine or None in theirs:
        wrong = True
    m = statistics.median(mine) if mine and None not in mine else None
    o = statistics.median(theirs) if theirs and None not in theirs else None
    fm = f"{m:.1f}" if m is not None else "WRONG" if None in mine else "-"
    fo = f"{o:.1f}" if o is not None else "WRONG" if None in theirs else "-"
    ratio = f"{m / o:.2f}" if m is not None and o is not None else "-"
    print(f"{n:>5}  {t:>7}  {fm:>12}  {fo:>16}  {ratio:>13}")
sys.exit(1 if wrong else 0)
EOF
