#!/usr/bin/env bash
# Scale bench: authd's cost as the number of users grows, on MariaDB and on SQLite
# (see benches/README.md, "Scale"). Writes benches/results/scale.json and scale.md.
#
# Env:   USERS      comma-separated user counts (1000,1000000)
#        BACKENDS   subset of mysql,sqlite (both)
#        REQUESTS   timed signins and signups per case (200)
#        WRK_SECONDS  length of each /api/test/admin wrk run (10)
#        AUTHD_BIN  an authd binary to use instead of building one
#        NOTE       a line for the results header (e.g. what else ran on the machine)
# Needs: MariaDB at 127.0.0.1:3306 (root, no password; database authcore_scale is created and
#        dropped), the mariadb and sqlite3 clients, wrk, python3 (stdlib), cargo.
# Traffic goes to 127.0.0.1 only; every run is bounded.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
USERS="${USERS:-1000,1000000}"
BACKENDS="${BACKENDS:-mysql,sqlite}"
for tool in mariadb sqlite3 wrk python3; do
  command -v "$tool" >/dev/null || { echo "scale: $tool missing (apt-get install mariadb-client sqlite3 wrk)" >&2; exit 1; }
done
if [ -n "${AUTHD_BIN:-}" ]; then
  AUTHD="$AUTHD_BIN"
else
  (cd "$ROOT" && cargo build --release -q -p authcore-server --bin authd)
  AUTHD="${CARGO_TARGET_DIR:-$ROOT/target}/release/authd"
fi
WORK="$(mktemp -d /tmp/authcore-scale.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
CMD="USERS=$USERS BACKENDS=$BACKENDS bash benches/scale/run.sh"
timeout 3600 python3 "$ROOT/benches/scale/scale.py" --authd "$AUTHD" --work "$WORK" \
  --users "$USERS" --backends "$BACKENDS" --requests "${REQUESTS:-200}" \
  --wrk-seconds "${WRK_SECONDS:-10}" --command "$CMD" --note "${NOTE:-}"
python3 "$ROOT/benches/scale/report.py" "$ROOT/benches/results/scale.json"
