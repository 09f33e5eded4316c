#!/usr/bin/env bash
# Marshalling throughput (dev.kale4j.runtime.marshal) against a plain FileChannel writing/reading the same bytes,
# in the same JVM and run: a 512 MiB double[] and a 1M-element List of records. Run through bench/run (it builds
# the bench module and exports BENCH_CP); the numbers to keep are the ratios.
# Heap: the double[] case holds the array, its read-back copy and the anchor's 512 MiB direct buffer; a fixed,
# pre-touched heap keeps first-touch page faults out of both sides' timings.
set -euo pipefail
dir="${BENCH_OUT:-/tmp}/marshal"
mkdir -p "$dir"
java -Xms4g -Xmx4g -XX:+AlwaysPreTouch -XX:MaxDirectMemorySize=2g ${MARSHAL_BENCH_OPTS:-} \
  -cp "$BENCH_CP" dev.kale4j.bench.marshal.MarshalBench "$dir"
