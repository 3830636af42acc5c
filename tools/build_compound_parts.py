#!/usr/bin/env python3
"""Build src/analyze/data/compound_parts.tsv from ../shared/lang.

One line per word part: `part<TAB>flags<TAB>zipf10`, where flags is P (may begin a
compound), S (may end one) or PS, and zipf10 is ten times the Zipf frequency of the part
as a word of its own (log10 of occurrences per billion words; 0 when unknown). The
decompounder prefers splits into fewer, more frequent parts.

Sources: compound parts from the NST lexicon via stts-se/decomp (MIT), frequencies from
wordfreq 3.1.1 (CC BY-SA 4.0). Run from the repository root:
    python3 tools/build_compound_parts.py
"""
import math
import pathlib

root = pathlib.Path(__file__).resolve().parent.parent
lang = root.parent / "shared" / "lang"
out = root / "src" / "analyze" / "data" / "compound_parts.tsv"

freq = {}
with open(lang / "wordfreq" / "wordfreq_large_sv.tsv", encoding="utf-8") as f:
    next(f)
    for line in f:
        w, p = line.rstrip("\n").split("\t")
        freq[w] = float(p)

flags = {}
with open(lang / "compounds" / "sv_nst_wordparts.txt", encoding="utf-8") as f:
    for line in f:
        line = line.strip()
        for tag, flag in (("PREFIX:", "P"), ("SUFFIX:", "S")):
            if line.startswith(tag):
                part = line[len(tag):].lower()
                if len(part) >= 3:
                    flags.setdefault(part, set()).add(flag)

with open(out, "w", encoding="utf-8") as f:
    for part in sorted(flags):
        p = freq.get(part, 0.0)
        zipf10 = max(0, round(10 * math.log10(p * 1e9))) if p > 0 else 0
        f.write(f"{part}\t{''.join(sorted(flags[part]))}\t{zipf10}\n")
print(f"wrote {len(flags)} parts to {out}")
