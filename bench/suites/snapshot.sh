#!/usr/bin/env bash
# Snapshot agent vs restic (Debian's package) on the same generated "ML volume", in the same run.
# Measures: first snapshot, incremental snapshot after a ~1% in-place change, restore, repository size,
# bytes added by the 1% change. Usage: bench/run snapshot   (SIZES="256 1024" by default)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${BENCH_OUT:-$root/bench/out}/snapshot"
mkdir -p "$out"
sizes=(${SIZES:-256 1024})

if ! command -v restic >/dev/null; then
  echo "installing restic (Debian package)..."
  apt-get update -qq >/dev/null && apt-get install -y -qq restic >/dev/null
fi
jar="$root/snapshot-agent/target/kale4j-snapshot-agent-0.1.0-SNAPSHOT-standalone.jar"
if [ ! -f "$jar" ] || [ -n "$(find "$root/snapshot-agent/src/main" "$root/snapshot-agent/pom.xml" -newer "$jar" -type f -print -quit)" ]; then
  (cd "$root" && mvn -B -q -DskipTests -pl snapshot-agent -am install >/dev/null)
fi
# The agent as a step container image would run it: the standalone jar with ParallelGC (a throughput
# collector) and an AppCDS archive of its classes, made once like an image build step would (saves ~0.3 s of
# class loading per call; see docs/snapshots.md).
jsa="$out/agent.jsa"
train="$out/cds-train"; rm -rf "$train" "$train-repo" "$train-out" "$jsa"; mkdir -p "$train/d"; echo x > "$train/d/f"
java -XX:ArchiveClassesAtExit="$jsa" -jar "$jar" create --repo "$train-repo" --source "$train" --json >/dev/null 2>&1
java -XX:SharedArchiveFile="$jsa" -XX:ArchiveClassesAtExit="$jsa.2" -jar "$jar" restore --repo "$train-repo" --id "$(ls "$train-repo/snapshots")" --target "$train-out" >/dev/null 2>&1 || true
[ -f "$jsa.2" ] && mv "$jsa.2" "$jsa"
kale=(java -XX:+UseParallelGC -XX:SharedArchiveFile="$jsa" -Xshare:auto -jar "$jar")
export RESTIC_PASSWORD=kale4j-bench RESTIC_CACHE_DIR="$out/restic-cache"

now() { date +%s.%N; }
secs() { python3 -c "print(f'{$2 - $1:.3f}')"; }
bytes() { du -sb "$1" | cut -f1; }

results="$out/results.tsv"
: > "$results"
for mib in "${sizes[@]}"; do
  pristine="$out/volume-$mib"
  if [ ! -f "$pristine.done" ]; then
    rm -rf "$pristine"; python3 "$root/bench/gen_volume.py" "$pristine" "$mib"; touch "$pristine.done"
  fi
  work="$out/work-$mib"; rrepo="$out/restic-$mib"; krepo="$out/kale4j-$mib"
  rm -rf "$work" "$rrepo" "$krepo" "$out/rr-$mib" "$out/kr-$mib"
  cp -a "$pristine" "$work"
  cat $(find "$work" -type f) > /dev/null   # both tools read from a warm page cache
  total=$(bytes "$work")

  restic init -q -r "$rrepo"
  t0=$(now); restic -q -r "$rrepo" backup "$work" >/dev/null; t1=$(now); r_first=$(secs "$t0" "$t1")
  t0=$(now); "${kale[@]}" create --repo "$krepo" --source "$work" --tag bench=first >/dev/null 2>&1; t1=$(now); k_first=$(secs "$t0" "$t1")
  r_size1=$(bytes "$rrepo"); k_size1=$(bytes "$krepo")

  changed=$(python3 "$root/bench/gen_volume.py" --modify "$work")
  cat $(find "$work" -type f) > /dev/null
  t0=$(now); restic -q -r "$rrepo" backup "$work" >/dev/null; t1=$(now); r_incr=$(secs "$t0" "$t1")
  t0=$(now); kid=$("${kale[@]}" create --repo "$krepo" --source "$work" --tag bench=incremental --json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'); t1=$(now); k_incr=$(secs "$t0" "$t1")
  r_size2=$(bytes "$rrepo"); k_size2=$(bytes "$krepo")

  sync
  t0=$(now); restic -q -r "$rrepo" restore latest --target "$out/rr-$mib" >/dev/null; t1=$(now); r_rest=$(secs "$t0" "$t1")
  t0=$(now); "${kale[@]}" restore --repo "$krepo" --id "$kid" --target "$out/kr-$mib" >/dev/null 2>&1; t1=$(now); k_rest=$(secs "$t0" "$t1")
  # Correctness: the kale4j restore is byte-identical to the source (diff -r also compares symlinks).
  diff -r "$work" "$out/kr-$mib" >/dev/null || { echo "kale4j restore differs from the source!"; exit 1; }
  "${kale[@]}" verify --repo "$krepo" >/dev/null 2>&1 || { echo "kale4j verify failed!"; exit 1; }

  printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n" "$mib" "$total" "$changed" \
    "$r_first" "$k_first" "$r_incr" "$k_incr" "$r_rest" "$k_rest" "$r_size2" "$k_size2" \
    "$((r_size2 - r_size1))" "$((k_size2 - k_size1))" >> "$results"
  rm -rf "$work" "$out/rr-$mib" "$out/kr-$mib"
done

python3 - "$results" <<'PY'
import sys
MiB = 1 << 20
print(f"{'volume':>7} {'metric':<28} {'restic':>10} {'kale4j':>10} {'ratio':>8}  goal")
for line in open(sys.argv[1]):
    (mib, total, changed, rf, kf, ri, ki, rr, kr, rs, ks, ra, ka) = line.split("\t")
    mib, total, changed = int(mib), int(total), int(changed)
    rf, kf, ri, ki, rr, kr = map(float, (rf, kf, ri, ki, rr, kr))
    rs, ks, ra, ka = map(int, (rs, ks, ra, ka))
    rows = [
        ("first snapshot MiB/s", total / MiB / rf, total / MiB / kf, ">= 3x"),
        ("incremental snapshot s", ri, ki, "restic/kale4j >= 2x"),
        ("restore MiB/s", total / MiB / rr, total / MiB / kr, ">= 2x"),
        ("repository MiB (both snaps)", rs / MiB, ks / MiB, "kale4j <= restic"),
        ("added by 1% change MiB", ra / MiB, ka / MiB, f"kale4j <= 1.5x changed ({changed / MiB:.2f} MiB)"),
    ]
    for name, r, k, goal in rows:
        if name.startswith("incremental"):
            ratio = r / k
        elif "MiB/s" in name:
            ratio = k / r
        elif name.startswith("added"):
            ratio = ka / changed
        else:
            ratio = k / r
        print(f"{str(mib)+' MiB':>7} {name:<28} {r:>10.2f} {k:>10.2f} {ratio:>7.2f}x  {goal}")
PY
