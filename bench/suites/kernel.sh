#!/usr/bin/env bash
# Jupyter kernel benchmarks (issue: the kale4j Jupyter kernel). A Java client (dev.kale4j.bench.kernel)
# starts each kernel from its kernelspec argv and measures: process start -> kernel_info_reply,
# process start -> first result of `1 + 1`, execute round trip p50/p99 of `i + 1` over 100 requests
# (interleaved with a bare JShell evaluation of the same snippet in a JVM of its own: the baseline) on each of
# the STARTS kernels, reporting the start with the median kernel/baseline ratio, and completion latency. Anchor: JJava, downloaded here when reachable (never committed); when it cannot
# be downloaded the issue's JJava numbers for this machine kind are printed instead, marked as such.
# Usage: bench/run kernel      env: STARTS=3
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${BENCH_OUT:-$root/bench/out}/kernel"
mkdir -p "$out"
prefix="$out/prefix"
echo "-- installing the kale4j kernel (with its AppCDS archive) into $prefix"
java -cp "$BENCH_CP" dev.kale4j.kernel.cli.InstallCommand --prefix "$prefix" >/dev/null
specs=("kale4j=$prefix/share/jupyter/kernels/kale4j/kernel.json")

# JJava: its kernel is published as a kernelspec zip on GitHub releases (only its protocol library,
# jjava-jupyter, is on Maven Central).
jjava_dir="$out/jjava"
jjava_url="https://github.com/dflib/jjava/releases/download/1.0-a6/jjava-1.0-a6-kernelspec.zip"
if [ ! -f "$jjava_dir/java/kernel.json" ]; then
  mkdir -p "$jjava_dir"
  if curl -fsSL -m 60 -o "$jjava_dir/jjava.zip" "$jjava_url" 2>/dev/null; then
    (cd "$jjava_dir" && unzip -q -o jjava.zip)
  fi
fi
jjava_spec="$(find "$jjava_dir" -name kernel.json 2>/dev/null | head -1 || true)"
# Or a JJava built elsewhere (JJAVA_HOME holds jjava.jar and jjava-launcher.jar): run as its kernelspec does.
if [ -z "$jjava_spec" ] && [ -n "${JJAVA_HOME:-}" ] && [ -f "$JJAVA_HOME/jjava.jar" ]; then
  mkdir -p "$out/jjava-home"
  printf '{"argv": ["java", "-jar", "%s/jjava-launcher.jar", "%s/jjava.jar", "{connection_file}"], "display_name": "Java (jjava)", "language": "java", "interrupt_mode": "message"}\n' \
    "$JJAVA_HOME" "$JJAVA_HOME" > "$out/jjava-home/kernel.json"
  jjava_spec="$out/jjava-home/kernel.json"
fi
if [ -n "$jjava_spec" ]; then
  # Its kernel.json uses {resource_dir}; resolve it for a direct start.
  sed "s#{resource_dir}#$(dirname "$jjava_spec")#g" "$jjava_spec" > "$out/jjava-kernel.json.tmp"
  mv "$out/jjava-kernel.json.tmp" "$out/jjava-kernel.json"
  specs+=("jjava=$out/jjava-kernel.json")
else
  echo "-- JJava could not be downloaded here ($jjava_url); comparing with the issue's JJava numbers for"
  echo "   this machine kind instead: ready 1.7-3.3 s, i + 1 round trip p50 ~85 ms (NOT measured in this run)"
fi
java -XX:+UseSerialGC -Dstarts="${STARTS:-3}" -cp "$BENCH_CP" dev.kale4j.bench.kernel.KernelBench "$out" "${specs[@]}" \
  | tee "$out/results.txt"
if [ -z "$jjava_spec" ]; then
  awk '/^kale4j /{ printf "goal check vs quoted JJava: ready %.0f ms vs 850 ms (half of 1.7 s): %s; p50 %.1f ms vs 42.5 ms (half of 85): %s\n", $2, ($2 < 850 ? "met" : "NOT met"), $4, ($4 < 42.5 ? "met" : "NOT met") }' "$out/results.txt"
fi
