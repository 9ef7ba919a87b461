#!/usr/bin/env bash
# Measured scaling of data-parallel training (issue 15, item 6), in local mode: the ring
# all-reduce's time and bandwidth against the array size (2 and 4 replicas as threads of one JVM,
# loopback TCP), and training steps of two GPT sizes split into compute and exchange (1 replica on 2
# threads vs 2 replicas on 1 thread each). Runs as an opt-in JUnit class (DataParallelBench) so it
# shares the test class path; the tables are appended to bench-out/data-parallel.txt with the CPU
# and the load average (other work on the machine shares its cores). docs/data-parallel-scaling.md
# builds its N-node projection from these numbers.
#   bench/data-parallel-scaling.sh
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench-out
mvn -B -o -q -pl training -am test -Dsurefire.failIfNoSpecifiedTests=false -Dtest=DataParallelBench \
  -Dt4j.bench=true -Dt4j.bench.out="$PWD/bench-out/data-parallel.txt"
cat bench-out/data-parallel.txt
