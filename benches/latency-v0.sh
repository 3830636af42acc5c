#!/usr/bin/env bash
# Query latency of today's analysis against the v0 analysis (stemmed words in body, title and
# metadata only: no compound parts, no folding, no typo corrections, no relatives, no proximity, no
# coverage, one phase), on the same index of the dev pages and the 1,186 dev questions, top 100,
# in-process. Alternates the two settings RUNS times (default 15: single runs vary by a quarter on
# a shared machine) and prints the median of the per-run medians and their ratio.
#
#   benches/latency-v0.sh                         # ~1.5 min
#   RUNS=5 HITTA_BIN=/tmp/hitta benches/latency-v0.sh   # a given binary (default: cargo build --release)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEV="$ROOT/../shared/corpus/dev"
WORK="${HITTA_BENCH_DIR:-/tmp/hitta-bench}"
RUNS="${RUNS:-15}"
if [ -n "${HITTA_BIN:-}" ]; then
  HITTA="$HITTA_BIN"
else
  cargo build --release -q --manifest-path "$ROOT/Cargo.toml"
  HITTA="${CARGO_TARGET_DIR:-$ROOT/target}/release/hitta"
fi
mkdir -p "$WORK"
rm -rf "$WORK/dev-index"
"$HITTA" import --index "$WORK/dev-index" "$DEV" > /dev/null
v0=(HITTA_SEARCH_PARTS_BOOST=0 HITTA_SEARCH_QUERY_PARTS_BOOST=0 HITTA_SEARCH_FOLDED_BOOST=0
    HITTA_SEARCH_TYPO_MAX_DOC_FREQ=0 HITTA_SEARCH_PROXIMITY_BOOST=0 HITTA_SEARCH_COVERAGE_EXP=0
    HITTA_SEARCH_RERANK_DEPTH=0 HITTA_SEARCH_MORPH_BOOST=0 HITTA_SEARCH_DERIVED_COVERAGE=false)
run() { env "$@" "$HITTA" eval search --json --index "$WORK/dev-index" --queries "$DEV/queries.tsv" --qrels "$DEV/qrels.tsv"; }
: > "$WORK/latency.tsv"
for i in $(seq "$RUNS"); do
  echo -e "v0\t$(run "${v0[@]}" | python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["median_ms"], r["overall"]["ndcg10"], sep="\t")')" >> "$WORK/latency.tsv"
  echo -e "now\t$(run HITTA_NOTHING=1 | python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["median_ms"], r["overall"]["ndcg10"], sep="\t")')" >> "$WORK/latency.tsv"
done
python3 - "$WORK/latency.tsv" <<'PY'
import sys, statistics as st, collections
rows = collections.defaultdict(list)
for l in open(sys.argv[1]):
    k, ms, ndcg = l.split("\t"); rows[k].append((float(ms), float(ndcg)))
m = {k: st.median(x for x, _ in v) for k, v in rows.items()}
for k in ("v0", "now"):
    print(f"{k:>4}: median query {m[k]:.3f} ms (top 100, no snippets), nDCG@10 {rows[k][0][1]:.4f}")
print(f"ratio now/v0: {m['now'] / m['v0']:.2f}")
PY
