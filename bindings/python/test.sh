#!/usr/bin/env bash
# Builds the cdylib, generates the Python bindings next to test.py (with the library copied
# beside them) and runs the token vectors and session checks. Needs only python3 (stdlib).
# Prints `python: N passed, M failed`; exits non-zero on any failure.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
command -v python3 >/dev/null || {
  apt-get -o DPkg::Lock::Timeout=600 install -y -q python3 >/dev/null
}
bindings/generate.sh python
cd bindings/python
python3 -B test.py
