#!/usr/bin/env python3
"""Helper of benches/peers-speed.sh (plain Python 3, no packages).

  peers_speed.py corpus GOLD.jsonl.gz OUT.jsonl   the pre-cleaned corpus for the peers:
        {"id": file name without extension, "title": gold title, "body": gold content lines joined by \\n}
  peers_speed.py hitta-import REPORT.json RSS_KB INDEX_DIR WALL_S OUT.json
        the figures of one `hitta import --json` run, in the peers' stats vocabulary
  peers_speed.py hitta-search OUT_DIR BENCH_OUTPUT RSS_KB
        splits the JSON lines of `hitta bench search --json` into OUT_DIR/hitta[-snippets].SET.json
  peers_speed.py sample QUERIES.tsv OUT.tsv N       N evenly spaced queries of a set (PostgreSQL on questions)
  peers_speed.py table RESULTS_DIR SETS...          the markdown table (medians over RESULTS_DIR/run-*)
"""
import glob, gzip, json, os, statistics, sys


def corpus(gold, out):
    n = 0
    with gzip.open(gold, "rt", encoding="utf-8") as f, open(out + ".tmp", "w", encoding="utf-8") as w:
        for line in f:
            if not line.strip():
                continue
            g = json.loads(line)
            doc = {"id": os.path.splitext(g["file"])[0], "title": g.get("title") or "",
                   "body": "\n".join(g.get("content_lines") or [])}
            w.write(json.dumps(doc, ensure_ascii=False) + "\n")
            n += 1
    os.replace(out + ".tmp", out)
    print(f"{out}: {n:,} pre-cleaned pages")


def hitta_import(report, rss_kb, index_dir, wall_s, out):
    r = json.load(open(report))
    size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(index_dir) for f in fs)
    secs = r["elapsed_ms"] / 1000
    stats = {"peer": "hitta", "phase": "index", "docs": r["imported"], "index_time_s": secs,
             "docs_per_s": r["imported"] / secs, "index_bytes": size, "peak_rss_kb": int(rss_kb),
             "wall_s": float(wall_s), "skipped": len(r.get("skipped") or []), "cpu_ms": r.get("cpu_ms"),
             "loadavg_1m_at_end": os.getloadavg()[0]}
    json.dump(stats, open(out, "w"), indent=1)
    print("[hitta] import: %d pages in %.2f s (%.0f pages/s, %d skipped), index %.1f MB, peak RSS %.0f MB, wall %.1f s"
          % (stats["docs"], secs, stats["docs_per_s"], stats["skipped"], size / 1e6, int(rss_kb) / 1024, float(wall_s)))


def snippets_flag(d):
    """True for the lines measured with snippets (whatever the exact key `hitta bench search` uses)."""
    for k, v in d.items():
        if "snippet" in k.lower():
            return bool(v) and v not in ("no", "none", "off", "false")
    return False


def hitta_search(out_dir, bench_out, rss_kb):
    n = 0
    for line in open(bench_out, encoding="utf-8"):
        line = line.strip()
        if not line.startswith("{"):
            continue
        d = json.loads(line)
        if "set" not in d or "p50_ms" not in d:
            continue
        name = os.path.splitext(os.path.basename(str(d["set"])))[0]
        eng = "hitta-snippets" if snippets_flag(d) else "hitta"
        stats = {"peer": eng, "phase": "search", "queries": d.get("queries"), "timed_passes": d.get("passes"),
                 "latency_ms": {"p50": d["p50_ms"], "p95": d.get("p95_ms"), "p99": d.get("p99_ms"),
                                "mean": d.get("mean_ms")},
                 "peak_rss_kb": int(rss_kb), "raw": d, "loadavg_1m_at_end": os.getloadavg()[0]}
        json.dump(stats, open(os.path.join(out_dir, f"{eng}.{name}.json"), "w"), indent=1)
        print("[%s] search %s: %s queries x %s passes, p50 %.3f ms, p95 %.3f ms, p99 %.3f ms"
              % (eng, name, d.get("queries"), d.get("passes"), d["p50_ms"], d.get("p95_ms") or 0, d.get("p99_ms") or 0))
        n += 1
    if n == 0:
        sys.exit(f"no JSON lines with set/p50_ms in {bench_out}")


def sample(src, out, n):
    lines = [l for l in open(src, encoding="utf-8") if l.strip()]
    n = min(int(n), len(lines))
    with open(out, "w", encoding="utf-8") as w:
        w.writelines(lines[i * len(lines) // n] for i in range(n))


def load(path):
    try:
        return json.load(open(path))
    except (OSError, ValueError):
        return None


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def table(results, sets):
    runs = sorted(glob.glob(os.path.join(results, "run-*")))
    engines = ["hitta", "hitta-snippets", "lucene", "pg"]
    label = {"hitta": "hitta (raw pages, own cleaning)", "hitta-snippets": "hitta, with snippets",
             "lucene": "Lucene 9.9.1 (pre-cleaned)", "pg": "PostgreSQL 15 (pre-cleaned)"}

    def idx(eng, key):
        src = "hitta" if eng == "hitta-snippets" else eng
        return med([(load(os.path.join(r, f"{src}.index.json")) or {}).get(key) for r in runs])

    def srch(eng, s, *keys):
        vals = []
        for r in runs:
            d = load(os.path.join(r, f"{eng}.{s}.json")) or {}
            for k in keys:
                d = d.get(k) if isinstance(d, dict) else None
            vals.append(d)
        return med(vals)

    def f(x, fmt):
        return "-" if x is None else format(x, fmt)

    present = [e for e in engines if any(os.path.exists(os.path.join(r, f"{e}.{s}.json")) for r in runs for s in sets)
               or (e != "hitta-snippets" and idx(e, "docs") is not None)]
    head = ["engine", "pages/s", "index MB", "index peak RSS MB", "search peak RSS MB"]
    for s in sets:
        head += [f"{s} p50 ms", f"{s} p95 ms", f"{s} p99 ms"]
    print(f"\nMedians of {len(runs)} run(s). Latency per query, in-process, single thread, after a warm-up pass.\n")
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for e in present:
        rss_s = max([x for x in (srch(e, s, "peak_rss_kb") for s in sets) if x is not None], default=None)
        if e == "hitta-snippets":
            row = [label[e], "", "", "", f(rss_s and rss_s / 1024, ".0f")]
        else:
            b = idx(e, "index_bytes")
            r_kb = idx(e, "peak_rss_kb")
            row = [label[e], f(idx(e, "docs_per_s"), ",.0f"), f(b and b / 1e6, ".1f"), f(r_kb and r_kb / 1024, ".0f"),
                   f(rss_s and rss_s / 1024, ".0f")]
        for s in sets:
            row += [f(srch(e, s, "latency_ms", k), ".3f") for k in ("p50", "p95", "p99")]
        print("| " + " | ".join(row) + " |")

    # notes: docs, passes, Lucene without ids, load
    print()
    for e in ("hitta", "lucene", "pg"):
        d, t = idx(e, "docs"), idx(e, "index_time_s")
        if d is not None:
            qp = ", ".join(f"{s} {f(srch(e, s, 'queries'), ',.0f')} x {f(srch(e, s, 'timed_passes'), '.0f')}" for s in sets)
            sk = idx(e, "skipped")
            sk = f" ({sk:,.0f} files skipped: README.md and pages that are all boilerplate)" if sk else ""
            print(f"- {e}: {d:,.0f} pages indexed in {t:.2f} s{sk}; queries x timed passes: {qp}")
    lw = [srch("lucene", s, "search_latency_ms", "p50") for s in sets]
    if any(x is not None for x in lw):
        print("- Lucene p50 without reading the 100 stored ids: "
              + ", ".join(f"{s} {f(x, '.3f')} ms" for s, x in zip(sets, lw)))
    pc = [srch("pg", s, "client_latency_ms", "p50") for s in sets]
    if any(x is not None for x in pc):
        print("- PostgreSQL client-side (psycopg2) p50: " + ", ".join(f"{s} {f(x, '.3f')} ms" for s, x in zip(sets, pc)))
    loads = [l for r in runs for p in glob.glob(os.path.join(r, "*.json")) for l in [(load(p) or {}).get("loadavg_1m_at_end")]
             if l is not None]
    if loads:
        print(f"- 1-minute load average at the end of each step: {min(loads):.2f} to {max(loads):.2f} (2 cores)")

    print("\nRatios (targets: import >= 0.5x Lucene's pages/s; p50 <= 0.5x Lucene's):\n")
    hp, lp = idx("hitta", "docs_per_s"), idx("lucene", "docs_per_s")
    if hp and lp:
        print(f"- hitta pages/s / Lucene pages/s: **{hp / lp:.2f}** ({hp:,.0f} / {lp:,.0f}) "
              f"-> {'met' if hp / lp >= 0.5 else 'NOT met'}")
    for s in sets:
        h, l, lw1 = srch("hitta", s, "latency_ms", "p50"), srch("lucene", s, "latency_ms", "p50"), \
            srch("lucene", s, "search_latency_ms", "p50")
        if h is not None and l:
            extra = f"; vs Lucene w/o ids {h / lw1:.2f}" if lw1 else ""
            hs = srch("hitta-snippets", s, "latency_ms", "p50")
            extra += f"; with snippets {hs / l:.2f}" if hs is not None else ""
            print(f"- {s}: hitta p50 / Lucene p50: **{h / l:.2f}** ({h:.3f} / {l:.3f} ms) "
                  f"-> {'met' if h / l <= 0.5 else 'NOT met'}{extra}")
        elif l:
            print(f"- {s}: hitta p50 missing (no `hitta bench search` result)")


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "corpus":
        corpus(*args)
    elif cmd == "hitta-import":
        hitta_import(*args)
    elif cmd == "hitta-search":
        hitta_search(*args)
    elif cmd == "sample":
        sample(*args)
    elif cmd == "table":
        table(args[0], args[1:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
