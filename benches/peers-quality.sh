#!/usr/bin/env bash
# Search quality of hitta next to Lucene (SwedishAnalyzer), PostgreSQL ('swedish'), Xapian and
# plain tantivy on the dev corpus and its 1,186 judged Swedish questions.
#
#   benches/peers-quality.sh [PEER ...]        (default: lucene pg xapian tantivy)
#
# hitta imports the raw dev pages (boilerplate and all) and answers through `hitta eval search`
# (the same search path as HTTP). Each peer runs three ways: on the raw text, on the perfectly
# cleaned text with the title as its own field, and on the clean text with the title inside the
# body only. Every run is scored with ../shared/peers/eval.py, per question set (qid prefix).
# Needs `PEERS_STATE=/tmp/hitta-peers ../shared/peers/setup.sh` to have run once (it installs Java,
# PostgreSQL, Xapian and builds the Lucene and tantivy peers there).
# Scratch data goes to $HITTA_BENCH_DIR (default /tmp/hitta-peers-quality).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED="$ROOT/../shared"
DEV="$SHARED/corpus/dev"
PEERS="$SHARED/peers"
OUT="${HITTA_BENCH_DIR:-/tmp/hitta-peers-quality}"
PEER_LIST=("$@")
[ ${#PEER_LIST[@]} -gt 0 ] || PEER_LIST=(lucene pg xapian tantivy)
mkdir -p "$OUT"
export PEERS_REPEAT="${PEERS_REPEAT:-1}"
# The peers' state must be readable by the postgres user (not under /root).
export PEERS_STATE="${PEERS_STATE:-/tmp/hitta-peers}"

python3 - "$DEV/peers" "$OUT" <<'PY'
import json, sys, pathlib
src, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
raw = [json.loads(l) for l in open(src / "raw.jsonl", encoding="utf-8")]
clean = [json.loads(l) for l in open(src / "clean.jsonl", encoding="utf-8")]
def write(name, docs):
    with open(out / f"{name}.jsonl", "w", encoding="utf-8") as f:
        for d in docs:
            f.write(json.dumps(d, ensure_ascii=False) + "\n")
write("raw", raw)
write("clean-title-field", clean)                      # body already starts with the heading
write("clean-title-in-body", [{"id": d["id"], "title": "", "body": d["body"]} for d in clean])
PY

# Per-set qrels (qid prefix before the first '-').
awk -F'\t' '{split($1, p, "-"); print > "'"$OUT"'/qrels." p[1] ".tsv"; print > "'"$OUT"'/qrels.all.tsv"}' "$DEV/qrels.tsv"
SETS=$(ls "$OUT"/qrels.*.tsv | sed 's/.*qrels\.\(.*\)\.tsv/\1/' | sort -u)

score() { # run-file label
  for s in $SETS; do
    python3 "$PEERS/eval.py" "$OUT/qrels.$s.tsv" "$1" --json |
      python3 -c "import json,sys; m=json.load(sys.stdin); print('\t'.join(['$s', '$2', *('%.4f' % m[k] for k in ('nDCG@10','MRR@10','Recall@10','Recall@100'))]))"
  done
}

: > "$OUT/results.tsv"
echo "== hitta (raw pages, own cleaning)"
cargo build --release --manifest-path "$ROOT/Cargo.toml" -q
HITTA="${CARGO_TARGET_DIR:-$ROOT/target}/release/hitta"
rm -rf "$OUT/hitta-index"
"$HITTA" import --index "$OUT/hitta-index" "$DEV" > /dev/null
"$HITTA" eval search --index "$OUT/hitta-index" --queries "$DEV/queries.tsv" --qrels "$DEV/qrels.tsv" --runs "$OUT/hitta.run" | tail -1
score "$OUT/hitta.run" "hitta raw" >> "$OUT/results.tsv"

for peer in "${PEER_LIST[@]}"; do
  for variant in raw clean-title-field clean-title-in-body; do
    echo "== $peer $variant"
    PEER_INDEX="dev-$variant" "$PEERS/run.sh" "$peer" index "$OUT/$variant.jsonl" > "$OUT/$peer-$variant.index.log" 2>&1
    PEER_INDEX="dev-$variant" "$PEERS/run.sh" "$peer" search "$DEV/queries.tsv" "$OUT/$peer-$variant.run" > "$OUT/$peer-$variant.search.log" 2>&1
    score "$OUT/$peer-$variant.run" "$peer $variant" >> "$OUT/results.tsv"
  done
done

python3 - "$OUT/results.tsv" <<'PY'
import sys, collections
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
by_set = collections.defaultdict(list)
for r in rows:
    by_set[r[0]].append(r)
for s in sorted(by_set, key=lambda x: (x != "all", x)):
    print(f"\n### {s}\n")
    print("| engine | nDCG@10 | MRR@10 | R@10 | R@100 |\n|---|---|---|---|---|")
    best_peer = max((float(r[2]) for r in by_set[s] if not r[1].startswith("hitta")), default=0.0)
    for r in sorted(by_set[s], key=lambda r: -float(r[2])):
        print(f"| {r[1]} | {r[2]} | {r[3]} | {r[4]} | {r[5]} |")
    ours = [float(r[2]) for r in by_set[s] if r[1].startswith("hitta")]
    if ours:
        print(f"\nhitta - best peer run: {ours[0] - best_peer:+.4f} nDCG@10")
PY
