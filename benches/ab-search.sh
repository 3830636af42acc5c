#!/usr/bin/env bash
# A/B of in-process query latency: binaries and/or indexes alternated round by round (the
# machines are shared and noisy: only medians of alternating runs, and ratios to the first
# configuration, are worth quoting). Prints the median p50 per query set and configuration.
#
#   benches/ab-search.sh ROUNDS BIN:INDEX [BIN:INDEX...]
#   e.g. benches/ab-search.sh 3 /tmp/hitta-old:/tmp/idx /tmp/hitta-new:/tmp/idx
#   ARGS=--snippets benches/ab-search.sh 3 ...   # extra arguments for `hitta bench search`
#                                                # (--snippets: rows KEY and KEY+snippets)
#
# Query sets from benches/make_queries.py in $QUERIES (default /tmp/hitta-bench/queries).
set -euo pipefail
ROUNDS="$1"; shift
QUERIES="${QUERIES:-/tmp/hitta-bench/queries}"
OUT="$(mktemp)"
trap 'rm -f "$OUT"' EXIT
for _ in $(seq "$ROUNDS"); do
  for conf in "$@"; do
    # shellcheck disable=SC2086 # ARGS is a list of arguments
    "${conf%%:*}" bench search --repeat 3 --index "${conf#*:}" ${ARGS:-} \
      "$QUERIES/keywords.tsv" "$QUERIES/typos.tsv" "$QUERIES/questions.tsv" 2>&1 \
      | awk -v c="$conf" '/p50/ {set = $1; if (/with snippets/) set = set "+snippets"
                                 for (k = 1; k <= NF; k++) if ($k == "p50") print c, set, $(k + 1)}' >> "$OUT"
  done
done
python3 - "$OUT" <<'PY'
import sys, collections, statistics as st
d, confs = collections.defaultdict(list), []
for line in open(sys.argv[1]):
    c, s, v = line.split()
    d[(s, c)].append(float(v))
    if c not in confs:
        confs.append(c)
for s in sorted({s for s, _ in d}):
    base = st.median(d[(s, confs[0])])
    print(s, "  ".join(f"{c} p50 {st.median(d[(s, c)]):.3f} ms ({st.median(d[(s, c)]) / base:.2f})" for c in confs))
PY
