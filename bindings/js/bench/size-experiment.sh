#!/usr/bin/env bash
# What a change would weigh: builds the npm package (build.sh) from a scratch git worktree of HEAD
# with the given patches applied (none: HEAD itself) and prints build.sh's gzip -9 sizes. The
# checkout it runs from is not touched. The patches in experiments/ are measurements, not
# shippable code (they break what they remove); README.md ("Size") quotes what they gave.
#   bash bench/size-experiment.sh [experiments/<name>.patch ...]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
root="$(cd "$here/../.." && pwd)"
patches=()
for p in "$@"; do
  patches+=("$(cd "$(dirname "$p")" && pwd)/$(basename "$p")")
done

tree="$(mktemp -d)/authcore"
cleanup() { git -C "$root" worktree remove --force "$tree" >/dev/null 2>&1 || true; }
trap cleanup EXIT
git -C "$root" worktree add --detach --quiet "$tree" HEAD
for p in "${patches[@]}"; do
  git -C "$tree" apply "$p"
  echo "[experiment] applied $(basename "$p")" >&2
done
# The checkout's npm devDependencies (wasm-opt, terser), and a target directory of its own so the
# checkout's builds stay as they are; -Z build-std's std is built there once.
if [ ! -d "$here/node_modules" ]; then
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi
ln -s "$here/node_modules" "$tree/bindings/js/node_modules"
CARGO_TARGET_DIR="$root/target/size-experiment" bash "$tree/bindings/js/build.sh" 2>&1 |
  grep '^\[build\] size'
