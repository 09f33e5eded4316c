#!/usr/bin/env bash
# Cluster compile cost (argo, kfp, katib) for notebooks of 20, 200 and 2000 steps, with JavaParser parsing the
# same cells as the anchor in the same JVM and run. Run through bench/run (it builds the bench module and
# exports BENCH_CP). env: ROUNDS (best of, default 5).
set -euo pipefail
java -Xmx2g -cp "$BENCH_CP" dev.kale4j.bench.cluster.ClusterCompileBench "${ROUNDS:-5}"
