#!/usr/bin/env bash
# The server under load, over HTTP on loopback, release build, index of the 44,771 bench pages:
#   - cold start: process spawn -> first 200 answer to GET /search (ms; the page cache is warm
#     unless DROP_CACHES=1, which drops the whole machine's page cache before each start)
#   - server RSS idle after start (VmRSS from /proc/PID/status, 1 s after the first answer) and
#     idle again after the load; VmHWM (the kernel's peak RSS) at the end. RSS counts the pages of
#     the memory-mapped index files the searches touched; RssAnon (the heap) is shown beside it
#   - for 1, 8 and 64 connections (wrk, at most 2 threads) for DURATION s each: requests/s, p50,
#     p99 and max latency, non-2xx answers, socket errors, the largest VmRSS and RssAnon sampled
#     every 100 ms
# Each of RUNS runs (default 3) starts a fresh server; the table shows medians over the runs.
# Requests cycle through GET /search?q=...&limit=LIMIT over a deterministic shuffle of the query
# sets named in MIX (default "keywords questions", files of benches/make_queries.py: 500 random 1-3
# word queries from the bench vocabulary and the 1,186 real dev questions), URL-encoded; each wrk
# thread starts at another place of the list. wrk and the server share the machine's 2 cores, so
# the QPS is that of a loaded machine, not of the server alone. A 2 s warm-up at 8 connections
# precedes the measured loads (WARMUP=0 to skip). For reference, the last row loads GET /health
# at 8 connections: the ceiling of the HTTP stack (and wrk) on this machine, without searching.
#
#   benches/http.sh                          # ~2.5 min; RUNS=1 DURATION=5 for a quick look
#   HITTA_BIN=/tmp/hitta benches/http.sh     # a given binary (default: cargo build --release)
#   INDEX=dir benches/http.sh                # an existing index (default $HITTA_BENCH_DIR/http-index,
#                                            # made once from the bench pages if missing)
#   CONNS="1 8 64" DURATION=15 MIX="keywords typos questions" LIMIT=10 PORT=7791
#
# Installs wrk (apt-get install wrk) if missing; unpacks ../shared/corpus/bench-pages.tar.gz into
# $HITTA_BENCH_DIR (default /tmp/hitta-bench) and writes the query sets to $HITTA_BENCH_DIR/queries
# if they are not there. The server runs `serve --no-import` from a scratch folder (no ./config.toml:
# built-in defaults) with HITTA_IMPORT_DIR pointing at an empty folder, so it never imports into
# the index; the document count is checked before and after.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="${HITTA_BENCH_DIR:-/tmp/hitta-bench}"
INDEX="${INDEX:-$WORK/http-index}"
mkdir -p "$WORK"
if ! command -v wrk > /dev/null; then
  apt-get install -y -q wrk > /dev/null || { apt-get update -q > /dev/null && apt-get install -y -q wrk > /dev/null; }
fi
if [ -n "${HITTA_BIN:-}" ]; then
  HITTA="$HITTA_BIN"
else
  cargo build --release -q --manifest-path "$ROOT/Cargo.toml"
  HITTA="${CARGO_TARGET_DIR:-$ROOT/target}/release/hitta"
fi
if [ ! -d "$WORK/bench-pages" ]; then
  tar xzf "$ROOT/../shared/corpus/bench-pages.tar.gz" -C "$WORK"
fi
SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT
mkdir -p "$SCRATCH/empty-import"
# The default index is made again when the binary is newer: an index written by an older binary
# can have another layout (session 5 changed the store's blocks and field order) and measures that.
if [ "$INDEX" = "$WORK/http-index" ] && [ "$HITTA" -nt "$INDEX/meta.json" ]; then
  rm -rf "$INDEX"
fi
if [ ! -f "$INDEX/meta.json" ]; then
  echo "importing the bench pages into $INDEX ..." >&2
  (cd "$SCRATCH" && "$HITTA" import --index "$INDEX" "$WORK/bench-pages" > /dev/null)
fi
if [ ! -f "$WORK/queries/keywords.tsv" ]; then
  python3 "$ROOT/benches/make_queries.py" "$WORK/bench-pages" "$WORK/queries"
fi

cat > "$SCRATCH/rotate.lua" <<'LUA'
-- Cycle through the request paths of $HITTA_PATHS, each thread from another offset.
local paths = {}
for line in io.lines(os.getenv("HITTA_PATHS")) do paths[#paths + 1] = line end
local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end
local i = 0
function init(args)
  i = ((tid or 0) * 7919) % #paths
end
function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %.1f %.1f %.1f\n", summary.requests, summary.duration,
    e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
LUA

HITTA="$HITTA" INDEX="$INDEX" SCRATCH="$SCRATCH" WORK="$WORK" python3 - <<'PY'
import http.client, json, os, random, re, socket, statistics as st, subprocess, sys, threading, time, urllib.parse

HITTA, INDEX, SCRATCH, WORK = (os.environ[k] for k in ("HITTA", "INDEX", "SCRATCH", "WORK"))
RUNS = int(os.environ.get("RUNS", "3"))
DURATION = int(os.environ.get("DURATION", "15"))
CONNS = [int(c) for c in os.environ.get("CONNS", "1 8 64").split()]
MIX = os.environ.get("MIX", "keywords questions").split()
LIMIT = int(os.environ.get("LIMIT", "10"))
WARMUP = int(os.environ.get("WARMUP", "2"))
DROP = os.environ.get("DROP_CACHES", "0") == "1"

texts = []
for name in MIX:
    with open(os.path.join(WORK, "queries", f"{name}.tsv"), encoding="utf-8") as f:
        texts += [l.rstrip("\n").split("\t", 1)[1] for l in f if "\t" in l]
random.Random(1).shuffle(texts)
paths = [f"/search?q={urllib.parse.quote(t, safe='')}&limit={LIMIT}" for t in texts]
with open(os.path.join(SCRATCH, "paths.txt"), "w") as f:
    f.write("\n".join(paths) + "\n")
with open(os.path.join(SCRATCH, "health.txt"), "w") as f:
    f.write("/health\n")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


PORT = int(os.environ.get("PORT") or free_port())


def get(path, timeout=10):
    c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=timeout)
    try:
        c.request("GET", path)
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()


def status_kb(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def wrk(conns, secs, paths_file=os.path.join(SCRATCH, "paths.txt")):
    threads = min(2, conns)
    out = subprocess.run(["wrk", "-t", str(threads), "-c", str(conns), "-d", f"{secs}s", "--timeout", "5s",
                          "-s", os.path.join(SCRATCH, "rotate.lua"), f"http://127.0.0.1:{PORT}"],
                         env=dict(os.environ, HITTA_PATHS=paths_file),
                         capture_output=True, text=True, check=True).stdout
    m = re.search(r"^RESULT (.*)$", out, re.M)
    if not m:
        sys.exit("wrk printed no result:\n" + out)
    n, dur_us, non2xx, sockerr, p50, p99, mx = (float(x) for x in m.group(1).split())
    return dict(qps=n / (dur_us / 1e6), p50=p50 / 1000, p99=p99 / 1000, max=mx / 1000, non2xx=non2xx, sockerr=sockerr, requests=n)


env = dict(os.environ, HITTA_IMPORT_DIR=os.path.join(SCRATCH, "empty-import"), HITTA_INDEX_DIR=INDEX)
first = paths[0]
runs = []
for run in range(RUNS):
    if DROP:
        subprocess.run("sync; echo 3 > /proc/sys/vm/drop_caches", shell=True, check=False)
    log = open(os.path.join(SCRATCH, f"server-{run}.log"), "w")
    t0 = time.perf_counter()
    proc = subprocess.Popen([HITTA, "serve", "--no-import", "--index", INDEX, "--bind", f"127.0.0.1:{PORT}"],
                            cwd=SCRATCH, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        while True:
            if proc.poll() is not None:
                sys.exit(f"server exited with {proc.returncode}:\n" + open(log.name).read())
            try:
                code, body = get(first, timeout=30)
                if code == 200:
                    break
            except OSError:
                pass
            if time.perf_counter() - t0 > 120:
                sys.exit("no answer within 120 s")
            time.sleep(0.001)
        cold_ms = (time.perf_counter() - t0) * 1000
        res = json.loads(body)
        time.sleep(1)
        idle_kb, idle_anon = status_kb(proc.pid, "VmRSS"), status_kb(proc.pid, "RssAnon")
        docs = json.loads(get("/stats")[1])
        if run == 0:
            print(f"server: {HITTA} serve --no-import --index {INDEX}; /stats: {json.dumps(docs)[:300]}")
            print(f"query mix {'+'.join(MIX)}: {len(paths)} paths, limit {LIMIT}; first: {first[:80]} -> "
                  f"total {res.get('total')}, {len(res.get('hits', []))} hits, took_ms {res.get('took_ms')}")
        if WARMUP:
            wrk(8, WARMUP)
        loads = {}
        for c in CONNS:
            peak = [0, 0]
            stop = threading.Event()

            def sample():
                while not stop.is_set():
                    try:
                        peak[0] = max(peak[0], status_kb(proc.pid, "VmRSS"))
                        peak[1] = max(peak[1], status_kb(proc.pid, "RssAnon"))
                    except OSError:
                        pass
                    stop.wait(0.1)

            th = threading.Thread(target=sample)
            th.start()
            try:
                r = wrk(c, DURATION)
            finally:
                stop.set()
                th.join()
            r["rss"], r["anon"] = peak[0] / 1024, peak[1] / 1024
            loads[c] = r
            print(f"  run {run + 1} c={c}: {r['qps']:,.0f} req/s, p50 {r['p50']:.2f} ms, p99 {r['p99']:.2f} ms, "
                  f"non-2xx {r['non2xx']:.0f}, max RSS {r['rss']:.0f} MB", file=sys.stderr)
        health = wrk(8, DURATION, os.path.join(SCRATCH, "health.txt"))
        time.sleep(2)
        after_kb, after_anon = status_kb(proc.pid, "VmRSS"), status_kb(proc.pid, "RssAnon")
        hwm_kb = status_kb(proc.pid, "VmHWM")
        docs_after = json.loads(get("/stats")[1])
        if docs_after != docs:
            print(f"WARNING: /stats changed during the run: {docs} -> {docs_after}")
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
    runs.append(dict(cold=cold_ms, idle=idle_kb / 1024, after=after_kb / 1024, hwm=hwm_kb / 1024, loads=loads,
                     idle_anon=idle_anon / 1024, after_anon=after_anon / 1024, health=health))
    print(f"  run {run + 1}: cold start {cold_ms:.0f} ms, idle RSS {idle_kb / 1024:.0f} MB, "
          f"after load {after_kb / 1024:.0f} MB, VmHWM {hwm_kb / 1024:.0f} MB", file=sys.stderr)

med = lambda xs: st.median(xs)
print(f"\nhitta over HTTP, median of {RUNS} run(s), {DURATION} s per load (wrk, threads <= 2, sharing the 2 cores)")
colds = ", ".join(f"{r['cold']:.0f}" for r in runs)
print(f"cold start to first answer  {med([r['cold'] for r in runs]):8.0f} ms   (runs: {colds})")
print(f"RSS idle after start        {med([r['idle'] for r in runs]):8.0f} MB   (anonymous {med([r['idle_anon'] for r in runs]):.0f} MB; the rest: mapped binary and index files)")
print(f"RSS idle after the load     {med([r['after'] for r in runs]):8.0f} MB   (anonymous {med([r['after_anon'] for r in runs]):.0f} MB)")
print(f"peak RSS (VmHWM)            {med([r['hwm'] for r in runs]):8.0f} MB")
print(f"{'conns':>5} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'non-2xx':>8} {'sock err':>8} {'max RSS MB':>10} {'max anon MB':>11}")
for c in CONNS:
    f = lambda k: med([r["loads"][c][k] for r in runs])
    print(f"{c:>5} {f('qps'):>9,.0f} {f('p50'):>8.2f} {f('p99'):>8.2f} {f('max'):>8.1f} {f('non2xx'):>8.0f} {f('sockerr'):>8.0f} {f('rss'):>10.0f} {f('anon'):>11.0f}")
h = lambda k: med([r["health"][k] for r in runs])
print(f"{'8 /health':>9} {h('qps'):>5,.0f} {h('p50'):>8.2f} {h('p99'):>8.2f} {h('max'):>8.1f} {h('non2xx'):>8.0f} {h('sockerr'):>8.0f}   (no search: the HTTP ceiling)")
PY
