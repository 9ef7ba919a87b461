#!/usr/bin/env bash
# Every speed comparison of the cpu backend against its peer, in one sitting, as one table headed
# by the CPU model, the instruction set and the vector width in use:
#   SGEMM 256..2048 vs numpy/OpenBLAS; all-MiniLM-L6-v2 (128 tokens) vs ONNX Runtime;
#   GPT-2-small decode and nanoGPT CPU-setting training vs PyTorch (T4J_REF_PYTHON, default
#   ~/.venv-ref/bin/python: PyTorch 2.13); all on 1 and 2 threads; A B A B, medians.
#
#   bench/all.sh [--rounds 3] [--modes native,avx2] [--quick]
#
# Modes: `native` runs everything on the host's own ISA; `avx2` forces ours to AVX2
# (T4J_JAVA_OPTS=-XX:UseAVX=2: 256-bit vectors, 16 registers) and the peers too where they allow
# it (OpenBLAS: OPENBLAS_CORETYPE=Haswell; PyTorch: ATEN_CPU_CAPABILITY=avx2,
# ONEDNN_MAX_CPU_ISA=AVX2, MKL_ENABLE_INSTRUCTIONS=AVX2). ONNX Runtime has no such switch: in the
# avx2 mode it still runs its AVX-512 kernels, which the table says. By default both modes run on
# an AVX-512 host and only `native` on an AVX2 host (where AVX-512 is not measurable).
# --quick: 1 round and fewer sizes, to check that everything runs. Logs go to bench-results/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

rounds=3
modes=
quick=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --modes) modes=$2; shift 2 ;;
    --quick) quick=1; rounds=1; shift ;;
    -h | --help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench/all.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || { echo "bench/all.sh: --rounds must be a positive integer, got '$rounds'" >&2; exit 2; }

has_avx512=$(grep -c -m1 -w avx512f /proc/cpuinfo || true)
if [[ -z "$modes" ]]; then
  modes=native
  [[ "$has_avx512" -gt 0 ]] && modes=native,avx2
fi
sizes=256,512,1024,2048
[[ $quick == 1 ]] && sizes=512,1024

out="$ROOT/bench-results/all-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"
./t4j backends >/dev/null 2>&1 # build outside the timed runs
cpu_model=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
table="$out/table.tsv"
: >"$table"
row() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$table"; }

for mode in ${modes//,/ }; do
  case "$mode" in
    native)
      export T4J_JAVA_OPTS="${T4J_BASE_JAVA_OPTS:-}"
      unset ATEN_CPU_CAPABILITY ONEDNN_MAX_CPU_ISA MKL_ENABLE_INSTRUCTIONS
      coretype=() ;;
    avx2)
      export T4J_JAVA_OPTS="${T4J_BASE_JAVA_OPTS:-} -XX:UseAVX=2"
      export ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2 MKL_ENABLE_INSTRUCTIONS=AVX2
      coretype=(--openblas-coretype Haswell) ;;
    *) echo "bench/all.sh: unknown mode '$mode' (native or avx2)" >&2; exit 2 ;;
  esac
  # The cpu row's probe (ISA, vector width, registers, SGEMM tile), joined across its wrapped lines.
  shape=$(./t4j backends 2>/dev/null | awk 'NR == 1 { c = index($0, "PROBE") }
    /^[* ] +cpu / { on = 1; s = substr($0, c); next }
    on && substr($0, 1, c - 1) ~ /^ *$/ { s = s " " substr($0, c); next }
    on { exit }
    END { sub(/^Vector API, /, "", s); print s }')
  echo "== mode $mode: $shape" >&2
  echo "$mode	$shape" >>"$out/modes.tsv"

  bench/gemm-vs-openblas.sh --sizes "$sizes" --rounds "$rounds" "${coretype[@]}" 2>&1 | tee "$out/gemm-$mode.log" >&2
  awk -v m="$mode" '$1 ~ /^[0-9]+$/ && NF == 5 {
      printf "SGEMM %s³, %s thread(s)\t%s\t%s GFLOP/s\tOpenBLAS %s\t%s\t≥ 0.95\t%s\n", $1, $2, m, $3, $4, $5, ($5 >= 0.95 ? "met" : "missed") }' \
    "$out/gemm-$mode.log" >>"$table"

  bench/minilm-vs-onnxruntime.sh --rounds "$rounds" 2>&1 | tee "$out/minilm-$mode.log" >&2
  ort_note="ONNX Runtime"
  [[ $mode == avx2 ]] && ort_note="ONNX Runtime (its own AVX-512)"
  awk -v m="$mode" -v peer="$ort_note" '$1 ~ /^[12]$/ && NF >= 7 && $2 ~ /^[0-9.]+$/ {
      printf "all-MiniLM-L6-v2 128 tokens, %s thread(s)\t%s\t%s ms\t%s %s ms\t%s (time)\t≤ 1.00\t%s\n", $1, m, $2, peer, $3, $4, ($4 <= 1.0 ? "met" : "missed") }' \
    "$out/minilm-$mode.log" >>"$table"

  # Reduced precision: int8 and bf16 weights against our own f32, one process per thread count,
  # the three precisions measured in turn within every run (A B C A B C).
  for t in 1 2; do
    ./t4j --threads "$t" bench generate --quantize f32,int8,bf16 --runs "$((rounds * 2 + 1))" \
      >"$out/quantized-decode-$mode-t$t.log" 2>&1 || true
    cat "$out/quantized-decode-$mode-t$t.log" >&2
    sed -n 's/.*random weights, \([a-z0-9]*\) weights \([0-9.]*\) MB.*decode \([0-9.]*\) tokens\/s (\([0-9.]*\)x f32).*/\1 \2 \3 \4/p' "$out/quantized-decode-$mode-t$t.log" |
      while read -r prec mb rate ratio; do
        target="≥ 2.5"; [[ $prec == bf16 ]] && target="≥ 1.6"
        row "GPT-2-small decode $prec (weights $mb MB), $t thread(s)" "$mode" "$rate tokens/s" "ours f32" "$ratio" "$target" \
          "$(awk -v r="$ratio" -v t="${target#≥ }" 'BEGIN { print (r >= t ? "met" : "missed") }')"
      done
  done
  bench/minilm-vs-onnxruntime.sh --rounds "$rounds" --int8 2>&1 | tee "$out/minilm-int8-$mode.log" >&2
  awk -v m="$mode" '$1 ~ /^[12]$/ && NF >= 7 && $2 ~ /^[0-9.]+$/ {
      printf "all-MiniLM-L6-v2 int8, %s thread(s)\t%s\t%s ms\tours f32 %s ms\t%s (time)\t≤ 1.00\t%s\n", $1, m, $3, $2, $6, ($6 <= 1.0 ? "met" : "missed");
      printf "all-MiniLM-L6-v2 int8 vs ONNX Runtime int8 model, %s thread(s)\t%s\t%s ms\tONNX Runtime %s ms\t%s (time)\treported\t-\n", $1, m, $3, $5, $7 }' \
    "$out/minilm-int8-$mode.log" >>"$table"

  bench/generate-vs-torch.sh "$rounds" 1,2 2>&1 | tee "$out/generate-$mode.log" >&2
  sed -n 's/^ *threads \([0-9]*\): t4j \([0-9.]*\) tokens\/s, torch \([0-9.]*\) tokens\/s, ratio t4j\/torch \([0-9.]*\)/\1 \2 \3 \4/p' \
    "$out/generate-$mode.log" | while read -r t a b r; do
    row "GPT-2-small decode, $t thread(s)" "$mode" "$a tokens/s" "PyTorch $b" "$r" "≥ 1.2" \
      "$(awk -v r="$r" 'BEGIN { print (r >= 1.2 ? "met" : "missed") }')"
  done

  bench/train-vs-torch.sh "$rounds" 1,2 2>&1 | tee "$out/train-$mode.log" >&2
  sed -n 's/^ *threads \([0-9]*\): t4j \([0-9.]*\) tokens\/s, torch \([0-9.]*\) tokens\/s, ratio t4j\/torch \([0-9.]*\)/\1 \2 \3 \4/p' \
    "$out/train-$mode.log" | while read -r t a b r; do
    row "nanoGPT CPU-setting training, $t thread(s)" "$mode" "$a tokens/s" "PyTorch $b" "$r" "≥ 1.2" \
      "$(awk -v r="$r" 'BEGIN { print (r >= 1.2 ? "met" : "missed") }')"
  done
done

torch_version=$("${T4J_REF_PYTHON:-$HOME/.venv-ref/bin/python}" -c 'import torch; print(torch.__version__)' 2>/dev/null || echo "?")
{
  echo
  echo "CPU: $cpu_model, $(nproc) cores; host ISA: $([[ "$has_avx512" -gt 0 ]] && echo "AVX-512 (and AVX2)" || echo "AVX2, no AVX-512: AVX-512 not measurable here")"
  while IFS=$'\t' read -r m s; do echo "mode $m: $s"; done <"$out/modes.tsv"
  echo "Java: $(java -version 2>&1 | sed -n 1p); PyTorch $torch_version; $rounds round(s) A B A B, medians; $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' work mode ours peer "ours/peer" target result
  printf '|---|---|---|---|---|---|---|\n'
  while IFS=$'\t' read -r w m a b r t res; do
    printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$w" "$m" "$a" "$b" "$r" "$t" "$res"
  done <"$table"
  echo
  echo "logs: $out"
} | tee "$out/summary.md"
