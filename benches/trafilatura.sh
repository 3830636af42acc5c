#!/usr/bin/env bash
# Baseline: trafilatura (PyPI) against hitta's cleaner on the HTML pages of the dev
# corpus, scored with the same line comparison as `hitta eval clean`. Not run in CI.
#   bash benches/trafilatura.sh [DEV_DIR]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
dev="${1:-$here/../shared/corpus/dev}"
venv="${TRAFILATURA_VENV:-/tmp/hitta-trafilatura-venv}"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import trafilatura' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q trafilatura lxml_html_clean
fi
echo "== trafilatura"
"$venv/bin/python" "$here/benches/trafilatura_score.py" "$dev" "$dev/gold.jsonl" | sed '$d'
echo "== hitta (format html row; statistics learnt over the whole folder)"
cd "$here"
cargo build --release -q
./target/release/hitta eval clean "$dev" --gold "$dev/gold.jsonl" | grep -E "format html"
echo "== hitta, every page cleaned alone (HITTA_EVAL_STATS=single)"
HITTA_EVAL_STATS=single ./target/release/hitta eval clean "$dev" --gold "$dev/gold.jsonl" | grep -E "format html"
