#!/usr/bin/env bash
# Schemathesis against the live server: it reads GET /openapi.json and sends generated
# requests (valid and invalid) to every operation, checking each answer against the
# document (status codes, content types, JSON schemas), that nothing is a 5xx, that valid
# data is accepted and invalid data rejected, and that undocumented methods get 405 with
# `Allow`. Its stateful phase follows the document's link from a search hit to
# GET /documents/{id}. Not run by CI (it needs PyPI and takes a minute or more).
#
#   benches/schemathesis.sh                     # 100 examples per operation
#   EXAMPLES=500 SEED=1 benches/schemathesis.sh # more cases; a fixed seed to replay a run
#   HITTA_BIN=target/release/hitta PORT=7792 SCHEMATHESIS_VERSION=4.32.5 benches/schemathesis.sh
#
# Installs schemathesis (pinned, the version this was last run with) from PyPI into a venv
# under /tmp (kept between runs), imports the five seed dumps of ./import into a temporary
# index, serves it with `hitta serve --no-import` from a scratch folder (no ./config.toml:
# built-in defaults), runs `schemathesis run --checks all`, prints its summary and stops
# the server. Exits with schemathesis's status: 0 when it found no failure.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VERSION="${SCHEMATHESIS_VERSION:-4.32.5}"
VENV="${SCHEMATHESIS_VENV:-/tmp/hitta-schemathesis-venv}"
PORT="${PORT:-7792}"
EXAMPLES="${EXAMPLES:-100}"

if ! "$VENV/bin/schemathesis" --version 2> /dev/null | grep -q "version $VERSION\$"; then
  echo "installing schemathesis $VERSION into $VENV ..." >&2
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "schemathesis==$VERSION"
fi
if [ -n "${HITTA_BIN:-}" ]; then
  HITTA="$HITTA_BIN"
else
  cargo build -q --manifest-path "$ROOT/Cargo.toml"
  HITTA="${CARGO_TARGET_DIR:-$ROOT/target}/debug/hitta"
fi

SCRATCH=$(mktemp -d)
SERVER=""
stop() {
  if [ -n "$SERVER" ]; then
    kill "$SERVER" 2> /dev/null || true
    wait "$SERVER" 2> /dev/null || true
  fi
  rm -rf "$SCRATCH"
}
trap stop EXIT
for v in $(env | grep -o '^HITTA_[A-Z_]*' | grep -v '^HITTA_BIN$' || true); do unset "$v"; done
cd "$SCRATCH"
"$HITTA" import --index "$SCRATCH/index" "$ROOT/import" > /dev/null
"$HITTA" serve --no-import --index "$SCRATCH/index" --bind "127.0.0.1:$PORT" 2> "$SCRATCH/serve.log" &
SERVER=$!
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$PORT/health" > /dev/null && break
  kill -0 "$SERVER" 2> /dev/null || { cat "$SCRATCH/serve.log" >&2; exit 1; }
  sleep 0.2
done

args=(run "http://127.0.0.1:$PORT/openapi.json" --checks all --max-examples "$EXAMPLES" --workers 1)
[ -n "${SEED:-}" ] && args+=(--seed "$SEED")
echo "schemathesis ${args[*]}" >&2
status=0
"$VENV/bin/schemathesis" "${args[@]}" || status=$?
if grep -q "panicked" "$SCRATCH/serve.log"; then
  echo "the server panicked:" >&2
  cat "$SCRATCH/serve.log" >&2
  status=1
fi
exit "$status"
