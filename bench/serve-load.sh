#!/usr/bin/env bash
# Load on `t4j serve` (issue 16, item 7): 32 concurrent clients x 200 requests, half embeddings
# (1-4 texts) and half completions (8 sampled tokens), against a MiniLM-shaped random BERT (6 x 384)
# and a random GPT-2 (4 x 256); then embeddings only (32 clients x 50 one-text requests) with
# micro-batching (--batch-size 32 --batch-wait-ms 5) and one request at a time (--batch-size 1
# --batch-wait-ms 0). Prints one JSON summary per phase: errors, requests/s, p50/p99 latency, and
# per kind texts/s or generated tokens/s.
#
#   bench/serve-load.sh [--clients 32] [--requests 200] [--embed-requests 50]
#
# Needs the reference venv (~/.venv-ref, or REF_PYTHON) once, to write the random models; the load
# client itself uses the standard library only. Builds the launcher (./t4j) when needed.
set -euo pipefail

here=$(cd -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")" && pwd -P)
ROOT=$(cd -- "$here/.." && pwd -P)
PY=${REF_PYTHON:-$HOME/.venv-ref/bin/python}
clients=32
requests=200
embed_requests=50
while [[ $# -gt 0 ]]; do
  case "$1" in
    --clients) clients=$2; shift 2 ;;
    --requests) requests=$2; shift 2 ;;
    --embed-requests) embed_requests=$2; shift 2 ;;
    *) echo "serve-load.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

work=$(mktemp -d)
server_pgid=""
stop_server() {
  if [[ -n "$server_pgid" ]]; then
    # SIGTERM to the server's own process group (the launcher and its JVM): a graceful stop.
    kill -TERM -- "-$server_pgid" 2>/dev/null || true
    wait "$server_pgid" 2>/dev/null || true
    server_pgid=""
  fi
}
trap 'stop_server; rm -rf "$work"' EXIT

"$ROOT/t4j" --version >/dev/null
"$PY" "$here/serve_load.py" make-models "$work" >/dev/null

# start_server ARGS...: runs t4j serve in its own process group, sets $url from its first line.
start_server() {
  : > "$work/server.out"
  setsid "$ROOT/t4j" --backend cpu serve --model "$work/bench-bert" --model "$work/bench-gpt2" \
    --port 0 "$@" > "$work/server.out" 2> "$work/server.err" &
  server_pgid=$!
  for _ in $(seq 1 600); do
    if grep -q '^listening on ' "$work/server.out"; then break; fi
    if ! kill -0 "$server_pgid" 2>/dev/null; then cat "$work/server.err" >&2; exit 1; fi
    sleep 0.1
  done
  url=$(sed -n 's/^listening on //p' "$work/server.out" | head -1)
  [[ -n "$url" ]] || { echo "serve-load.sh: the server did not start" >&2; cat "$work/server.err" >&2; exit 1; }
  # A few requests of each kind first, so the JIT has compiled the hot paths.
  python3 "$here/serve_load.py" mixed "$url" --clients 4 --requests 10 >/dev/null
}

echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(date -u +%FT%TZ)"
start_server --batch-size 32 --batch-wait-ms 5 --workers 2 --queue 64
echo "mixed (micro-batching on): $(python3 "$here/serve_load.py" mixed "$url" --clients "$clients" --requests "$requests")"
echo "embeddings, micro-batching (32 texts, 5 ms): $(python3 "$here/serve_load.py" embed "$url" --clients "$clients" --requests "$embed_requests")"
curl -s "$url/metrics" | grep -E '^t4j_(embedding_batches|embedded_texts|rejected)_total' | tr '\n' ' '
echo
stop_server
start_server --batch-size 1 --batch-wait-ms 0 --workers 2 --queue 64
echo "embeddings, one request at a time: $(python3 "$here/serve_load.py" embed "$url" --clients "$clients" --requests "$embed_requests")"
stop_server
