#!/usr/bin/env python3
"""The fixed query sets of the speed benchmarks, written to OUT_DIR (deterministic, seed 1):

  questions.tsv  the 1,186 real Swedish questions of ../shared/corpus/dev/queries.tsv
  keywords.tsv   500 queries of 1-3 words drawn from the vocabulary of the bench pages
                 (words of 4+ letters on at least 5 pages, stop words left out)
  typos.tsv      the same 500 with one typo (a letter dropped, doubled, swapped or replaced)
                 in their longest word when it has 5+ letters

  python3 benches/make_queries.py PAGES_DIR OUT_DIR
"""
import collections, os, random, re, sys, unicodedata

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
shared = os.path.join(root, "..", "shared")
pages, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)

with open(os.path.join(shared, "corpus", "dev", "queries.tsv"), encoding="utf-8") as f, \
        open(os.path.join(out, "questions.tsv"), "w", encoding="utf-8") as w:
    w.write(f.read())

stop = set()
with open(os.path.join(shared, "lang", "stopwords", "snowball_stop.txt"), encoding="utf-8") as f:
    for line in f:
        word = line.split("|")[0].strip()
        if word:
            stop.add(word)

df = collections.Counter()
word = re.compile(r"\b[a-zåäöéü]{4,}\b")
for name in sorted(os.listdir(pages)):
    if not name.endswith((".txt", ".html", ".htm")):
        continue
    with open(os.path.join(pages, name), encoding="utf-8", errors="replace") as f:
        text = unicodedata.normalize("NFC", re.sub(r"<[^>]*>", " ", f.read())).lower()
    df.update(set(word.findall(text)) - stop)
vocab = sorted(w for w, n in df.items() if n >= 5)
rng = random.Random(1)
queries = [" ".join(rng.choice(vocab) for _ in range(rng.choice([1, 2, 3]))) for _ in range(500)]


def typo(q):
    words = q.split()
    i = max(range(len(words)), key=lambda k: len(words[k]))
    w = words[i]
    if len(w) < 5:
        return q
    p = rng.randrange(1, len(w) - 1)
    kind = rng.choice(["drop", "double", "swap", "replace"])
    if kind == "drop":
        w = w[:p] + w[p + 1:]
    elif kind == "double":
        w = w[:p] + w[p] + w[p:]
    elif kind == "swap":
        w = w[:p] + w[p + 1] + w[p] + w[p + 2:]
    else:
        w = w[:p] + rng.choice("abdeiklmnorst") + w[p + 1:]
    words[i] = w
    return " ".join(words)


with open(os.path.join(out, "keywords.tsv"), "w", encoding="utf-8") as w:
    for i, q in enumerate(queries):
        w.write(f"kw-{i:03}\t{q}\n")
with open(os.path.join(out, "typos.tsv"), "w", encoding="utf-8") as w:
    for i, q in enumerate(queries):
        w.write(f"typo-{i:03}\t{typo(q)}\n")
print(f"{out}: questions.tsv, keywords.tsv, typos.tsv ({len(vocab):,} words in the vocabulary)")
