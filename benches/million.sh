#!/usr/bin/env bash
# Import at scale: generated corpora of SIZES pages (default "250000 1000000"), each imported into a
# fresh index with the release build, to show that import memory stays bounded and time grows
# linearly with the number of pages. Per size it prints pages/s, MB/s, wall seconds, peak RSS (GNU
# time), the CPU time of each stage from the JSON report and cleaning's share of it, the index size
# and an RSS trace (VmRSS sampled every 2 s, the largest value in each tenth of the wall time);
# then the ratios between the largest and the smallest size (pages/s ratio ~1 <=> linear time).
#
# The corpus (benches/gen_corpus.py, deterministic, seed 1) is built from the bench pages by
# recombining paragraphs under each page's own furniture, written to $GEN_DIR/pages-N (default
# /tmp/hitta-bench/gen; never in the repo): the largest size is generated (~6 min with 2 cores,
# ~4.8 GB of disk for 1M pages), the smaller ones are hard links to its first N pages (page i is the
# same in every size). A complete corpus is kept and reused; CLEAN=1 removes it at the end. The
# indexes are removed after measuring. Runs import from a scratch folder, so no ./config.toml is
# read: built-in defaults. The page cache is warm (the corpus was just written or read), so this
# measures CPU and memory, not the disk.
#
#   benches/million.sh                                 # ~20 min; 1M import alone ~12 min
#   SIZES="100000 200000" benches/million.sh           # any sizes
#   HITTA_BIN=/tmp/hitta benches/million.sh            # a given binary (default: cargo build --release)
#
# Installs GNU time (apt-get install time) if /usr/bin/time is missing. Unpacks
# ../shared/corpus/bench-pages.tar.gz into $HITTA_BENCH_DIR (default /tmp/hitta-bench) if needed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="${HITTA_BENCH_DIR:-/tmp/hitta-bench}"
GEN="${GEN_DIR:-$WORK/gen}"
SIZES="${SIZES:-250000 1000000}"
mkdir -p "$WORK" "$GEN"
if [ ! -d "$WORK/bench-pages" ]; then
  tar xzf "$ROOT/../shared/corpus/bench-pages.tar.gz" -C "$WORK"
fi
if [ ! -x /usr/bin/time ]; then
  apt-get install -y -q time > /dev/null || { apt-get update -q > /dev/null && apt-get install -y -q time > /dev/null; }
fi
if [ -n "${HITTA_BIN:-}" ]; then
  HITTA="$HITTA_BIN"
else
  cargo build --release -q --manifest-path "$ROOT/Cargo.toml"
  HITTA="${CARGO_TARGET_DIR:-$ROOT/target}/release/hitta"
fi
SORTED=$(tr ' ' '\n' <<< "$SIZES" | grep . | sort -n | uniq)
MAX=$(tail -1 <<< "$SORTED")
df -h "$GEN" | tail -1 | awk '{print "disk at '"$GEN"': " $4 " free"}'
python3 "$ROOT/benches/gen_corpus.py" "$MAX" "$GEN/pages-$MAX" --pages "$WORK/bench-pages"
for n in $SORTED; do
  [ "$n" = "$MAX" ] || python3 "$ROOT/benches/gen_corpus.py" "$n" "$GEN/pages-$n" --pages "$WORK/bench-pages" --link "$GEN/pages-$MAX"
done

SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT
for n in $SORTED; do
  idx="$GEN/index-$n"
  rm -rf "$idx"
  echo "importing $n pages ..." >&2
  ( cd "$SCRATCH" && exec /usr/bin/time -f "%e %M" -o "$GEN/time-$n.txt" \
      "$HITTA" import --json --index "$idx" "$GEN/pages-$n" > "$GEN/report-$n.json" ) &
  tpid=$!
  : > "$GEN/rss-$n.tsv"
  start=$(date +%s.%N)
  hpid=""
  while kill -0 "$tpid" 2> /dev/null; do
    [ -n "$hpid" ] || hpid=$(pgrep -P "$tpid" | head -1 || true)
    if [ -n "$hpid" ] && [ -r "/proc/$hpid/status" ]; then
      rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$hpid/status" 2> /dev/null || true)
      [ -z "$rss" ] || echo -e "$(awk -v a="$(date +%s.%N)" -v b="$start" 'BEGIN {print a - b}')\t$rss" >> "$GEN/rss-$n.tsv"
    fi
    sleep 2
  done
  wait "$tpid"
  du -sb "$idx" | cut -f1 > "$GEN/index-bytes-$n.txt"
  rm -rf "$idx"
done

python3 - "$GEN" $SORTED <<'PY'
import json, sys
gen, sizes = sys.argv[1], [int(s) for s in sys.argv[2:]]
rows = []
for n in sizes:
    r = json.load(open(f"{gen}/report-{n}.json"))
    wall, rss_kb = open(f"{gen}/time-{n}.txt").read().split()[-2:]
    corpus = json.load(open(f"{gen}/pages-{n}/gen.json"))
    index_b = int(open(f"{gen}/index-bytes-{n}.txt").read())
    trace = [tuple(map(float, l.split("\t"))) for l in open(f"{gen}/rss-{n}.tsv") if l.strip()]
    secs = r["elapsed_ms"] / 1000
    cpu = r["cpu_ms"]
    tenths = []
    if trace:
        end = trace[-1][0] or 1
        for k in range(10):
            vals = [kb for t, kb in trace if k * end / 10 <= t <= (k + 1) * end / 10]
            tenths.append(max(vals) / 1024 if vals else float("nan"))
    rows.append(dict(n=n, imported=r["imported"], skipped=r["skipped"] if isinstance(r["skipped"], int) else len(r["skipped"]),
                     secs=secs, wall=float(wall), pps=r["imported"] / secs, mbps=corpus["bytes"] / 1e6 / secs,
                     rss=int(rss_kb) / 1024, cpu=cpu, share=cpu["clean"] / max(1, sum(cpu.values())),
                     index=index_b / 1e6, tenths=tenths))
cols = [("pages", lambda r: f"{r['n']:,}"), ("imported", lambda r: f"{r['imported']:,}"),
        ("skipped", lambda r: f"{r['skipped']:,}"), ("wall s", lambda r: f"{r['wall']:,.1f}"),
        ("pages/s", lambda r: f"{r['pps']:,.0f}"), ("MB/s", lambda r: f"{r['mbps']:.2f}"),
        ("peak RSS MB", lambda r: f"{r['rss']:,.0f}"),
        ("read cpu s", lambda r: f"{r['cpu']['read'] / 1000:,.1f}"), ("decode cpu s", lambda r: f"{r['cpu']['decode'] / 1000:,.1f}"),
        ("clean cpu s", lambda r: f"{r['cpu']['clean'] / 1000:,.1f}"), ("index cpu s", lambda r: f"{r['cpu']['index'] / 1000:,.1f}"),
        ("clean share", lambda r: f"{r['share']:.3f}"), ("index MB", lambda r: f"{r['index']:,.0f}"),
        ("index KB/page", lambda r: f"{r['index'] * 1000 / max(1, r['imported']):.2f}")]
w = max(len(c) for c, _ in cols)
print("import of generated corpora (cpu = CPU time per stage from the report; the stages overlap)")
print(" " * w + "".join(f"{r['n']:>14,}" for r in rows))
for name, f in cols[1:]:
    print(f"{name:<{w}}" + "".join(f"{f(r):>14}" for r in rows))
for r in rows:
    print(f"RSS MB per tenth of the wall time, {r['n']:,} pages: " + " ".join(f"{x:.0f}" for x in r["tenths"]))
if len(rows) > 1:
    a, b = rows[0], rows[-1]
    print(f"{b['n']:,} vs {a['n']:,} pages ({b['n'] / a['n']:.1f}x): pages/s ratio {b['pps'] / a['pps']:.3f} "
          f"(1 = linear time), time ratio {b['secs'] / a['secs']:.2f}, peak RSS ratio {b['rss'] / a['rss']:.2f}, "
          f"index size ratio {b['index'] / a['index']:.2f}")
PY
if [ "${CLEAN:-0}" = 1 ]; then
  for n in $SORTED; do rm -rf "$GEN/pages-$n"; done
fi
