#!/usr/bin/env bash
# Speed of hitta next to Lucene and PostgreSQL, side by side in one run, on the same pages and
# the same queries (../shared/peers does the peers; its README says how they index and measure).
#
#   benches/peers-speed.sh                        # about 10-15 minutes on 2 shared cores
#   RUNS=3 benches/peers-speed.sh                 # medians of 3 runs
#   HITTA_BIN=/tmp/hitta benches/peers-speed.sh   # a given binary instead of a fresh release build
#
# What it measures, on the 44,771 pages of ../shared/corpus/bench-pages.tar.gz:
#   indexing  Lucene 9.9.1 and PostgreSQL 15 index the pages *already clean* (gold title + gold
#             content lines, from bench-gold.jsonl.gz); hitta imports the *raw* page dumps into a
#             fresh index, so its figure includes reading, decoding and cleaning. pages/s = pages
#             indexed / index seconds (hitta: imported / elapsed_ms of its --json report; Lucene and
#             PostgreSQL: docs / index_time_s of their STATS line), index MB (folder size;
#             PostgreSQL: pg_total_relation_size), peak RSS (GNU time %M).
#   search    the three query sets of benches/make_queries.py (questions: 1,186 dev questions,
#             keywords: 500 queries of 1-3 words, typos: the same with a typo). Latency per query,
#             measured inside each engine's process, single thread, after one untimed warm-up pass:
#             hitta `hitta bench search` (top 10, no snippets; a second row with snippets when the
#             binary reports or offers them), Lucene top 100 + reading the 100 stored ids (without
#             the ids in the notes), PostgreSQL in-backend PL/pgSQL timing of the ranked top 100.
#   Prints one markdown table (pages/s, index MB, peak RSS, p50/p95/p99 per query set) and the
#   ratios hitta pages/s / Lucene pages/s (target >= 0.5) and hitta p50 / Lucene p50 per set
#   (target <= 0.5).
#
# Environment:
#   RUNS        index+search cycles; the table shows the median of each figure (default 1)
#   REPEAT      timed passes over each query set for hitta and Lucene (default 5)
#   PG_REPEAT   timed passes for PostgreSQL (default 1; pg_peer.py runs a warm-up pass, then times
#               client side and in-backend in separate passes, so 1 means 3 passes)
#   PG_QUESTIONS  PostgreSQL answers an evenly spaced sample of this many of the 1,186 questions
#               (default 200; 0 = all). On the 44,771 pages a question takes it 110-180 ms at p50
#               (180-250 ms mean), so all of them take ~13 minutes. Keywords and typos run in full.
#   HITTA_LIMIT hits per query for hitta (default 10, what a results page shows; the peers always
#               fetch 100)
#   HITTA_CONFIG  config file for hitta (default: none, i.e. built-in defaults)
#   HITTA_BIN   hitta binary (default: cargo build --release, then a copy in the scratch dir, so a
#               rebuild during the run changes nothing)
#   HITTA_BENCH_DIR  scratch dir (default /tmp/hitta-bench; bench-pages/ and queries/ are shared
#               with benches/import.sh, the rest goes to peers-speed/); nothing is written in the repo
#   PEERS_STATE peers' builds and indexes (default /tmp/hitta-peers; must be readable by the
#               postgres user); PEER_INDEX their index name (default bench)
# Needs the peers set up once: PEERS_STATE=/tmp/hitta-peers ../shared/peers/setup.sh lucene pg
# (done here automatically when the Lucene build or PostgreSQL is missing).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED="$ROOT/../shared"
PEERS="$SHARED/peers"
HELP="$ROOT/benches/peers_speed.py"
WORK="$(realpath -m "${HITTA_BENCH_DIR:-/tmp/hitta-bench}")"
OUT="$WORK/peers-speed"
RUNS="${RUNS:-1}"
REPEAT="${REPEAT:-5}"
PG_REPEAT="${PG_REPEAT:-1}"
HITTA_LIMIT="${HITTA_LIMIT:-10}"
PG_QUESTIONS="${PG_QUESTIONS:-200}"
export PEERS_STATE="${PEERS_STATE:-/tmp/hitta-peers}"
export PEER_INDEX="${PEER_INDEX:-bench}"
SETS=(questions keywords typos)
T0=$(date +%s)
say() { echo "== [$(( $(date +%s) - T0 ))s, load $(cut -d" " -f1 /proc/loadavg)] $*"; }
mkdir -p "$OUT"

# --- inputs (idempotent) --------------------------------------------------------------------
PAGES="$WORK/bench-pages"
if [ ! -d "$PAGES" ]; then
  say "unpacking bench-pages"
  tar xzf "$SHARED/corpus/bench-pages.tar.gz" -C "$WORK"
fi
GOLD="$SHARED/corpus/bench-gold.jsonl.gz"
CLEAN="$OUT/clean.jsonl"
if [ ! -s "$CLEAN" ] || [ "$GOLD" -nt "$CLEAN" ] || [ "$HELP" -nt "$CLEAN" ]; then
  say "building the pre-cleaned corpus"
  python3 "$HELP" corpus "$GOLD" "$CLEAN"
fi
for s in "${SETS[@]}"; do
  if [ ! -s "$WORK/queries/$s.tsv" ]; then
    say "writing the query sets"
    python3 "$ROOT/benches/make_queries.py" "$PAGES" "$WORK/queries"
    break
  fi
done

# --- engines --------------------------------------------------------------------------------
if [ ! -s "$PEERS_STATE/lucene/lib/lucene-9.9.1.jar" ] || [ ! -f "$PEERS_STATE/lucene/classes/SwedishBench.class" ] \
   || [ ! -x /usr/lib/postgresql/15/bin/postgres ] || ! /usr/bin/python3 -c 'import psycopg2' 2>/dev/null \
   || [ ! -x /usr/bin/time ]; then
  say "setting up the peers in $PEERS_STATE"
  "$PEERS/setup.sh" lucene pg
fi
if [ -n "${HITTA_BIN:-}" ]; then
  HITTA="$HITTA_BIN"
else
  say "cargo build --release"
  cargo build --release -q --manifest-path "$ROOT/Cargo.toml"
  cp "${CARGO_TARGET_DIR:-$ROOT/target}/release/hitta" "$OUT/hitta.bin.tmp"
  mv "$OUT/hitta.bin.tmp" "$OUT/hitta.bin"
  HITTA="$OUT/hitta.bin"
fi
# hitta runs with its built-in defaults (what config.toml shows), started in the scratch dir so no
# ./config.toml is picked up: the working tree's file may be ahead of the binary. HITTA_CONFIG=FILE
# uses that file instead.
CONF=(); [ -n "${HITTA_CONFIG:-}" ] && CONF=(--config "$(realpath "$HITTA_CONFIG")")
HITTA="$(realpath "$HITTA")"
cd "$OUT"
BENCH_HELP="$("$HITTA" bench search --help 2>&1)" && HAVE_BENCH=1 || HAVE_BENCH=0
if [ "$HAVE_BENCH" = 0 ]; then
  echo "!! $HITTA has no 'bench search' subcommand yet: hitta's query latency will be missing" >&2
fi

QFILES=(); for s in "${SETS[@]}"; do QFILES+=("$WORK/queries/$s.tsv"); done
HIDX="$OUT/hitta-index"
FAILED=()

for run in $(seq "$RUNS"); do
  R="$OUT/run-$run"
  rm -rf "$R"; mkdir -p "$R"
  say "run $run/$RUNS: index"
  for peer in lucene pg; do
    say "$peer index ($(wc -l < "$CLEAN") pre-cleaned pages)"
    if "$PEERS/run.sh" "$peer" index "$CLEAN" > "$R/$peer.index.log" 2>&1; then
      cp "$PEERS_STATE/$peer/index-$PEER_INDEX.stats.json" "$R/$peer.index.json"
      grep "^\[$peer\] index" "$R/$peer.index.log" || true
    else
      echo "!! $peer index failed, see $R/$peer.index.log" >&2; tail -5 "$R/$peer.index.log" >&2; FAILED+=("$peer index")
    fi
  done
  say "hitta import (raw pages, fresh index)"
  rm -rf "$HIDX"
  if /usr/bin/time -f "%M %e" -o "$R/hitta.import.time" "$HITTA" "${CONF[@]}" import --json --index "$HIDX" "$PAGES" \
       > "$R/hitta.import.report.json" 2> "$R/hitta.import.log"; then
    read -r rss wall < <(tail -1 "$R/hitta.import.time")
    python3 "$HELP" hitta-import "$R/hitta.import.report.json" "$rss" "$HIDX" "$wall" "$R/hitta.index.json"
  else
    echo "!! hitta import failed, see $R/hitta.import.log" >&2; tail -5 "$R/hitta.import.log" >&2; FAILED+=("hitta import")
  fi

  say "run $run/$RUNS: search"
  for s in "${SETS[@]}"; do
    for peer in lucene pg; do
      [ -f "$R/$peer.index.json" ] || continue
      passes=$REPEAT; Q="$WORK/queries/$s.tsv"
      if [ "$peer" = pg ]; then
        passes=$PG_REPEAT
        if [ "$s" = questions ] && [ "$PG_QUESTIONS" -gt 0 ] && [ "$(wc -l < "$Q")" -gt "$PG_QUESTIONS" ]; then
          mkdir -p "$OUT/queries-pg"
          python3 "$HELP" sample "$Q" "$OUT/queries-pg/$s.tsv" "$PG_QUESTIONS"
          Q="$OUT/queries-pg/$s.tsv"
        fi
      fi
      say "$peer search $s ($(wc -l < "$Q") queries, $passes timed passes)"
      if PEERS_REPEAT=$passes "$PEERS/run.sh" "$peer" search "$Q" "$R/$peer.$s.run" > "$R/$peer.$s.log" 2>&1; then
        cp "$R/$peer.$s.run.stats.json" "$R/$peer.$s.json"
        grep "^\[$peer\] search" "$R/$peer.$s.log" || true
      else
        echo "!! $peer search $s failed, see $R/$peer.$s.log" >&2; tail -5 "$R/$peer.$s.log" >&2; FAILED+=("$peer search $s")
      fi
    done
  done
  if [ "$HAVE_BENCH" = 1 ] && [ -f "$R/hitta.index.json" ]; then
    # --snippets makes the same process time each file a second time with snippets built
    FLAGS=(); grep -q -- "--snippets" <<< "$BENCH_HELP" && FLAGS=(--snippets)
    say "hitta bench search ${FLAGS[*]} (${SETS[*]}, top $HITTA_LIMIT, $REPEAT timed passes)"
    if /usr/bin/time -f "%M %e" -o "$R/hitta.search.time" "$HITTA" "${CONF[@]}" bench search --index "$HIDX" \
         --repeat "$REPEAT" --limit "$HITTA_LIMIT" --json "${FLAGS[@]}" "${QFILES[@]}" > "$R/hitta.search.out" 2> "$R/hitta.search.log"; then
      read -r rss wall < <(tail -1 "$R/hitta.search.time")
      python3 "$HELP" hitta-search "$R" "$R/hitta.search.out" "$rss"
    else
      echo "!! hitta bench search failed, see $R/hitta.search.log" >&2; tail -5 "$R/hitta.search.log" >&2
      FAILED+=("hitta bench search")
    fi
  fi
done

say "done in $(( $(date +%s) - T0 )) s; results in $OUT/run-*"
python3 "$HELP" table "$OUT" "${SETS[@]}" | tee "$OUT/table.md"
[ "$HAVE_BENCH" = 1 ] || echo -e "\n(hitta latency missing: the binary has no 'bench search' yet)" | tee -a "$OUT/table.md"
if [ ${#FAILED[@]} -gt 0 ]; then
  printf '\n!! failed: %s\n' "${FAILED[*]}" | tee -a "$OUT/table.md" >&2
  exit 1
fi
