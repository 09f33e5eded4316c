#!/usr/bin/env bash
# The chunker's minimum: how much of the data FastCDC scans, and how many new bytes small changes add, for several
# minimums (no timing: the speed side is the snapshot suite). The 256 MiB bench volume, changed seven ways: the
# snapshot suite's 1% change (gen_volume.py --modify, seed 7), the same kind of change with seeds 1-5, and 12 small
# insertions. Prints a Markdown table; bench/RESULTS.md (snapshot, run 12) has the numbers behind RepoConfig's choice.
# Usage: bench/run chunking        env: MINS="32,128,512 64,128,512 96,128,512 112,128,512"
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${BENCH_OUT:-$root/bench/out}/chunking"
mkdir -p "$out"
volume="$out/volume-256"
if [ ! -f "$volume.done" ]; then
  rm -rf "$volume"; python3 "$root/bench/gen_volume.py" "$volume" 256; touch "$volume.done"
fi
changed=()
for seed in 7 1 2 3 4 5; do
  d="$out/modify-seed$seed"; rm -rf "$d"; cp -a "$volume" "$d"
  python3 "$root/bench/gen_volume.py" --modify "$d" "$seed" >/dev/null; changed+=("$d")
done
d="$out/insert-seed11"; rm -rf "$d"; cp -a "$volume" "$d"; python3 "$root/bench/gen_volume.py" --insert "$d" 11
changed+=("$d")
read -r -a mins <<< "${MINS:-32,128,512 64,128,512 96,128,512 112,128,512}"
java -Xmx2g -cp "$BENCH_CP" dev.kale4j.bench.snapshot.ChunkingSim "$volume" "${changed[@]}" -- "${mins[@]}"
rm -rf "${changed[@]}"
