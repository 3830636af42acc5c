#!/usr/bin/env python3
"""Score trafilatura on the HTML pages of a dev corpus with the line comparison of
`hitta eval clean`: lines compared as multisets after compare_key (NFC, invisible
characters such as U+00AD dropped, whitespace runs collapsed, leading bullets or a
list number removed). Prints P/R/F1 overall and per template, as JSON on the last line.

usage: trafilatura_score.py DEV_DIR [GOLD_JSONL]
"""
import json
import re
import sys
import unicodedata
from collections import Counter, defaultdict

import trafilatura

INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u200e\u200f\u2060\ufeff"))
BULLET = re.compile(r"^(?:[•◦·*\-–]|\d{1,3}\.(?= ))\s*")


def compare_key(s: str) -> str:
    s = unicodedata.normalize("NFC", s).translate(INVISIBLE)
    s = " ".join(s.split())  # Python's split() also splits on NBSP and TAB
    while True:
        t = BULLET.sub("", s, count=1)
        if t == s:
            break
        s = t.lstrip()
    return s.strip()


def prf(ours, theirs):
    left = Counter(theirs)
    tp = fp = 0
    for o in ours:
        if left[o] > 0:
            left[o] -= 1
            tp += 1
        else:
            fp += 1
    return tp, fp, sum(left.values())


def fmt(name, c):
    tp, fp, fn = c
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return f"  {name:<28} P {p:.4f}  R {r:.4f}  F1 {f:.4f}   (tp {tp} fp {fp} fn {fn})", (p, r, f)


def main():
    dev = sys.argv[1]
    gold_path = sys.argv[2] if len(sys.argv) > 2 else f"{dev}/gold.jsonl"
    totals = defaultdict(lambda: [0, 0, 0])
    pages = 0
    for line in open(gold_path, encoding="utf-8"):
        if not line.strip():
            continue
        g = json.loads(line)
        if g.get("format") != "html":
            continue
        raw = open(f"{dev}/{g['file']}", "rb").read()
        text = trafilatura.extract(raw, include_comments=False, include_tables=True,
                                   favor_precision=False, deduplicate=False) or ""
        ours = [k for k in (compare_key(l) for l in text.split("\n")) if k]
        theirs = [k for k in (compare_key(l) for l in g["content_lines"]) if k]
        c = prf(ours, theirs)
        pages += 1
        for key in ("overall", f"template {g['template']}", f"style {g.get('html_style', '?')}"):
            for i in range(3):
                totals[key][i] += c[i]
    print(f"trafilatura {trafilatura.__version__} on {pages} HTML pages:")
    out = {}
    for k in sorted(totals, key=lambda k: (k != "overall", k)):
        s, (p, r, f) = fmt(k, totals[k])
        print(s)
        out[k] = {"precision": p, "recall": r, "f1": f}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
