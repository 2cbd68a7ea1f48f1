#!/usr/bin/env bash
# Makes sure the Python venv with aiosmtpd (PyPI), the real SMTP server the reset tests send
# mail to, exists in target/venv-aiosmtpd; prints its python. Used by .ci/run and, when the venv
# is missing, by server/tests/shipped_reset.rs itself.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
VENV="$TARGET_DIR/venv-aiosmtpd"
# Tests run in parallel: one creates the venv while the others wait for it.
mkdir -p "$TARGET_DIR"
exec 9>"$TARGET_DIR/venv-aiosmtpd.lock"
flock 9
if ! "$VENV/bin/python" -c 'import aiosmtpd' 2>/dev/null; then
  python3 -m venv "$VENV" >&2
  "$VENV/bin/pip" install --quiet --disable-pip-version-check 'aiosmtpd==1.4.6' >&2
fi
echo "$VENV/bin/python"
