#!/usr/bin/env bash
# The encoder-decoder (number words -> digits, greedy and beam exact match on 500 held-out numbers)
# and MLM (char-level Shakespeare, masked-token accuracy vs the unigram baseline) baselines. They
# run as an opt-in JUnit class (BaselinesBench) so they share the test class path; results are
# appended to bench-out/baselines.txt. Long on 2 cores; not part of CI.
#   bench/baselines.sh [SEQ2SEQ_STEPS] [MLM_STEPS]
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench-out
mvn -B -o -q -pl training -am test -Dsurefire.failIfNoSpecifiedTests=false -Dtest=BaselinesBench \
  -Dt4j.bench=true -Dt4j.bench.seq2seq.steps="${1:-1500}" -Dt4j.bench.mlm.steps="${2:-1500}" \
  -Dt4j.bench.out="$PWD/bench-out/baselines.txt"
cat bench-out/baselines.txt
