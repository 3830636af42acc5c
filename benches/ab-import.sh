#!/usr/bin/env bash
# A/B of import time: binaries alternated round by round, each importing PAGES into a fresh
# index. Prints the median wall and CPU (user + sys) seconds per binary and the ratios to the
# first. Needs GNU time.
#
#   benches/ab-import.sh ROUNDS PAGES BIN [BIN...]
set -euo pipefail
ROUNDS="$1"; PAGES="$2"; shift 2
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
for _ in $(seq "$ROUNDS"); do
  for bin in "$@"; do
    rm -rf "$WORK/index"
    /usr/bin/time -f "%e %U %S" -o "$WORK/t" "$bin" import --index "$WORK/index" "$PAGES" > /dev/null 2>&1
    echo "$bin $(cat "$WORK/t")" >> "$WORK/out"
  done
done
python3 - "$WORK/out" <<'PY'
import sys, collections, statistics as st
d, bins = collections.defaultdict(list), []
for line in open(sys.argv[1]):
    b, e, u, s = line.split()
    d[b].append((float(e), float(u) + float(s)))
    if b not in bins:
        bins.append(b)
w0 = st.median(x[0] for x in d[bins[0]]); c0 = st.median(x[1] for x in d[bins[0]])
for b in bins:
    w = st.median(x[0] for x in d[b]); c = st.median(x[1] for x in d[b])
    print(f"{b}: wall {w:.2f} s ({w / w0:.3f})  cpu {c:.2f} s ({c / c0:.3f})  runs {len(d[b])}")
PY
