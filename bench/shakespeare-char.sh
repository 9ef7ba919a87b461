#!/usr/bin/env bash
# nanoGPT's char-level Shakespeare with its CPU settings (block 64, batch 12, 4 layers, 4 heads,
# 128 wide, 2000 iterations, lr 1e-3 -> 1e-4 cosine, warmup 100, beta2 0.99, weight decay 0.1,
# clip 1.0, dropout 0, 90/10 split, 20 eval batches): the published validation loss is about
# 1.88. Prints our final validation loss and the wall time. Not part of CI (minutes to hours).
#
#   bench/shakespeare-char.sh [OUTPUT_DIR]      (default bench-out/shakespeare-char)
set -euo pipefail
cd "$(dirname "$0")/.."
data=testdata/data/tinyshakespeare.txt
[ -f "$data" ] || { echo "missing $data in the repository (see testdata/README.md)" >&2; exit 1; }
out=${1:-bench-out/shakespeare-char}
start=$(date +%s)
./t4j --threads 2 train clm --data "$data" --output "$out" --overwrite \
  --block 64 --batch 12 --layers 4 --heads 4 --width 128 --dropout 0 \
  --steps 2000 --lr 1e-3 --min-lr 1e-4 --warmup 100 --beta2 0.99 --weight-decay 0.1 --clip 1.0 \
  --eval-every 250 --eval-batches 20 --val-fraction 0.1 --seed 1337
echo "wall time: $(( $(date +%s) - start )) s"
grep val_loss "$out/metrics.jsonl" | tail -3
./t4j --threads 2 generate --model "$out" --prompt "ROMEO:" --max-new 300
