#!/usr/bin/env python3
"""A generated corpus of N pages built from the bench pages, for import benchmarks at scale
(benches/million.sh). Deterministic: page i depends only on i and --seed, not on the number of
worker processes, so the first N pages of a larger corpus are the corpus of N pages.

Page i takes the bench page number i % 44,771 (in name order) as its template, so the mix of
formats, encodings (windows-1252, BOM, CRLF) and site templates is the bench's. It keeps the
template's furniture and replaces each content unit by one of the same kind drawn at random from
any bench page of the same format:

  .txt   units are blocks separated by blank lines. A line found on >= 20 bench pages is furniture
         (menus, cookie banners, footers, breadcrumbs, "Dela / Skriv ut" ...); a block with a rarer
         line is content unless all its rare lines are dates or `Key: value` metadata (kept, so
         pages keep their dates and project facts). Content kinds: heading (one short line),
         list (several short lines), paragraph (anything longer).
  .html  units are the rare lines of the body that are one <h1>/<h2>/<h3>/<p>/<li> element;
         the kind is the tag. The <head> (title, canonical URL, so the site) stays the template's.

So sites keep their repeated boilerplate while pages get new content (recombined paragraphs:
the vocabulary stays the bench's, each paragraph recurs on about N/44,771 pages).

Files: OUT/gen/NNN/gNNNNNNN.{txt,html}, at most 10,000 a folder. Every .txt page without a URL has
the site "gen" (the first folder), as the bench's .txt pages all have the site "bench-pages";
.html pages keep their canonical host. OUT/gen.json is written last and marks a complete corpus.

  python3 benches/gen_corpus.py N OUT_DIR [--pages DIR] [--seed 1] [--jobs 2] [--link FROM_DIR]

--pages defaults to $HITTA_BENCH_DIR/bench-pages (/tmp/hitta-bench/bench-pages). --link FROM_DIR
hard-links the first N pages of a complete corpus of >= N pages (same seed) instead of writing
them. Needs about 5 KB of disk per page (1M pages: 2.7 GB of text, ~4.8 GB on disk with ext4
blocks); checks free space first.
"""
import argparse, json, multiprocessing as mp, os, random, re, shutil, sys, time

FURNITURE_PAGES = 20
PER_FOLDER = 10_000
CHUNK = 2_000

ap = argparse.ArgumentParser()
ap.add_argument("n", type=int)
ap.add_argument("out")
ap.add_argument("--pages", default=os.path.join(os.environ.get("HITTA_BENCH_DIR", "/tmp/hitta-bench"), "bench-pages"))
ap.add_argument("--seed", type=int, default=1)
ap.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
ap.add_argument("--link")
args = ap.parse_args()

DATE = re.compile(r"\b(\d{4}-\d{2}-\d{2}|\d{1,2} (januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|november|december) \d{4})\b", re.I)
KEYVAL = re.compile(r"^[^\s:][^:]{0,40}:\s*\S")
HTML_UNIT = re.compile(r"^\s*<(h1|h2|h3|p|li)\b[^>]*>.*</\1>\s*$", re.I)
TAGS = re.compile(r"<[^>]*>")
BLOCKS = re.compile(r"\n[ \t]*\n")


def rel_path(i, ext):
    return f"gen/{i // PER_FOLDER:03d}/g{i:07d}.{ext}"


def read_source(path):
    raw = open(path, "rb").read()
    bom = raw.startswith(b"\xef\xbb\xbf")
    if bom:
        raw = raw[3:]
    try:
        text, enc = raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        text, enc = raw.decode("cp1252", errors="replace"), "cp1252"
    crlf = "\r\n" in text
    return text.replace("\r\n", "\n"), enc, bom, crlf


def metadata_like(line):
    plain = TAGS.sub("", line).strip()
    return bool(DATE.search(plain)) or (bool(KEYVAL.match(plain)) and len(plain.split()) <= 12)


def txt_kind(block):
    lines = [l for l in block.split("\n") if l.strip()]
    if len(lines) == 1 and len(lines[0].split()) <= 12:
        return "heading"
    if all(len(l.split()) <= 16 for l in lines):
        return "list"
    return "paragraph"


def load(pages):
    names = sorted(n for n in os.listdir(pages) if n.lower().endswith((".txt", ".html", ".htm")))
    sources, freq = [], {}
    for n in names:
        text, enc, bom, crlf = read_source(os.path.join(pages, n))
        sources.append((n, text, enc, bom, crlf))
        for l in {l.strip() for l in text.split("\n")}:
            freq[l] = freq.get(l, 0) + 1
    rare = lambda l: freq.get(l.strip(), 0) < FURNITURE_PAGES
    templates, pools = [], {}
    for n, text, enc, bom, crlf in sources:
        ext = n.rsplit(".", 1)[1].lower()
        segs = []  # literal strings and ("kind",) holes
        if ext == "txt":
            sep = "\n\n"
            for block in BLOCKS.split(text):
                r = [l for l in block.split("\n") if l.strip() and rare(l)]
                if r and not all(metadata_like(l) for l in r):
                    kind = ("txt", txt_kind(block))
                    pools.setdefault(kind, []).append(block)
                    segs.append(kind)
                else:
                    segs.append(block)
        else:
            sep = "\n"
            in_body = False
            for line in text.split("\n"):
                if not in_body and re.search(r"<body\b", line, re.I):
                    in_body = True
                m = HTML_UNIT.match(line) if in_body else None
                if m and rare(line) and not metadata_like(line):
                    kind = ("html", m.group(1).lower())
                    pools.setdefault(kind, []).append(line)
                    segs.append(kind)
                else:
                    segs.append(line)
        # merge neighbouring literals
        merged = []
        for s in segs:
            if isinstance(s, str) and merged and isinstance(merged[-1], str):
                merged[-1] += sep + s
            else:
                merged.append(s)
        templates.append((ext, sep, merged, enc, bom, crlf))
    return templates, pools


def page(i):
    ext, sep, segs, enc, bom, crlf = TEMPLATES[i % len(TEMPLATES)]
    rng = random.Random(args.seed * 100_000_000 + i)
    parts = []
    for s in segs:
        if isinstance(s, str):
            parts.append(s)
        else:
            pool = POOLS[s]
            parts.append(pool[rng.randrange(len(pool))])
    text = sep.join(parts)
    if crlf:
        text = text.replace("\n", "\r\n")
    data = text.encode(enc, errors="replace")
    return ext, (b"\xef\xbb\xbf" + data if bom else data)


def write_range(lo_hi):
    lo, hi = lo_hi
    total = 0
    for i in range(lo, hi):
        ext, data = page(i)
        with open(os.path.join(args.out, rel_path(i, ext)), "wb") as f:
            f.write(data)
        total += len(data)
    return total


def main():
    t0 = time.time()
    marker = os.path.join(args.out, "gen.json")
    if os.path.exists(marker):
        m = json.load(open(marker))
        if m.get("pages") == args.n and m.get("seed") == args.seed:
            print(f"{args.out}: complete corpus of {args.n:,} pages already there", file=sys.stderr)
            return
        sys.exit(f"{args.out} holds another corpus ({m}); remove it first")
    os.makedirs(args.out, exist_ok=True)
    need = args.n * 5_000
    free = shutil.disk_usage(args.out).free
    if not args.link and free < need * 1.1:
        sys.exit(f"not enough disk in {args.out}: {free / 1e9:.1f} GB free, ~{need / 1e9:.1f} GB needed")
    for d in range((args.n + PER_FOLDER - 1) // PER_FOLDER):
        os.makedirs(os.path.join(args.out, "gen", f"{d:03d}"), exist_ok=True)

    global TEMPLATES, POOLS
    if args.link:
        m = json.load(open(os.path.join(args.link, "gen.json")))
        if m["pages"] < args.n or m["seed"] != args.seed:
            sys.exit(f"{args.link} is not a complete corpus of >= {args.n} pages with seed {args.seed}")
        exts = [n.rsplit(".", 1)[1].lower() for n in sorted(os.listdir(args.pages))
                if n.lower().endswith((".txt", ".html", ".htm"))]
        TEMPLATES, POOLS, t_load = exts, m["pool_sizes"], 0
        total = 0
        for i in range(args.n):
            rel = rel_path(i, exts[i % len(exts)])
            dst = os.path.join(args.out, rel)
            if not os.path.exists(dst):
                os.link(os.path.join(args.link, rel), dst)
            total += os.stat(dst).st_size
    else:
        TEMPLATES, POOLS = load(args.pages)
        t_load = time.time() - t0
        ranges = [(lo, min(lo + CHUNK, args.n)) for lo in range(0, args.n, CHUNK)]
        with mp.get_context("fork").Pool(args.jobs) as p:
            total = sum(p.imap_unordered(write_range, ranges))
    json.dump({"pages": args.n, "seed": args.seed, "bytes": total, "source": os.path.abspath(args.pages),
               "templates": len(TEMPLATES),
               "pool_sizes": POOLS if args.link else {"/".join(k): len(v) for k, v in sorted(POOLS.items())}},
              open(marker, "w"), indent=1)
    print(f"{args.out}: {args.n:,} pages, {total / 1e6:,.0f} MB in {time.time() - t0:.0f} s "
          f"({'hard links' if args.link else f'loading the bench pages {t_load:.0f} s'})", file=sys.stderr)


if __name__ == "__main__":
    main()
