#!/usr/bin/env bash
# Deterministic cost per request: instructions counted by valgrind's callgrind (all threads), for
# authd's hot routes and for the bare-hyper ceiling built the same way (release, LTO).
#
# Each cell is one server process under callgrind: after WARMUP requests the counters are zeroed,
# then LOW requests go over one keep-alive connection and the counters are dumped, then HIGH
# requests over another and they are dumped again; the cell is (I(HIGH) - I(LOW)) / (HIGH - LOW).
# Start-up (with its time-dependent clock calibration), first-use initialisation, connection
# set-up and shutdown cancel out. Every request carries an `Origin` header, as a browser's does.
#
# Usage:
#   bash benches/cost/run.sh                 writes benches/results/cost.json (then RESULTS.md)
#   bash benches/cost/run.sh --check         fails when an authd cell costs more than 10 % over
#                                            benches/cost/baseline.json (same counts as it)
#   bash benches/cost/run.sh --update-baseline   rewrites benches/cost/baseline.json (and the above)
# Env: WARMUP (200), N_LOW / N_HIGH (1000 / 3000), SIGNIN_LOW / SIGNIN_HIGH (50 / 150): the
#      requests per window (--check takes them from the baseline); CEILING_CELLS (1; 0 skips the
#      ceiling); ROUTES (subset of "all user admin-hit admin-miss signin"); SHARED (../shared
#      beside the repo); KEEP_WORK (1 keeps the callgrind files in /tmp/authcore-cost.*);
#      AUTHD_BIN (an authd binary to measure instead of building one).
# Needs valgrind (installed with apt-get when missing), curl and python3. 127.0.0.1 only.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
SHARED="${SHARED:-$ROOT/../shared}"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
BASELINE="$ROOT/benches/cost/baseline.json"
MODE="${1:-write}"
case "$MODE" in
  write | --update-baseline) ;;
  --check)
    [ -f "$BASELINE" ] || { echo "[cost] no $BASELINE: run --update-baseline first" >&2; exit 1; }
    # The baseline's own counts, so both sides measure the same windows.
    eval "$(python3 -c 'import json,sys
r = json.load(open(sys.argv[1]))["meta"]["requests"]
for k in ("WARMUP", "N_LOW", "N_HIGH", "SIGNIN_LOW", "SIGNIN_HIGH"):
    print(f"BASE_{k}={int(r[k])}")' "$BASELINE")"
    WARMUP="${WARMUP:-$BASE_WARMUP}" N_LOW="${N_LOW:-$BASE_N_LOW}" N_HIGH="${N_HIGH:-$BASE_N_HIGH}"
    SIGNIN_LOW="${SIGNIN_LOW:-$BASE_SIGNIN_LOW}" SIGNIN_HIGH="${SIGNIN_HIGH:-$BASE_SIGNIN_HIGH}" ;;
  *) echo "usage: $0 [--check | --update-baseline]" >&2; exit 2 ;;
esac
WARMUP="${WARMUP:-200}"
N_LOW="${N_LOW:-1000}"
N_HIGH="${N_HIGH:-3000}"
SIGNIN_LOW="${SIGNIN_LOW:-50}"
SIGNIN_HIGH="${SIGNIN_HIGH:-150}"
# --check compares authd only; the ceiling's cells (recorded in the baseline) tell the machine.
CEILING_CELLS="${CEILING_CELLS:-$([ "$MODE" = --check ] && echo 0 || echo 1)}"
export WARMUP N_LOW N_HIGH SIGNIN_LOW SIGNIN_HIGH
LOAD_AT_START="$(cut -d' ' -f1 /proc/loadavg)"
export LOAD_AT_START
ROUTES_SET="${ROUTES:+1}"
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
command -v callgrind_control >/dev/null || { note "valgrind has no callgrind_control"; exit 1; }

note "building authd$([ "$CEILING_CELLS" = 1 ] && echo " and the ceiling") (release)"
if [ -n "${AUTHD_BIN:-}" ]; then
  AUTHD="$AUTHD_BIN" # an older build, to compare (its cells are not the commit's: no --update-baseline)
  [ "$MODE" != --update-baseline ] || { note "AUTHD_BIN and --update-baseline exclude each other"; exit 2; }
else
  (cd "$ROOT" && cargo build --release -q -p authcore-server --bin authd)
  AUTHD="$TARGET_DIR/release/authd"
fi
[ "$CEILING_CELLS" = 1 ] && CEILING="$(bash "$ROOT/benches/build_ceiling.sh")"

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

wait_http() { # url seconds [pid]
  local deadline=$((SECONDS + $2))
  until curl -s -o /dev/null --max-time 2 "$1"; do
    [ "$SECONDS" -lt "$deadline" ] || { note "no answer from $1"; return 1; }
    if [ -n "${3:-}" ] && ! kill -0 "$3" 2>/dev/null; then
      note "the server exited:"; tail -n 5 "$WORK"/*.log >&2; return 1
    fi
    sleep 0.2
  done
}

# The shipped defaults, less the abuse limits (the signin cell sends hundreds of signins from one
# address; no limiter also means no periodic clean-up task) and at bcrypt cost 4; the role cache
# as the cell needs it.
authd_vars() { # data_dir port role_cache_ms
  echo AUTHD_DATA_DIR="$1" PORT="$2" AUTHD_ROLE_CACHE_MS="$3" AUTHD_BCRYPT_COST=4 \
    AUTHD_RATE_LIMIT_SIGNIN_PER_MINUTE=0 AUTHD_RATE_LIMIT_SIGNIN_PER_USERNAME_PER_MINUTE=0 \
    AUTHD_RATE_LIMIT_SIGNUP_PER_MINUTE=0 AUTHD_RATE_LIMIT_REFRESH_PER_MINUTE=0 \
    AUTHD_SIGNIN_FAILURES_BEFORE_DELAY=0 RUST_LOG=warn
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

# One cell: the server under callgrind; WARMUP requests; counters zeroed; LOW requests on a new
# keep-alive connection, dump; HIGH requests on another, dump; SIGTERM. The two dumps differ only in
# the number of requests, so (dump2 - dump1) / (HIGH - LOW) is the cost of one request with
# start-up, warm-up (first-use initialisation, time-dependent clock calibration), connection set-up
# and shutdown left out.
# Prints "<low> <low pool> <high> <high pool>": instructions outside and inside bcrypt's thread pool.
measure_cell() { # server route warmup low high
  local server="$1" route="$2" warmup="$3" low="$4" high="$5" port out pid token="" method=GET path body=""
  port="$(free_port)"
  out="$WORK/callgrind.$server.$route"
  rm -f "$out" "$out".*
  local data="$WORK/run-data"
  rm -rf "$data"
  case "$route" in
    all) path=/api/test/all ;;
    user) path=/api/test/user ;;
    admin-hit | admin-miss) path=/api/test/admin ;;
    signin) path=/api/auth/signin; method=POST; body='{"username":"costuser","password":"12345678"}' ;;
  esac
  local vg=(valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$out")
  if [ "$server" = ceiling ]; then
    PORT="$port" "${vg[@]}" "$CEILING" >"$WORK/ceiling.token" 2>"$WORK/valgrind.log" &
    pid=$!
    PIDS+=("$pid")
    wait_http "http://127.0.0.1:$port/api/test/all" 120 "$pid"
    token="$(head -1 "$WORK/ceiling.token")"
  else
    cp -a "$WORK/authd-data" "$data"
    # A hit stays a hit for the cell (the longest TTL allowed, 60 s, is longer than a cell's
    # windows); a miss reads the store on every request.
    local cache_ms=60000
    [ "$route" = admin-miss ] && cache_ms=0
    env $(authd_vars "$data" "$port" "$cache_ms") "${vg[@]}" "$AUTHD" >"$WORK/authd.log" 2>"$WORK/valgrind.log" &
    pid=$!
    PIDS+=("$pid")
    wait_http "http://127.0.0.1:$port/healthz" 120 "$pid"
    case "$route" in
      user) token="$(cat "$WORK/costuser.token")" ;;
      admin-*) token="$(cat "$WORK/costadmin.token")" ;;
    esac
  fi
  send() { # count
    python3 "$CLIENT" "$port" "$method" "$path" "$1" 200 "$token" "$body" && return 0
    note "$server $route: the client failed; server output:"
    tail -n 20 "$WORK/authd.log" "$WORK/valgrind.log" >&2 || true
    return 1
  }
  control() { # callgrind_control option, then wait for dump file N when dumping
    # callgrind_control reaches an idle (blocked) server through vgdb, which needs ptrace.
    timeout 60 callgrind_control "$1" "$pid" >"$WORK/control.log" 2>&1 && grep -q 'OK' "$WORK/control.log" ||
      { note "callgrind_control $1 $pid failed"; cat "$WORK/control.log" >&2; return 1; }
    [ -z "${2:-}" ] && return 0
    local deadline=$((SECONDS + 60))
    until grep -qs '^totals:' "$out.$2-01"; do
      [ "$SECONDS" -lt "$deadline" ] || { note "no dump $out.$2-01"; return 1; }
      sleep 0.1
    done
  }
  send "$warmup"
  control -z
  send "$low"
  control -d 1
  send "$high"
  control -d 2
  kill -TERM "$pid"
  wait "$pid" || true
  # One file per thread and dump. The bcrypt pool's threads (rayon workers) are counted apart:
  # besides bcrypt they spin while idle for as long as the machine's timing lets them, which
  # would make the signin cell wander by a few per cent.
  local n f all pool
  for n in 1 2; do
    all=0 pool=0
    for f in "$out.$n"-*; do
      local ir
      ir="$(awk '/^summary:/{print $2; exit}' "$f")"
      all=$((all + ir))
      if grep -qE 'rayon_core::registry::(WorkerThread::wait_until_cold|main_loop)' "$f"; then
        pool=$((pool + ir))
      elif grep -q 'blowfish::' "$f"; then
        note "$f: bcrypt ran outside the pool's threads; the split below would be wrong"
        return 1
      fi
    done
    echo -n "$((all - pool)) $pool "
  done
  echo
}

prepare_authd
: >"$WORK/cells"
for route in $ROUTES; do
  servers="authd"
  case "$route" in all | user) [ "$CEILING_CELLS" = 1 ] && servers="authd ceiling" ;; esac
  low="$N_LOW" high="$N_HIGH"
  [ "$route" = signin ] && low="$SIGNIN_LOW" high="$SIGNIN_HIGH"
  for server in $servers; do
    note "$server $route: $WARMUP warm-up requests, then $low and $high under callgrind"
    measure_cell "$server" "$route" "$WARMUP" "$low" "$high" >"$WORK/cell"
    read -r low_t low_p high_t high_p <"$WORK/cell"
    echo "$server $route $low $high $low_t $high_t $low_p $high_p" | tee -a "$WORK/cells" >&2
  done
done

ROUTES_SET="${ROUTES_SET:-}" python3 "$ROOT/benches/cost/report.py" "$MODE" "$WORK/cells"
