#!/usr/bin/env bash
# Import benchmark: the 44,771 raw pages of ../shared/corpus/bench-pages.tar.gz into a fresh
# index, release build. Prints pages/s, MB/s, the CPU time of each stage (the stages overlap:
# a batch is cleaned while the one before is indexed) and cleaning's share of the import's CPU
# time, peak RSS and the index size. Runs RUNS times (default 3) and quotes the median of each
# figure: the machines are shared and noisy. PAGES=dir imports another folder.
#
#   benches/import.sh            # needs GNU time (apt-get install time)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="${HITTA_BENCH_DIR:-/tmp/hitta-bench}"
RUNS="${RUNS:-3}"
mkdir -p "$WORK"
if [ ! -d "$WORK/bench-pages" ]; then
  tar xzf "$ROOT/../shared/corpus/bench-pages.tar.gz" -C "$WORK"
fi
cargo build --release -q --manifest-path "$ROOT/Cargo.toml"
HITTA="${CARGO_TARGET_DIR:-$ROOT/target}/release/hitta"
PAGES="${PAGES:-$WORK/bench-pages}"
BYTES=$(du -sb "$PAGES" | cut -f1)
: > "$WORK/runs.tsv"
for i in $(seq "$RUNS"); do
  rm -rf "$WORK/index"
  /usr/bin/time -f "%M" -o "$WORK/rss.txt" "$HITTA" import --json --index "$WORK/index" "$PAGES" > "$WORK/report.json"
  python3 - "$WORK/report.json" "$(cat "$WORK/rss.txt")" "$(du -sb "$WORK/index" | cut -f1)" "$BYTES" >> "$WORK/runs.tsv" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); rss_kb, index_b, bytes_in = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
s = r["cpu_ms"]; total = r["elapsed_ms"] / 1000; cpu = sum(s.values())
print("\t".join(str(x) for x in [r["imported"], total, r["imported"] / total, bytes_in / 1e6 / total,
      s["read"], s["decode"], s["clean"], s["index"], s["clean"] / max(1, cpu),
      rss_kb / 1024, index_b / 1e6, len(r["skipped"])]))
PY
done
python3 - "$WORK/runs.tsv" <<'PY'
import sys, statistics as st
rows = [list(map(float, l.split("\t"))) for l in open(sys.argv[1]) if l.strip()]
med = [st.median(c) for c in zip(*rows)]
names = ["pages", "seconds", "pages/s", "MB/s", "read CPU ms", "decode+extract CPU ms", "clean CPU ms",
         "index CPU ms", "clean share", "peak RSS MB", "index MB", "skipped"]
print(f"import of bench-pages, median of {len(rows)} runs:")
for n, v in zip(names, med):
    print(f"  {n:<18} {v:,.3f}" if n in ("clean share", "MB/s", "seconds") else f"  {n:<18} {v:,.0f}")
PY
