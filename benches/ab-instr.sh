#!/usr/bin/env bash
# A/B of query cost in instructions (valgrind's callgrind): deterministic where timings on this
# shared machine move by 15% between runs, so a change of a few percent shows. Runs
# `hitta bench search --repeat 1` (a warm-up pass and one timed pass) over the first 300
# questions, 200 keyword and 200 typo queries of $QUERIES under callgrind for each binary, and
# prints the instructions of each and the ratio to the first. Instructions are not time (cache
# misses and branch mispredictions are not counted), so confirm a large change with
# benches/ab-search.sh as well.
#
#   benches/ab-instr.sh INDEX BIN [BIN...]
#   e.g. benches/ab-instr.sh /tmp/hitta-bench/idx /tmp/hitta-old /tmp/hitta-new    # ~1 min a binary
#   ARGS=--snippets benches/ab-instr.sh INDEX BIN...   # searches with snippets built for the hits
#
# Needs valgrind (apt-get install valgrind). Run from a folder without a config.toml, or one that
# every binary accepts.
set -euo pipefail
INDEX="$1"; shift
QUERIES="${QUERIES:-/tmp/hitta-bench/queries}"
if ! command -v valgrind > /dev/null; then
  apt-get install -y -q valgrind > /dev/null
fi
SUB="$(mktemp -d)"
trap 'rm -rf "$SUB"' EXIT
head -300 "$QUERIES/questions.tsv" > "$SUB/questions.tsv"
head -200 "$QUERIES/keywords.tsv" > "$SUB/keywords.tsv"
head -200 "$QUERIES/typos.tsv" > "$SUB/typos.tsv"
first=""
for bin in "$@"; do
  # shellcheck disable=SC2086 # ARGS is a list of arguments
  ir=$(valgrind --tool=callgrind --callgrind-out-file="$SUB/out" "$bin" bench search --repeat 1 ${ARGS:-} \
         --index "$INDEX" "$SUB/questions.tsv" "$SUB/keywords.tsv" "$SUB/typos.tsv" 2>&1 \
       | awk '/refs:/ {gsub(",", "", $NF); print $NF}')
  first="${first:-$ir}"
  echo "$bin: $ir instructions ($(python3 -c "print(f'{$ir / $first:.3f}')"))"
done
