#!/usr/bin/env bash
# all-MiniLM-L6-v2 forward (batch 1, 128 tokens) on Transformers4J's cpu backend against ONNX
# Runtime for Java, on 1 and 2 threads, in one process (A B A B, medians, ratio ours/ORT).
#
#   bench/minilm-vs-onnxruntime.sh [--threads-list 1,2] [--rounds 7] [--per-round 10]
#                                  [--tokens 128] [--profile]
#
# Builds the it module's test classes (mvn test-compile, offline when the dependencies are
# already in ~/.m2), then runs io.github.transformers4j.it.parity.MiniLmVsOnnxRuntime on the
# class path Maven resolves (ONNX Runtime and the model jar are test dependencies of it).
# --profile adds where our forward's time goes, per kind of op.
set -euo pipefail

here=$(cd -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")" && pwd -P)
ROOT=$(cd -- "$here/.." && pwd -P)
cd "$ROOT"

cp_file="$ROOT/it/target/bench-test.classpath"
mkdir -p "$ROOT/it/target"
# it comes last in the reactor (it depends on every module), so its class path is the one left in
# the file; siblings resolve to their target/classes in this reactor run, so nothing is installed.
mvn -B -q -pl it -am test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" >&2

exec java --add-modules jdk.incubator.vector -XX:+UseParallelGC -Xms1g -Xmx2g \
  -cp "$ROOT/it/target/test-classes:$ROOT/it/target/classes:$(cat "$cp_file")" \
  io.github.transformers4j.it.parity.MiniLmVsOnnxRuntime "$@"
