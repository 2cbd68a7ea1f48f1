#!/usr/bin/env bash
# Builds and tests the npm package `authcore` from this repository, on a fresh machine too:
#   1. installs what is missing (Chromium via apt; wasm32 target and wasm-bindgen-cli via build.sh)
#      and the npm devDependencies with `npm ci` (package-lock.json),
#   2. runs the Rust tests of the inspect module's build (`authcore-wasm` without `verify`: its
#      exports and its heap, which `cargo test --workspace` does not build), builds the wasm
#      engine (build.sh) and authd (cargo build -p authcore-server --bin authd),
#   3. runs node:test in Node 20 (vectors, API, session, types) and in headless Chromium against a
#      live authd (test/browser.test.mjs),
#   4. checks the download-size budget (size.sh: gzip -9 of what a browser fetches).
# Exits non-zero on any failure; node:test prints its summary (# tests / # pass / # fail).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
log() { printf '[test] %s\n' "$*" >&2; }

node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$node_major" -lt 20 ]; then
  echo "Node >= 20 is required (have $(node --version))" >&2
  exit 1
fi

export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM" ]; then
  log "installing chromium (apt)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

log "npm ci"
(cd "$here" && npm ci --no-audit --no-fund --loglevel=error)

log "cargo test -p authcore-wasm --no-default-features --features small-json (the inspect module)"
(cd "$root" && cargo test -p authcore-wasm --no-default-features --features small-json)

"$here/build.sh"

log "cargo build -p authcore-server --bin authd"
(cd "$root" && cargo build -p authcore-server --bin authd)
export AUTHD_BIN="${AUTHD_BIN:-${CARGO_TARGET_DIR:-$root/target}/debug/authd}"

log "node --test (Node $(node --version), Chromium: $("$CHROMIUM" --version 2>/dev/null | head -n 1))"
cd "$here"
node --test --test-reporter=tap --test-reporter-destination=stdout \
  test/vectors.test.mjs test/inspect.test.mjs test/api.test.mjs test/session.test.mjs \
  test/types.test.mjs \
  test/browser.test.mjs

log "size budget (size.sh)"
"$here/size.sh" --no-build
