#!/usr/bin/env bash
# Hostile files, generated (not in CI: they take minutes and gigabytes of writes):
#   a 50 MB file on one line, a 200 MB file over the size limit, 100,000 tiny files, a
#   symbolic link loop, an unreadable file (when not run as root: root reads everything),
#   a folder nested 10,000 levels deep, an HTML page nested 100,000 elements deep, plus all
#   of ../shared/corpus/bad. Imports them into a fresh index and checks that the import exits
#   0, that every file is imported or skipped with its reason, and prints the peak RSS.
#
#   benches/hostile.sh            # WORK=/tmp/hitta-hostile by default, removed afterwards
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="${WORK:-/tmp/hitta-hostile}"
command -v /usr/bin/time >/dev/null || apt-get install -y time >/dev/null
cargo build --release -q --manifest-path "$ROOT/Cargo.toml"
HITTA="${HITTA_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/hitta}"
rm -rf "$WORK"; mkdir -p "$WORK/in"
python3 - "$WORK/in" "$ROOT/../shared/corpus/bad" <<'PY'
import os, shutil, sys
root, bad = sys.argv[1], sys.argv[2]
shutil.copytree(bad, os.path.join(root, "bad"), symlinks=True)
line = ("Skolan erbjuder stöd till elever med hög frånvaro. " * 20)
with open(os.path.join(root, "one-line-50mb.txt"), "w") as f:
    for _ in range(50_000_000 // len(line.encode())):
        f.write(line)
with open(os.path.join(root, "over-limit-200mb.txt"), "wb") as f:
    f.truncate(200_000_000)
tiny = os.path.join(root, "tiny")
for i in range(100_000):
    d = os.path.join(tiny, f"{i // 1000:03}")
    if i % 1000 == 0:
        os.makedirs(d)
    with open(os.path.join(d, f"{i}.txt"), "w") as f:
        f.write(f"Sida {i}\n\nKort text nummer {i} om kommunens service.\n")
os.makedirs(os.path.join(root, "loop"))
os.symlink("..", os.path.join(root, "loop", "up"))
with open(os.path.join(root, "unreadable.txt"), "w") as f:
    f.write("Hemlig text\n")
os.chmod(os.path.join(root, "unreadable.txt"), 0)
deep = os.path.join(root, "deep")
os.makedirs(deep)
here = os.getcwd(); os.chdir(deep)
for i in range(10_000):
    os.mkdir("d"); os.chdir("d")
with open("bottom.txt", "w") as f:
    f.write("Längst ner\n\nEn sida som ligger tiotusen mappar ner.\n")
os.chdir(here)
with open(os.path.join(root, "deep-nesting.html"), "w") as f:
    f.write("<html><body>" + "<div>" * 100_000 + "Djupt inne" + "</div>" * 100_000 + "</body></html>")
PY
FILES=$(find "$WORK/in" -type f 2>/dev/null | wc -l || true)
set +e
/usr/bin/time -f "%e %M" -o "$WORK/time.txt" "$HITTA" import --json --index "$WORK/index" "$WORK/in" > "$WORK/report.json" 2> "$WORK/stderr.txt"
STATUS=$?
set -e
python3 - "$WORK/report.json" "$WORK/time.txt" "$STATUS" "$FILES" <<'PY'
import json, sys, collections
r = json.load(open(sys.argv[1])); secs, rss = open(sys.argv[2]).read().split()
status, files = int(sys.argv[3]), int(sys.argv[4])
print(f"exit status {status}, {secs} s, peak RSS {int(rss) / 1024:.0f} MB")
print(f"files found by find: {files}; imported {r['imported']}, skipped {len(r['skipped'])}")
reasons = collections.Counter(s["reason"].split(":")[0][:60] for s in r["skipped"])
for reason, n in reasons.most_common():
    print(f"  {n:>6}  {reason}")
for s in r["skipped"]:
    if not s["path"].startswith("tiny/") and not s["path"].startswith("bad/"):
        print(f"  skipped {s['path'][:80]}: {s['reason'][:100]}")
assert status == 0, "the import must exit 0"
PY
chmod -R u+rwx "$WORK" 2>/dev/null || true
rm -rf "$WORK"
