#!/usr/bin/env bash
# Local runner benchmarks (issue: notebook -> pipeline on the local runner).
set -euo pipefail
echo "-- per-step overhead (10-step chain) vs one JVM + one JShell evaluation"
java -cp "$BENCH_CP" dev.kale4j.bench.local.StepOverheadBench "${ROUNDS:-3}"
echo "-- compile time vs notebook size"
java -cp "$BENCH_CP" dev.kale4j.bench.local.CompileScalingBench
