#!/usr/bin/env bash
# The download-size budget of the npm package: builds it (build.sh; `--no-build` skips that when
# the caller just built), measures gzip -9 of every file a browser fetches (bench/size.mjs),
# rewrites the generated size table in README.md and exits 1 above either budget.
# test.sh runs it, so .ci/run's js step fails when the package grows past BUDGET.
set -euo pipefail

# Bytes, gzip -9, .wasm + JS a browser fetches: the whole package, and `authcore/inspect` alone.
# Lower them when a change makes the package smaller.
BUDGET=58560
INSPECT_BUDGET=14630

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ "${1:-}" != "--no-build" ]; then
  "$here/build.sh"
fi
if [ ! -d "$here/node_modules/jose" ]; then
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi
node "$here/bench/size.mjs" --budget "$BUDGET" --inspect-budget "$INSPECT_BUDGET" --write
