#!/usr/bin/env bash
# all-MiniLM-L6-v2 sentence embeddings with int8 and bf16 weights against fp32 on the first lines
# of Lucene's Europarl sample: mean and minimum cosine per line, and the weights' resident bytes.
#
#   bench/minilm-quantized.sh [lines=1000] [threads=2]
#
# Runs io.github.transformers4j.it.parity.QuantizedMiniLmQuality on it's test class path (the
# model and the corpus are test dependencies of it), as bench/minilm-vs-onnxruntime.sh does.
set -euo pipefail

here=$(cd -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")" && pwd -P)
ROOT=$(cd -- "$here/.." && pwd -P)
cd "$ROOT"

cp_file="$ROOT/it/target/bench-test.classpath"
mkdir -p "$ROOT/it/target"
mvn -B -q -pl it -am test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" >&2

exec java --add-modules jdk.incubator.vector -Xmx3g \
  -cp "$ROOT/it/target/test-classes:$ROOT/it/target/classes:$(cat "$cp_file")" \
  io.github.transformers4j.it.parity.QuantizedMiniLmQuality "$@"
