#!/usr/bin/env bash
# Soak: WARMUP seconds (default 30) of mixed queries at full load (wrk, CONNS connections,
# default 64) against `hitta serve`, then DURATION seconds (default 60) more while an import of
# new pages runs into the same index, then TAIL seconds (default 30) after it ends. Prints wrk's
# requests/s, p50/p99, non-2xx answers and socket errors for the whole run, the import's report
# line, and the server's memory every 10 s: VmRSS (which also counts the mapped index files, and
# so grows with the pages the import adds) and RssAnon (the heap). 0 errors and a flat heap after
# warm-up are the expectation.
#
#   benches/soak.sh          # needs wrk (apt-get install wrk) and the bench pages in /tmp/hitta-bench
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="${HITTA_BENCH_DIR:-/tmp/hitta-bench}"
WARMUP="${WARMUP:-30}"; DURATION="${DURATION:-60}"; TAIL="${TAIL:-30}"; CONNS="${CONNS:-64}"; PORT="${PORT:-7792}"
command -v wrk > /dev/null || apt-get install -y -q wrk > /dev/null
if [ -n "${HITTA_BIN:-}" ]; then HITTA="$HITTA_BIN"; else
  cargo build --release -q --manifest-path "$ROOT/Cargo.toml"; HITTA="$ROOT/target/release/hitta"; fi
[ -d "$WORK/bench-pages" ] || tar xzf "$ROOT/../shared/corpus/bench-pages.tar.gz" -C "$WORK"
[ -f "$WORK/queries/keywords.tsv" ] || python3 "$ROOT/benches/make_queries.py" "$WORK/bench-pages" "$WORK/queries"
S=$(mktemp -d); trap 'kill $SAMPLER $SERVER 2>/dev/null || true; rm -rf "$S"' EXIT
SAMPLER=; SERVER=
# Index: the first 30,000 bench pages; the import during the soak adds the rest.
mkdir -p "$S/first" "$S/rest" "$S/empty"
python3 - "$WORK/bench-pages" "$S" <<'PY'
import os, sys
src, s = sys.argv[1], sys.argv[2]
names = sorted(n for n in os.listdir(src) if n.endswith((".txt", ".html", ".htm")))
for i, n in enumerate(names):
    os.symlink(os.path.join(src, n), os.path.join(s, "first" if i < 30000 else "rest", n))
PY
(cd "$S" && "$HITTA" import --index "$S/index" "$S/first" > /dev/null)
python3 - "$WORK/queries" > "$S/paths.txt" <<'PY'
import random, sys, urllib.parse
qs = []
for name in ("keywords", "typos", "questions"):
    qs += [l.rstrip("\n").split("\t", 1)[1] for l in open(f"{sys.argv[1]}/{name}.tsv", encoding="utf-8") if "\t" in l]
random.Random(2).shuffle(qs)
for i, q in enumerate(qs):
    extra = ["", "&offset=10", "&limit=50"][i % 3]
    print(f"/search?q={urllib.parse.quote(q, safe='')}{extra}")
PY
cat > "$S/rotate.lua" <<'LUA'
local paths = {}
for line in io.lines(os.getenv("HITTA_PATHS")) do paths[#paths + 1] = line end
local n = 0
function setup(t) t:set("tid", n); n = n + 1 end
local i = 0
function init() i = ((tid or 0) * 7919) % #paths end
function request() i = i % #paths + 1; return wrk.format("GET", paths[i]) end
function done(s, lat)
  local e = s.errors
  io.write(string.format("RESULT %d %.1f %d %d %.2f %.2f\n", s.requests, s.requests / (s.duration / 1e6),
    e.status, e.connect + e.read + e.write + e.timeout, lat:percentile(50) / 1000, lat:percentile(99) / 1000))
end
LUA
# exec: $! is then the server itself, so the trap stops it.
(cd "$S" && HITTA_IMPORT_DIR="$S/empty" HITTA_SERVER_BIND="127.0.0.1:$PORT" \
  exec "$HITTA" serve --no-import --index "$S/index" > /dev/null 2>&1) &
SERVER=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/health" > /dev/null && break; sleep 0.2; done
PID=$SERVER
# VmRSS and RssAnon (the heap; VmRSS also counts the mapped index files, which grow as the
# import adds pages) once a second.
TOTAL=$((WARMUP + DURATION + TAIL))
( for t in $(seq 0 "$TOTAL"); do
    state=query; [ -f "$S/import.started" ] && state=import; [ -s "$S/import.txt" ] && state=after
    awk -v t="$t" -v s="$state" '/^VmRSS|^RssAnon/ {v[++n] = $2} END {print t, v[1], v[2], s}' /proc/"$PID"/status
    sleep 1; done ) > "$S/rss.txt" &
SAMPLER=$!
(sleep "$WARMUP"; touch "$S/import.started"; cd "$S" && "$HITTA" import --index "$S/index" "$S/rest" 2>&1 | head -1 > "$S/import.txt.tmp"; mv "$S/import.txt.tmp" "$S/import.txt") &
IMPORT=$!
HITTA_PATHS="$S/paths.txt" wrk -t2 -c"$CONNS" -d"${TOTAL}s" -s "$S/rotate.lua" "http://127.0.0.1:$PORT" > "$S/wrk.txt" 2>&1 || true
wait $IMPORT || true
python3 - "$S" <<'PY'
import sys
s = sys.argv[1]
res = [l.split() for l in open(f"{s}/wrk.txt") if l.startswith("RESULT")][0]
rows = [l.split() for l in open(f"{s}/rss.txt") if len(l.split()) == 4]
print(f"soak: {res[1]} requests, {float(res[2]):.0f}/s, non-2xx {res[3]}, socket errors {res[4]}, p50 {res[5]} ms, p99 {res[6]} ms")
print("  s  VmRSS MB  heap MB  phase")
for t, rss, anon, phase in rows:
    if int(t) % 10 == 0:
        print(f"{int(t):3d}  {int(rss) / 1024:8.0f}  {int(anon) / 1024:7.0f}  {phase}")
heap = {p: [int(r[2]) / 1024 for r in rows if r[3] == p] for p in ("query", "import", "after")}
for p, v in heap.items():
    if v:
        print(f"heap while {p}: min {min(v):.0f}, max {max(v):.0f}, last {v[-1]:.0f} MB")
imp = open(f"{s}/import.txt").read().strip() if __import__("os").path.exists(f"{s}/import.txt") else "(still running)"
print("import during the soak:", imp)
PY
curl -sf "http://127.0.0.1:$PORT/health"; echo
