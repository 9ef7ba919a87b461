#!/usr/bin/env bash
# all-MiniLM-L6-v2 forward (batch 1, 128 tokens) on Transformers4J's cpu backend against ONNX
# Runtime for Java, on 1 and 2 threads, in one process (A B A B, medians, ratio ours/ORT).
#
#   bench/minilm-vs-onnxruntime.sh [--threads-list 1,2] [--rounds 7] [--per-round 10]
#                                  [--tokens 128] [--profile] [--int8]
#
# --int8 times four sides instead: ours with fp32 and with int8 weights, ORT on the fp32 model and
# on the int8 model all-minilm-l6-v2-q (A B C D), and prints int8/fp32 and ours/ORT at int8.
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

# ONNX Runtime 1.29's native initialisation crashes the JVM (SIGSEGV, no hs_err file) when
# java.class.path is longer than about 4 KB, which it's full test class path is. So, like Surefire,
# pass the class path through the manifest of an otherwise empty "pathing" jar.
pathing_jar="$ROOT/it/target/bench-classpath.jar"
manifest="$ROOT/it/target/bench-classpath.mf"
{
  echo "Manifest-Version: 1.0"
  line="Class-Path:"
  IFS=: read -r -a entries <<< "$ROOT/it/target/test-classes:$ROOT/it/target/classes:$(cat "$cp_file")"
  for e in "${entries[@]}"; do
    [[ -d "$e" ]] && e="$e/"
    e="${e// /%20}" # a URL
    line="$line file://$e"
  done
  # Manifest lines hold at most 72 bytes; continuation lines start with one space.
  echo "$line" | awk '{ s = $0; print substr(s, 1, 70); s = substr(s, 71);
    while (length(s) > 0) { print " " substr(s, 1, 69); s = substr(s, 70) } }'
} > "$manifest"
rm -f "$pathing_jar"
jar --create --file "$pathing_jar" --manifest "$manifest"

# T4J_JAVA_OPTS adds JVM options, e.g. "-XX:UseAVX=2" to measure the AVX2 kernels on an AVX-512 host.
# shellcheck disable=SC2086
exec java --add-modules jdk.incubator.vector -XX:+UseParallelGC -Xms1g -Xmx2g ${T4J_JAVA_OPTS:-} \
  -cp "$pathing_jar" io.github.transformers4j.it.parity.MiniLmVsOnnxRuntime "$@"
