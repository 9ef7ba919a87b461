#!/usr/bin/env bash
# Encoding throughput of our tokenizers against Hugging Face tokenizers (Rust, through DJL), in one
# JVM, A B A B, on Lucene's Europarl sample: GPT-2 byte-level BPE and BERT WordPiece, one thread and
# batched. Prints medians of tokens/s and the ratio ours/theirs.
#
#   bench/tokenizers-vs-hf.sh [--rounds 3] [--lines N]
#
# Works from a fresh clone (JDK 17+, Maven): builds the it module's test classes, then runs
# io.github.transformers4j.it.tokenizers.TokenizerBenchmark. Reads testdata/tokenizers.
set -euo pipefail
here=$(cd -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")" && pwd -P)
ROOT=$(cd -- "$here/.." && pwd -P)
cd "$ROOT"
cp_file="$ROOT/it/target/bench-classpath.txt"
mvn -B -q -DskipTests package dependency:build-classpath -pl it -am \
  -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" >&2
exec java --add-modules jdk.incubator.vector -cp "$ROOT/it/target/test-classes:$ROOT/it/target/classes:$(cat "$cp_file")" \
  io.github.transformers4j.it.tokenizers.TokenizerBenchmark "$@"
