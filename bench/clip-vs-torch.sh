#!/usr/bin/env bash
# CLIP ViT-B/32 encoder throughput (random weights, batch 8; images 224 px, texts 77 tokens):
# `t4j bench clip` against Hugging Face's CLIPModel in PyTorch (bench/clip_torch.py), interleaved
# A B A B per thread count, medians of the rounds and the ratios ours/torch (higher is better for
# us). The image side starts from 8 image files (4 PNG, 4 JPEG, 480-800 px, written once into
# bench-results/clip-images/ by Pillow) and times reading, decoding and CLIP's preprocessing with
# the encoder on both sides (ours: ImageIO + our Pillow-exact resize; theirs: PIL +
# CLIPImageProcessorPil). The Python with torch is T4J_REF_PYTHON, else ~/.venv-ref/bin/python (see
# bench/ref-python.sh).
#
#   bench/clip-vs-torch.sh [rounds=3] [threads-list=1,2] [modes=native] [runs=5]
#
# Modes: `native` runs both on the host's ISA; `avx2` forces ours to AVX2 (T4J_JAVA_OPTS
# -XX:UseAVX=2) and PyTorch too (ATEN_CPU_CAPABILITY=avx2, ONEDNN_MAX_CPU_ISA=AVX2,
# MKL_ENABLE_INSTRUCTIONS=AVX2).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
threads_list=${2:-1,2}
modes=${3:-native}
runs=${4:-5}
source bench/ref-python.sh
ref_python torch
py=$PY
images=bench-results/clip-images
if [[ ! -f $images/img7.jpg ]]; then
  mkdir -p "$images"
  "$py" - "$images" <<'PYEOF'
import random
import sys

from PIL import Image, ImageDraw

random.seed(3)
for i in range(8):
    w, h = [(640, 480), (480, 640), (800, 600), (500, 500)][i % 4]
    im = Image.new("RGB", (w, h), tuple(random.randrange(256) for _ in range(3)))
    d = ImageDraw.Draw(im)
    for _ in range(30):
        x, y = random.randrange(w), random.randrange(h)
        d.ellipse([x, y, x + random.randrange(20, 200), y + random.randrange(20, 200)],
                  fill=tuple(random.randrange(256) for _ in range(3)))
    im.save(f"{sys.argv[1]}/img{i}." + ("jpg" if i % 2 else "png"), quality=90)
PYEOF
fi
./t4j backends >/dev/null # builds first, outside the timed runs
echo "CPU: $(lscpu | sed -n 's/^Model name: *//p' | head -1); avx512f: $(grep -c -m1 -w avx512f /proc/cpuinfo || true)"
img() { sed -E 's/.* ([0-9.]+) images\/s.*/\1/'; }
txt() { sed -E 's/.* ([0-9.]+) texts\/s.*/\1/'; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a/b}'; }
summary=()
for mode in ${modes//,/ }; do
  case "$mode" in
    native)
      export T4J_JAVA_OPTS="${T4J_BASE_JAVA_OPTS:-}"
      unset ATEN_CPU_CAPABILITY ONEDNN_MAX_CPU_ISA MKL_ENABLE_INSTRUCTIONS ;;
    avx2)
      export T4J_JAVA_OPTS="${T4J_BASE_JAVA_OPTS:-} -XX:UseAVX=2"
      export ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2 MKL_ENABLE_INSTRUCTIONS=AVX2 ;;
    *) echo "clip-vs-torch.sh: unknown mode '$mode' (native, avx2)" >&2; exit 2 ;;
  esac
  for t in ${threads_list//,/ }; do
    oi=(); ot=(); ti=(); tt=()
    for _ in $(seq "$rounds"); do
      lo=$(./t4j --threads "$t" bench clip --runs "$runs" --images "$images" | tail -1); echo "$lo"
      # Passive OpenMP waiting, as in bench/train-vs-torch.sh: spinning OpenMP threads collapse on
      # shared cores.
      lt=$(OMP_WAIT_POLICY=passive $py bench/clip_torch.py "$t" 8 "$runs" 77 "$images" 2>/dev/null | tail -1); echo "$lt"
      oi+=("$(img <<<"$lo")"); ot+=("$(txt <<<"$lo")"); ti+=("$(img <<<"$lt")"); tt+=("$(txt <<<"$lt")")
    done
    a=$(median "${oi[@]}"); b=$(median "${ti[@]}"); c=$(median "${ot[@]}"); d=$(median "${tt[@]}")
    summary+=("$mode, threads $t: images/s t4j $a torch $b ratio $(ratio "$a" "$b"); texts/s t4j $c torch $d ratio $(ratio "$c" "$d")")
  done
done
printf 'medians over %s rounds (batch 8, %s runs each):\n' "$rounds" "$runs"
printf '  %s\n' "${summary[@]}"
