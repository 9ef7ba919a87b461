#!/usr/bin/env bash
# One recurrent layer's forward+backward (batch 32, T 128, input = hidden, batch-first, zero initial
# state, loss sum(output), gradients for the input and every weight): `t4j bench rnn` against
# torch.nn.LSTM / torch.nn.GRU in PyTorch (bench/rnn_torch.py), interleaved A B A B per cell, width
# and thread count, medians of the rounds' medians and the ratio torch/ours (above 1: we are
# faster). The Python with torch is T4J_REF_PYTHON, else ~/.venv-ref/bin/python (bench/ref-python.sh).
#
#   bench/rnn-vs-torch.sh [rounds=3] [threads-list=1,2] [hidden-list=256,512] [cells=lstm,gru] [runs=7]
#
# To compare on AVX2: T4J_JAVA_OPTS=-XX:UseAVX=2 MKL_ENABLE_INSTRUCTIONS=AVX2 ONEDNN_MAX_CPU_ISA=AVX2
# ATEN_CPU_CAPABILITY=avx2 (PyTorch's LSTM products run in MKL, which ignores ATEN_CPU_CAPABILITY).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
threads_list=${2:-1,2}
hidden_list=${3:-256,512}
cells=${4:-lstm,gru}
runs=${5:-7}
source bench/ref-python.sh
ref_python torch
py=$PY
mkdir -p bench-results
log=bench-results/rnn-vs-torch-$(date +%Y%m%d-%H%M%S).log # every run's times
./t4j backends >/dev/null # builds first, outside the timed runs
echo "CPU: $(lscpu | sed -n 's/^Model name: *//p' | head -1); avx512f: $(grep -c -m1 -w avx512f /proc/cpuinfo || true); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
ms() { sed -E 's/.* median ([0-9.]+) ms.*/\1/'; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a/b}'; }
summary=()
for cell in ${cells//,/ }; do
  for h in ${hidden_list//,/ }; do
    for t in ${threads_list//,/ }; do
      ours=(); theirs=()
      for _ in $(seq "$rounds"); do
        lo=$(./t4j --threads "$t" bench rnn "$cell" --batch 32 --steps 128 --hidden "$h" --runs "$runs" | tee -a "$log" | tail -1); echo "$lo"
        # Passive OpenMP waiting, as in bench/train-vs-torch.sh: spinning OpenMP threads collapse on
        # shared cores.
        lt=$(OMP_WAIT_POLICY=passive $py bench/rnn_torch.py "$cell" "$t" 32 128 "$h" "$runs" 3 2>/dev/null | tee -a "$log" | tail -1); echo "$lt"
        ours+=("$(ms <<<"$lo")"); theirs+=("$(ms <<<"$lt")")
      done
      a=$(median "${ours[@]}"); b=$(median "${theirs[@]}")
      summary+=("$cell H=$h threads $t: t4j $a ms, torch $b ms, torch/t4j $(ratio "$b" "$a") (rounds: t4j ${ours[*]}; torch ${theirs[*]})")
    done
  done
done
printf 'medians over %s rounds (B 32, T 128, %s runs each; per-run times in %s; load average now %s):\n' \
  "$rounds" "$runs" "$log" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '  %s\n' "${summary[@]}"
