#!/usr/bin/env bash
# Training throughput of nanoGPT's char-level CPU setting, ours against PyTorch in the same run
# (A B A B ..., per thread count), medians and the ratio. The Python with torch is T4J_REF_PYTHON,
# else ~/.venv-ref/bin/python, else /usr/bin/python3 (see bench/ref-python.sh); ATEN_CPU_CAPABILITY=avx2,
# ONEDNN_MAX_CPU_ISA=AVX2 and MKL_ENABLE_INSTRUCTIONS=AVX2 restrict PyTorch to AVX2 (bench/all.sh).
# Usage: bench/train-vs-torch.sh [rounds=3] [threads-list=1,2]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
source bench/ref-python.sh
ref_python torch
py=$PY
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
threads_list=${2:-1,2}
./t4j backends >/dev/null # builds first, outside the timed runs
summary=()
for th in ${threads_list//,/ }; do
  ours=(); theirs=()
  for i in $(seq "$rounds"); do
    # Each result line is echoed as it comes (not via tee /dev/stderr, which would truncate a log
    # file that stdout and stderr share).
    lo=$(./t4j --threads "$th" bench train --steps 50 --warmup 20); echo "$lo"
    # Passive OpenMP waiting: with the default (spinning) policy, torch's 2 threads slow down up to
    # 20x on a machine whose 2 cores are shared with other work (measured here: 640-2300 tokens/s
    # spinning, 13,900 passive, 14,900 on 1 thread).
    lt=$(OMP_WAIT_POLICY=passive $py bench/train_torch.py 50 20 "$th"); echo "$lt"
    o=$(sed -E 's/.*: ([0-9]+) tokens\/s.*/\1/' <<<"$lo")
    t=$(sed -E 's/.*: ([0-9]+) tokens\/s.*/\1/' <<<"$lt")
    ours+=("$o"); theirs+=("$t")
  done
  mo=$(median "${ours[@]}"); mt=$(median "${theirs[@]}")
  summary+=("threads $th: t4j $mo tokens/s, torch $mt tokens/s, ratio t4j/torch $(awk -v a="$mo" -v b="$mt" 'BEGIN {printf "%.2f", a/b}')")
done
printf 'median training tokens/s over %s rounds:\n' "$rounds"
printf '  %s\n' "${summary[@]}"
