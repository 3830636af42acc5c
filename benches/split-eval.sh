#!/usr/bin/env bash
# Two-fold check of a ranking weight: the dev questions split into odd- and even-numbered lines
# of queries.tsv; every setting is evaluated on both halves; the setting that scores best on one
# half is reported on the other (and vice versa), next to the default's score on that half.
# A weight change is worth keeping only if it wins on both held-out halves.
#
#   benches/split-eval.sh KEY VALUE...        e.g. benches/split-eval.sh COVERAGE_EXP 0 0.5 1
#
# KEY is a [search] key (HITTA_SEARCH_<KEY>); the first VALUE should be the current default.
# Env: INDEX (default /tmp/ws-dev-index, imported from ../shared/corpus/dev if missing),
# HITTA (the binary), SET (score the choice on this query set, default `all`; e.g. swefaq).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEV="$ROOT/../shared/corpus/dev"
HITTA="${HITTA:-${CARGO_TARGET_DIR:-$ROOT/target}/release/hitta}"
INDEX="${INDEX:-/tmp/ws-dev-index}"
SET="${SET:-all}"
KEY="$1"; shift
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
[ -f "$INDEX/meta.json" ] || "$HITTA" import --index "$INDEX" "$DEV" > /dev/null
awk 'NR % 2 == 1' "$DEV/queries.tsv" > "$WORK/odd.tsv"
awk 'NR % 2 == 0' "$DEV/queries.tsv" > "$WORK/even.tsv"
for v in "$@"; do
  for half in odd even; do
    env "HITTA_SEARCH_$KEY=$v" "$HITTA" eval search --json --index "$INDEX" \
      --queries "$WORK/$half.tsv" --qrels "$DEV/qrels.tsv" > "$WORK/$v.$half.json"
  done
done
python3 - "$WORK" "$KEY" "$SET" "$@" <<'PY'
import json, sys
work, key, chosen_set, values = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
def ndcg(v, half, s):
    r = json.load(open(f"{work}/{v}.{half}.json"))
    return (r["overall"] if s == "all" else r["sets"][s])["ndcg10"]
print(f"{key:>20} {'odd all':>8} {'odd faq':>8} {'even all':>8} {'even faq':>8}")
for v in values:
    print(f"{v:>20} {ndcg(v,'odd','all'):8.4f} {ndcg(v,'odd','swefaq'):8.4f} "
          f"{ndcg(v,'even','all'):8.4f} {ndcg(v,'even','swefaq'):8.4f}")
base = values[0]
for tune, test in (("odd", "even"), ("even", "odd")):
    best = max(values, key=lambda v: ndcg(v, tune, chosen_set))
    print(f"tuned on {tune} ({chosen_set}): {key}={best}; on {test}: "
          f"all {ndcg(best,test,'all'):.4f} (default {ndcg(base,test,'all'):.4f}), "
          f"swefaq {ndcg(best,test,'swefaq'):.4f} (default {ndcg(base,test,'swefaq'):.4f})")
PY
