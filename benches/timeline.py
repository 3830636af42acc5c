#!/usr/bin/env python3
"""CPU per thread over the time of one import: which threads keep the cores busy, and when.

    python3 benches/timeline.py BIN PAGES [TICK]

Imports PAGES with BIN into a fresh index in a temp dir and samples /proc/PID/task/*/stat every
TICK seconds (default 0.25). Prints one row per tick: the cores each thread name used in it
(threads of one name summed: the cleaning threads share the binary's name, tantivy's indexing
thread is `thrd-tantivy-in…`, its store compressor `docstore…`), and their sum. The sampler
itself costs a few hundredths of a core. Used for BENCHMARKS.md, session 14 (the indexer waiting
for input, the one-core tail at the end of an import).
"""
import collections, os, shutil, subprocess, sys, tempfile, time

binary, pages = sys.argv[1], sys.argv[2]
tick = float(sys.argv[3]) if len(sys.argv) > 3 else 0.25
work = tempfile.mkdtemp()
hz = os.sysconf("SC_CLK_TCK")
proc = subprocess.Popen([binary, "import", "--index", os.path.join(work, "index"), pages],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
t0 = prev_t = time.time()
prev, rows = {}, []
while proc.poll() is None:
    now, cur = time.time(), {}
    try:
        for tid in os.listdir(f"/proc/{proc.pid}/task"):
            st = open(f"/proc/{proc.pid}/task/{tid}/stat").read()
            name = st[st.index("(") + 1:st.rindex(")")]
            fields = st.rsplit(")", 1)[1].split()
            cur[(tid, name)] = (int(fields[11]) + int(fields[12])) / hz  # utime + stime
    except (FileNotFoundError, ProcessLookupError):
        pass
    groups = collections.defaultdict(float)
    for key, secs in cur.items():
        groups[key[1]] += (secs - prev.get(key, 0.0)) / max(now - prev_t, 1e-6)
    rows.append((now - t0, groups))
    prev, prev_t = cur, now
    time.sleep(tick)
wall = time.time() - t0
shutil.rmtree(work, ignore_errors=True)
names = sorted({n for _, g in rows for n in g})
print(f"wall {wall:.2f} s, exit {proc.returncode}; cores used per thread name and tick")
print("t s   " + " ".join(f"{n[:15]:>15}" for n in names) + "      sum")
for t, g in rows:
    print(f"{t:5.2f} " + " ".join(f"{g.get(n, 0):15.2f}" for n in names) + f" {sum(g.values()):8.2f}")
