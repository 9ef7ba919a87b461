#!/usr/bin/env bash
# Decoding tokens/s of a GPT-2-small-shaped decoder (random weights, KV cache, greedy, batch 1):
# `t4j bench generate` against the same model in PyTorch (bench/generate_torch.py), interleaved
# A B A B per thread count, medians of the rounds and the ratio ours/torch. The Python with torch
# is T4J_REF_PYTHON, else ~/.venv-ref/bin/python, else /usr/bin/python3 (see bench/ref-python.sh).
#
#   bench/generate-vs-torch.sh [rounds=3] [threads-list=1,2] [prompt=32] [new=64]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
threads_list=${2:-1,2}
prompt=${3:-32}
new=${4:-64}
# The PyTorch peer (T4J_REF_PYTHON etc., see bench/ref-python.sh). ATEN_CPU_CAPABILITY=avx2,
# ONEDNN_MAX_CPU_ISA=AVX2 and MKL_ENABLE_INSTRUCTIONS=AVX2 in the environment restrict it to AVX2
# (bench/all.sh sets them for its AVX2 column).
source bench/ref-python.sh
ref_python torch
py=$PY
./t4j backends >/dev/null # builds first, outside the timed runs
rate() { sed -E 's/.*decode ([0-9.]+) tokens\/s.*/\1/'; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
summary=()
for t in ${threads_list//,/ }; do
  ours=(); theirs=()
  for _ in $(seq "$rounds"); do
    lo=$(./t4j --threads "$t" bench generate --prompt "$prompt" --new "$new" --runs 3 | tail -1); echo "$lo"
    # Passive OpenMP waiting, as in bench/train-vs-torch.sh: spinning OpenMP threads collapse on
    # shared cores.
    lt=$(OMP_WAIT_POLICY=passive $py bench/generate_torch.py "$t" "$prompt" "$new" 3); echo "$lt"
    ours+=("$(rate <<<"$lo")"); theirs+=("$(rate <<<"$lt")")
  done
  mo=$(median "${ours[@]}"); mt=$(median "${theirs[@]}")
  summary+=("threads $t: t4j $mo tokens/s, torch $mt tokens/s, ratio t4j/torch $(awk -v a="$mo" -v b="$mt" 'BEGIN {printf "%.2f", a/b}')")
done
printf 'median decode rate over %s rounds:\n' "$rounds"
printf '  %s\n' "${summary[@]}"
