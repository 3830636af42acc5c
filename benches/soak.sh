#!/usr/bin/env bash
# Soak: DURATION seconds (default 60) of mixed queries at full load (wrk, CONNS connections,
# default 64) against `hitta serve` while an import of new pages runs into the same index.
# Prints wrk's requests/s, p50/p99, non-2xx answers and socket errors, the server's RSS after
# warm-up and at the end (sampled every second), and the import's report line. 0 errors and a
# flat RSS are the expectation. Uses a copy of the bench index (benches/http.sh makes one).
#
#   benches/soak.sh          # needs wrk (apt-get install wrk) and the bench pages in /tmp/hitta-bench
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="${HITTA_BENCH_DIR:-/tmp/hitta-bench}"
DURATION="${DURATION:-60}"; CONNS="${CONNS:-64}"; PORT="${PORT:-7792}"
command -v wrk > /dev/null || apt-get install -y -q wrk > /dev/null
if [ -n "${HITTA_BIN:-}" ]; then HITTA="$HITTA_BIN"; else
  cargo build --release -q --manifest-path "$ROOT/Cargo.toml"; HITTA="$ROOT/target/release/hitta"; fi
[ -d "$WORK/bench-pages" ] || tar xzf "$ROOT/../shared/corpus/bench-pages.tar.gz" -C "$WORK"
[ -f "$WORK/queries/keywords.tsv" ] || python3 "$ROOT/benches/make_queries.py" "$WORK/bench-pages" "$WORK/queries"
S=$(mktemp -d); trap 'kill $SERVER 2>/dev/null || true; rm -rf "$S"' EXIT
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
(cd "$S" && HITTA_IMPORT_DIR="$S/empty" HITTA_SERVER_BIND="127.0.0.1:$PORT" \
  "$HITTA" serve --no-import --index "$S/index" > /dev/null 2>&1) &
SERVER=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/health" > /dev/null && break; sleep 0.2; done
PID=$(pgrep -f "serve --no-import --index $S/index" | head -1)
# VmRSS and RssAnon (the heap; VmRSS also counts the mapped index files, which grow as the
# import adds pages) once a second.
( for _ in $(seq "$DURATION"); do awk '/^VmRSS|^RssAnon/ {printf "%s ", $2} END {print ""}' /proc/"$PID"/status; sleep 1; done ) > "$S/rss.txt" &
(sleep 5; cd "$S" && "$HITTA" import --index "$S/index" "$S/rest" 2>&1 | head -1 > "$S/import.txt") &
IMPORT=$!
HITTA_PATHS="$S/paths.txt" wrk -t2 -c"$CONNS" -d"${DURATION}s" -s "$S/rotate.lua" "http://127.0.0.1:$PORT" > "$S/wrk.txt" 2>&1 || true
wait $IMPORT || true
python3 - "$S" <<'PY'
import sys
s = sys.argv[1]
res = [l.split() for l in open(f"{s}/wrk.txt") if l.startswith("RESULT")][0]
rows = [[int(v) / 1024 for v in l.split()] for l in open(f"{s}/rss.txt") if len(l.split()) == 2]
rss = [r[0] for r in rows]
anon = [r[1] for r in rows]
print(f"soak: {res[1]} requests, {float(res[2]):.0f}/s, non-2xx {res[3]}, socket errors {res[4]}, p50 {res[5]} ms, p99 {res[6]} ms")
if rss:
    warm = rss[min(10, len(rss) - 1)]
    print(f"server RSS MB: after 10 s {warm:.0f}, max {max(rss):.0f}, at the end {rss[-1]:.0f}")
    w = anon[min(10, len(anon) - 1)]
    print(f"server heap (RssAnon) MB: after 10 s {w:.0f}, max {max(anon):.0f}, at the end {anon[-1]:.0f}")
print("import during the soak:", open(f"{s}/import.txt").read().strip())
PY
curl -sf "http://127.0.0.1:$PORT/health"; echo
