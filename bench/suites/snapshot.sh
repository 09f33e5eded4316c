#!/usr/bin/env bash
# Snapshot agent vs restic (Debian's package) on the same generated "ML volume", in the same run.
# Measures: first snapshot, incremental snapshot after the generator's ~1% in-place change, restore,
# repository size, bytes added by the 1% change. Each timing is the best of REPS runs (the machine is shared;
# best-of filters out other people's load for both tools alike).
# Every timed command starts with its input in the page cache (`ready`, below) and after a `sync`: no tool pays for the other's dirty pages being written back (before
# run 7 only the first tool of each pair got a clean start, and kale4j, always second, ran while restic's 0.8-1 GiB
# were being flushed).
# Usage: bench/run snapshot      env: SIZES="256 1024" (MiB), REPS=3
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${BENCH_OUT:-$root/bench/out}/snapshot"
mkdir -p "$out"
sizes=(${SIZES:-256 1024})
reps=${REPS:-3}

if ! command -v restic >/dev/null; then
  echo "installing restic (Debian package)..."
  apt-get update -qq >/dev/null && apt-get install -y -qq restic >/dev/null
fi
jar="$root/snapshot-agent/target/kale4j-snapshot-agent-0.1.0-SNAPSHOT-standalone.jar"
if [ ! -f "$jar" ] || [ -n "$(find "$root/snapshot-agent/src/main" "$root/common/src/main" "$root/snapshot-agent/pom.xml" -newer "$jar" -type f -print -quit)" ]; then
  (cd "$root" && mvn -B -q -DskipTests -pl snapshot-agent -am package >/dev/null)
fi
# A private copy: others' builds may rewrite target/ during the run, which would also invalidate the CDS archive.
cp "$jar" "$out/agent.jar"; jar="$out/agent.jar"
# The agent as a step-container image would run it: the standalone jar with the agent's JVM options (ParallelGC
# and JIT thresholds, dev.kale4j.common.SnapshotAgentJvm, the same list the step wrapper uses) and an AppCDS
# archive of its classes made once, as an image build step would (docs/snapshots.md): the jar's CdsTraining
# runs create, an incremental create, list, restore and verify on a small temporary tree.
read -r -a agent_opts <<< "$(java -cp "$jar" dev.kale4j.common.SnapshotAgentJvm)"
jvm=(java "${agent_opts[@]}" -Xlog:disable -Xlog:all=error:stderr)
jsa="$out/agent.jsa"
rm -f "$jsa"
"${jvm[@]}" -XX:ArchiveClassesAtExit="$jsa" -cp "$jar" dev.kale4j.snapshot.cli.CdsTraining >/dev/null 2>&1 || true
kale=("${jvm[@]}" -XX:SharedArchiveFile="$jsa" -jar "$jar")
restic version
java -version 2>&1 | head -1
export RESTIC_PASSWORD=kale4j-bench RESTIC_CACHE_DIR="$out/restic-cache"

now() { date +%s.%N; }
secs() { python3 -c "print(f'{$2 - $1:.3f}')"; }
best() { python3 -c "import sys; print(min(map(float, sys.argv[1:])))" "$@"; }
bytes() { du -sb "$1" | cut -f1; }
warm() { find "$1" -type f -exec cat {} + > /dev/null; }
# Before every timed command: its input and both tools' program files are read once more, then `sync`. This VM's
# host pages out page-cache pages that were not touched for a few seconds (DAMON "pageout"): one warm-up at the
# start left 11-76% of a volume cached for later runs (fincore), and after restic's ~6 s the JDK's files were
# partly on disk again (a 256 MiB snapshot after 8 idle seconds: 0.85-0.90 s, with the JDK's lib/ read first
# 0.72-0.76 s). A warm-up run, as hyperfine does, would warm the same files.
java_home="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
tool_files=("$(command -v restic)" "$java_home/lib" "$jar" "$jsa" "${XDG_CACHE_HOME:-$HOME/.cache}/kale4j/native")
ready() {
  warm "$1"
  local f
  for f in "${tool_files[@]}"; do if [ -e "$f" ]; then warm "$f"; fi; done
  sync
}

results="$out/results.tsv"
: > "$results"; : > "$out/library.tsv"
# The library benchmark class: from the bench module (bench/run exports BENCH_CP), else compiled here.
if [ -n "${BENCH_CP:-}" ]; then
  bench_cp="$BENCH_CP"
else
  mkdir -p "$out/classes"
  javac -d "$out/classes" -cp "$jar" "$root/bench/src/main/java/dev/kale4j/bench/snapshot/SnapshotBench.java"
  bench_cp="$out/classes:$jar"
fi
for mib in "${sizes[@]}"; do
  pristine="$out/volume-$mib"
  if [ ! -f "$pristine.done" ]; then
    rm -rf "$pristine"; python3 "$root/bench/gen_volume.py" "$pristine" "$mib"; touch "$pristine.done"
  fi
  work="$out/work-$mib"; rm -rf "$work" "$out"/restic-"$mib"* "$out"/kale4j-"$mib"* "$out/rr-$mib" "$out/kr-$mib"
  cp -a "$pristine" "$work"; warm "$work"
  total=$(bytes "$work")

  # First snapshot: REPS fresh repositories each; keep the last for the rest.
  rf=(); kf=()
  for i in $(seq "$reps"); do
    rm -rf "$out/restic-$mib" "$out/kale4j-$mib"
    # Both repositories are created before the clock starts: restic's timed backup never included `restic init`,
    # kale4j's included making its repository until run 11 (~25 ms: three fsyncs).
    restic init -q -r "$out/restic-$mib"; "${kale[@]}" init --repo "$out/kale4j-$mib" >/dev/null; ready "$work"
    t0=$(now); restic -q -r "$out/restic-$mib" backup "$work" >/dev/null; t1=$(now); rf+=("$(secs "$t0" "$t1")")
    ready "$work"
    t0=$(now); "${kale[@]}" create --repo "$out/kale4j-$mib" --source "$work" --tag bench=first >/dev/null; t1=$(now); kf+=("$(secs "$t0" "$t1")")
  done
  r_size1=$(bytes "$out/restic-$mib"); k_size1=$(bytes "$out/kale4j-$mib")

  # Incremental: the 1% change, then REPS runs, each on a copy of the repository after the first snapshot.
  changed=$(python3 "$root/bench/gen_volume.py" --modify "$work"); warm "$work"
  ri=(); ki=()
  for i in $(seq "$reps"); do
    rm -rf "$out/restic-$mib-i" "$out/kale4j-$mib-i"
    cp -a "$out/restic-$mib" "$out/restic-$mib-i"; cp -a "$out/kale4j-$mib" "$out/kale4j-$mib-i"; ready "$work"
    t0=$(now); restic -q -r "$out/restic-$mib-i" backup "$work" >/dev/null; t1=$(now); ri+=("$(secs "$t0" "$t1")")
    ready "$work"
    # The JSON is parsed after t1: python's start-up is not the agent's time.
    t0=$(now); "${kale[@]}" create --repo "$out/kale4j-$mib-i" --source "$work" --tag bench=incremental --json > "$out/create.json"; t1=$(now); ki+=("$(secs "$t0" "$t1")")
    kid=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])' < "$out/create.json")
  done
  r_size2=$(bytes "$out/restic-$mib-i"); k_size2=$(bytes "$out/kale4j-$mib-i")

  # Restore the incremental snapshot: REPS times into fresh directories.
  rr=(); kr=()
  for i in $(seq "$reps"); do
    rm -rf "$out/rr-$mib" "$out/kr-$mib"; ready "$out/restic-$mib-i"
    t0=$(now); restic -q -r "$out/restic-$mib-i" restore latest --target "$out/rr-$mib" >/dev/null; t1=$(now); rr+=("$(secs "$t0" "$t1")")
    ready "$out/kale4j-$mib-i"
    t0=$(now); "${kale[@]}" restore --repo "$out/kale4j-$mib-i" --id "$kid" --target "$out/kr-$mib" >/dev/null; t1=$(now); kr+=("$(secs "$t0" "$t1")")
  done
  # Correctness: the kale4j restore is byte-identical to the source (diff -r also compares symlinks).
  diff -r "$work" "$out/kr-$mib" >/dev/null || { echo "kale4j restore differs from the source!"; exit 1; }
  "${kale[@]}" verify --repo "$out/kale4j-$mib-i" >/dev/null || { echo "kale4j verify failed!"; exit 1; }

  printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n" "$mib" "$total" "$changed" \
    "$(best "${rf[@]}")" "$(best "${kf[@]}")" "$(best "${ri[@]}")" "$(best "${ki[@]}")" \
    "$(best "${rr[@]}")" "$(best "${kr[@]}")" "$r_size2" "$k_size2" \
    "$((r_size2 - r_size1))" "$((k_size2 - k_size1))" >> "$results"
  # The same operations through the library in a warm JVM, as the pipeline runner calls it (no JVM start).
  lib=$(java -XX:+UseParallelGC -cp "$bench_cp" dev.kale4j.bench.snapshot.SnapshotBench "$pristine" "$work-lib" "$out/lib-$mib" "$reps" "$root/bench/gen_volume.py")
  rm -rf "$work-lib" "$out/lib-$mib"
  echo "$mib	$lib" >> "$out/library.tsv"
  echo "raw $mib MiB: restic first ${rf[*]} | kale4j first ${kf[*]} | restic incr ${ri[*]} | kale4j incr ${ki[*]} | restic restore ${rr[*]} | kale4j restore ${kr[*]}"
  rm -rf "$work" "$out/rr-$mib" "$out/kr-$mib" "$out/restic-$mib" "$out/kale4j-$mib" "$out/restic-$mib-i" "$out/kale4j-$mib-i"
done

uptime
python3 - "$results" "$out/library.tsv" <<'PY'
import sys
lib = {}
for line in open(sys.argv[2]):
    f = line.split("\t")
    lib[int(f[0])] = tuple(map(float, f[1:4]))
MiB = 1 << 20
print(f"{'volume':>8} {'metric':<30} {'restic':>9} {'kale4j':>9} {'ratio':>7}  goal")
for line in open(sys.argv[1]):
    (mib, total, changed, rf, kf, ri, ki, rr, kr, rs, ks, ra, ka) = line.split("\t")
    mib, total, changed = int(mib), int(total), int(changed)
    rf, kf, ri, ki, rr, kr = map(float, (rf, kf, ri, ki, rr, kr))
    rs, ks, ra, ka = map(int, (rs, ks, ra, ka))
    rows = [
        ("first snapshot MiB/s", total / MiB / rf, total / MiB / kf, kf and rf / kf, "kale4j/restic speed >= 3"),
        ("incremental snapshot s", ri, ki, ri / ki, "restic/kale4j time >= 2"),
        ("restore MiB/s", total / MiB / rr, total / MiB / kr, rr / kr, "kale4j/restic speed >= 2"),
        ("repository MiB (both snaps)", rs / MiB, ks / MiB, ks / rs, "kale4j/restic <= 1"),
        ("added by 1% change MiB", ra / MiB, ka / MiB, ka / changed,
         f"kale4j/changed ({changed / MiB:.2f} MiB) <= 1.5; restic {ra / changed:.2f}"),
    ]
    for name, r, k, ratio, goal in rows:
        print(f"{str(mib) + ' MiB':>8} {name:<30} {r:>9.2f} {k:>9.2f} {ratio:>7.2f}  {goal}")
    if mib in lib:
        lf, li, lr = lib[mib]
        print(f"{str(mib) + ' MiB':>8} {'  library (runner) first MiB/s':<30} {total / MiB / rf:>9.2f} {total / MiB / lf:>9.2f} {rf / lf:>7.2f}  in a warm JVM, no start-up")
        print(f"{str(mib) + ' MiB':>8} {'  library incremental s':<30} {ri:>9.2f} {li:>9.2f} {ri / li:>7.2f}")
        print(f"{str(mib) + ' MiB':>8} {'  library restore MiB/s':<30} {total / MiB / rr:>9.2f} {total / MiB / lr:>9.2f} {rr / lr:>7.2f}")
PY
