#!/usr/bin/env bash
# run.sh [CHECK ...] — the Galera scale-out suite in one command: builds authd (debug), brings up
# 3 Galera nodes + 3 authd + HAProxy on 127.0.0.1 (see lib.sh), runs tests/galera/e2e.py, always
# tears everything down, and ends with `galera: N passed, M failed` (exit 0 only if M is 0).
# Env: GALERA_RACES, GALERA_STALE_TRIES, GALERA_SIGNUP_ROUNDS (sizes, see e2e.py);
# GALERA_KEEP=1 leaves the cluster running; GALERA_FRESH=0 reuses the data of an earlier run.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/lib.sh"
[ "$(id -u)" -eq 0 ] || { glog "run as root (mariadbd runs as the mysql user)"; exit 1; }

teardown() {
  haproxy_down
  authd_down
  cluster_down
}
on_exit() { [ "${GALERA_KEEP:-0}" = 1 ] || teardown; }
trap on_exit EXIT

out="$GALERA_ROOT.e2e.out"
rc=0
(cd "$REPO_ROOT" && nice cargo build -q -p authcore-server --bin authd) || rc=$?
if [ "$rc" -eq 0 ]; then
  setup_packages
  teardown
  [ "${GALERA_FRESH:-1}" = 1 ] && rm -rf "$GALERA_ROOT"
  mkdir -p "$GALERA_ROOT"
  # Three nodes take ~400 MB; a full disk shows up as "table is full" (1114) and 500s.
  free_mb=$(($(df --output=avail -k "$GALERA_ROOT" | tail -1) / 1024))
  if [ "$free_mb" -lt 1024 ]; then
    glog "only ${free_mb} MB free under $GALERA_ROOT; need 1 GB"
    rc=1
  else
    { cluster_up && authd_up && haproxy_up && status; } || rc=$?
  fi
fi
if [ "$rc" -ne 0 ]; then
  glog "harness did not come up; logs in $LOG_DIR"
  echo "galera: 0 passed, 1 failed"
  exit 1
fi
python3 "$HERE/e2e.py" "$@" | tee "$out"
line=$(grep '^e2e: ' "$out" | tail -1)
passed=$(echo "$line" | awk '{print $2}')
failed=$(echo "$line" | awk '{print $4}')
[ -n "$passed" ] || { passed=0; failed=1; }
echo "galera: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
