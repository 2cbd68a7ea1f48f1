#!/usr/bin/env bash
# Deterministic cost per request: instructions counted by valgrind's callgrind (all threads), for
# authd's hot routes and for the bare-hyper ceiling built the same way (release, LTO).
#
# Each cell is the slope between two fresh runs of the server that differ only in the number of
# keep-alive requests sent (N_LOW and N_HIGH): (I(N_HIGH) - I(N_LOW)) / (N_HIGH - N_LOW), so
# start-up, set-up and shutdown cancel out. authd exits cleanly on SIGTERM, so callgrind writes
# its totals. Every request carries an `Origin` header, as a browser's does.
#
# Usage:
#   bash benches/cost/run.sh                 full counts; writes benches/results/cost.md and
#                                            benches/results/cost.json
#   bash benches/cost/run.sh --check         short counts; fails when a route costs more than
#                                            10 % over benches/cost/baseline.json
#   bash benches/cost/run.sh --update-baseline   full counts; rewrites baseline.json too
# Env: N_LOW (200), N_HIGH (2200; --check: 100 and 600), SHARED (../shared beside the repo),
#      ROUTES (subset of "all user admin-hit admin-miss signin").
# Needs valgrind (apt) and python3. Traffic goes to 127.0.0.1 only.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
SHARED="${SHARED:-$ROOT/../shared}"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
MODE="${1:-write}"
case "$MODE" in
  write | --update-baseline) N_LOW="${N_LOW:-200}"; N_HIGH="${N_HIGH:-2200}" ;;
  --check) N_LOW="${N_LOW:-100}"; N_HIGH="${N_HIGH:-600}" ;;
  *) echo "usage: $0 [--check | --update-baseline]" >&2; exit 2 ;;
esac
ROUTES="${ROUTES:-all user admin-hit admin-miss signin}"
WORK="$(mktemp -d /tmp/authcore-cost.XXXXXX)"
CLIENT="$ROOT/benches/cost/client.py"
PIDS=()
note() { echo "[cost] $*" >&2; }
cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT

for tool in valgrind curl; do
  command -v "$tool" >/dev/null ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$tool" >/dev/null; }
done

note "building authd and the ceiling (release)"
(cd "$ROOT" && cargo build --release -q -p authcore-server --bin authd)
AUTHD="$TARGET_DIR/release/authd"
rm -rf "$WORK/ceiling-src" && cp -r "$SHARED/peers/ceiling" "$WORK/ceiling-src" && chmod -R u+w "$WORK/ceiling-src"
(cd "$WORK/ceiling-src" && CARGO_TARGET_DIR="$TARGET_DIR/cost-ceiling" cargo build --release -q)
CEILING="$TARGET_DIR/cost-ceiling/release/ceiling"

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

wait_http() { # url seconds
  local deadline=$((SECONDS + $2))
  until curl -s -o /dev/null --max-time 2 "$1"; do
    [ "$SECONDS" -lt "$deadline" ] || { note "no answer from $1"; return 1; }
    sleep 0.2
  done
}

# The shipped defaults, less the abuse limits (the signin cell sends thousands of signins from one
# address) and at bcrypt cost 4; the role cache as the cell needs it.
authd_vars() { # data_dir port role_cache_ms
  echo AUTHD_DATA_DIR="$1" PORT="$2" AUTHD_ROLE_CACHE_MS="$3" AUTHD_BCRYPT_COST=4 \
    AUTHD_RATE_LIMIT_SIGNIN_PER_MINUTE=0 AUTHD_RATE_LIMIT_SIGNIN_PER_USERNAME_PER_MINUTE=0 \
    AUTHD_RATE_LIMIT_SIGNUP_PER_MINUTE=0 AUTHD_SIGNIN_FAILURES_BEFORE_DELAY=0 RUST_LOG=warn
}

# One authd data dir with a user and an admin, and their tokens in $WORK/tokens.
prepare_authd() {
  local data="$WORK/authd-data" port
  rm -rf "$data"
  port="$(free_port)"
  # Signup cannot grant admin (a hole of the seed's, closed): the admin comes from the CLI.
  env $(authd_vars "$data" 0 1000) AUTHD_USER_PASSWORD=12345678 "$AUTHD" user create \
    --username costadmin --email costadmin@example.com --role admin >/dev/null
  env $(authd_vars "$data" "$port" 1000) "$AUTHD" >"$WORK/prepare.log" 2>&1 &
  local pid=$!
  PIDS+=("$pid")
  wait_http "http://127.0.0.1:$port/healthz" 60
  curl -sf -H 'Content-Type: application/json' \
    -d '{"username":"costuser","email":"costuser@example.com","password":"12345678"}' \
    "http://127.0.0.1:$port/api/auth/signup" >/dev/null
  local who
  for who in costuser costadmin; do
    curl -sf -H 'Content-Type: application/json' -d "{\"username\":\"$who\",\"password\":\"12345678\"}" \
      "http://127.0.0.1:$port/api/auth/signin" |
      python3 -c 'import json,sys;print(json.load(sys.stdin)["accessToken"])' >"$WORK/$who.token"
  done
  kill -TERM "$pid"
  wait "$pid" || true
}

# Instructions of one run: server under callgrind, COUNT requests of a route, SIGTERM.
# Prints "<total> <bcrypt-inclusive>".
measure_once() { # server route count
  local server="$1" route="$2" count="$3" port out pid token="" method=GET path body="" status=200
  port="$(free_port)"
  out="$WORK/callgrind.$server.$route.$count"
  local data="$WORK/run-data"
  rm -rf "$data"
  case "$route" in
    all) path=/api/test/all ;;
    user) path=/api/test/user ;;
    admin-hit | admin-miss) path=/api/test/admin ;;
    signin) path=/api/auth/signin; method=POST; body='{"username":"costuser","password":"12345678"}' ;;
  esac
  if [ "$server" = ceiling ]; then
    PORT="$port" valgrind --tool=callgrind --callgrind-out-file="$out" "$CEILING" \
      >"$WORK/ceiling.token" 2>"$WORK/valgrind.log" &
    pid=$!
    PIDS+=("$pid")
    wait_http "http://127.0.0.1:$port/api/test/all" 120
    token="$(head -1 "$WORK/ceiling.token")"
  else
    cp -a "$WORK/authd-data" "$data"
    local cache_ms=60000
    [ "$route" = admin-miss ] && cache_ms=0
    env $(authd_vars "$data" "$port" "$cache_ms") valgrind --tool=callgrind --callgrind-out-file="$out" \
      "$AUTHD" >"$WORK/authd.log" 2>"$WORK/valgrind.log" &
    pid=$!
    PIDS+=("$pid")
    wait_http "http://127.0.0.1:$port/healthz" 120
    case "$route" in
      user) token="$(cat "$WORK/costuser.token")" ;;
      admin-*) token="$(cat "$WORK/costadmin.token")" ;;
    esac
  fi
  if ! python3 "$CLIENT" "$port" "$method" "$path" "$count" "$status" "$token" "$body"; then
    note "$server $route: the client failed; server output:"
    tail -n 20 "$WORK/authd.log" "$WORK/valgrind.log" >&2 || true
    return 1
  fi
  kill -TERM "$pid"
  wait "$pid" || true
  local total bcrypt=0
  total="$(awk '/^(summary|totals):/{print $2; exit}' "$out")"
  [ -n "$total" ] || { note "no totals in $out"; tail -5 "$WORK/valgrind.log" >&2; return 1; }
  if [ "$route" = signin ]; then
    bcrypt="$(callgrind_annotate --inclusive=yes --threshold=100 "$out" 2>/dev/null |
      awk '/bcrypt::bcrypt::_bcrypt|bcrypt::bcrypt[^:]/{gsub(",","",$1); print $1; exit}')"
    bcrypt="${bcrypt:-0}"
  fi
  echo "$total $bcrypt"
}

prepare_authd
: >"$WORK/cells"
for route in $ROUTES; do
  servers="authd"
  case "$route" in all | user) servers="authd ceiling" ;; esac
  for server in $servers; do
    note "$server $route: $N_LOW and $N_HIGH requests under callgrind"
    measure_once "$server" "$route" "$N_LOW" >"$WORK/low"
    measure_once "$server" "$route" "$N_HIGH" >"$WORK/high"
    read -r low low_b <"$WORK/low"
    read -r high high_b <"$WORK/high"
    echo "$server $route $low $high $low_b $high_b" | tee -a "$WORK/cells" >&2
  done
done

python3 "$ROOT/benches/cost/report.py" "$MODE" "$N_LOW" "$N_HIGH" "$WORK/cells" "$ROOT"
