#!/usr/bin/env bash
# Builds the bare-hyper ceiling (../shared/peers/ceiling: release, LTO, its own Cargo.lock) and
# prints the binary's path. Used by benches/cost/run.sh and benches/load/run.sh.
# The source is copied (timestamps kept) to a fixed place outside this workspace, one per target
# dir, so that cargo rebuilds it only when it changes.
# Env: SHARED (../shared beside the repo), CARGO_TARGET_DIR (target/ in the repo).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SHARED="${SHARED:-$ROOT/../shared}"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
SRC="/tmp/authcore-ceiling-$(printf %s "$TARGET_DIR" | md5sum | cut -c1-8)"
rm -rf "$SRC" && cp -a "$SHARED/peers/ceiling" "$SRC" && chmod -R u+w "$SRC"
(cd "$SRC" && CARGO_TARGET_DIR="$TARGET_DIR/ceiling" cargo build --release -q --locked >&2)
echo "$TARGET_DIR/ceiling/release/ceiling"
