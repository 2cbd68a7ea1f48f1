#!/usr/bin/env bash
# Side-by-side load benchmark on this machine: the seed's Node server, the bare-hyper ceiling, and
# authd on MariaDB and on its embedded SQLite store, under the same wrk load.
#
# All servers run at once on their own ports (idle when not measured). Each cell (endpoint x
# connection count, and the signin-saturation run) is measured on every server in turn, and the
# whole turn repeated REPEATS times: A B C D, A B C D, ... so that a change in the machine's
# load hits every server alike. The report gives medians with min-max for req/s and p99.
#
# Usage:  bash benches/load/run.sh   (writes benches/results/load.json and RESULTS.md; raw data in
#                                     $OUT_DIR)
# Env:    DURATION   seconds per measured run (5)        CONNS     connection counts ("1 16 64")
#         REPEATS    runs of each cell per server (5)
#         SERVERS    subset of "seed ceiling authd-mysql authd-sqlite", in turn order
#         SHARED     the shared/ folder holding peers/ (../shared beside the repo)
#         OUT_DIR    raw results (/tmp/authcore-load-<time>)
#         HOG        1: also the signin-saturation run with one `yes` per core at nice 0 (0)
#         AUTHD_BIN  an authd binary to use instead of building one (e.g. an older build)
#         AUTHD_EXTRA_ENV  extra VAR=value words for authd (e.g. "AUTHD_BCRYPT_NICE=9")
#         BCRYPT_COST      authd's bcrypt cost (8, the seed's)
#         ENDPOINTS  subset of "all user admin signin" measured alone (all four)
#         BENCH_RESULTS_DIR  where load.json goes (benches/results; RESULTS.md beside that folder)
# The saturation run measures GET /api/test/all while 16 connections keep signin busy, and
# reports the background signin throughput next to that p99 (a p99 bought by starving signins
# would not count).
# Runs with DURATION < 5, REPEATS < 5 or a load average above 1 at the start are marked as smoke
# runs in the report.
# Traffic goes to 127.0.0.1 only; every run is bounded by wrk -d and a timeout.
# Needs: wrk (apt), node + npm (seed), MariaDB at 127.0.0.1:3306 (root, no password), cargo.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
SHARED="${SHARED:-$ROOT/../shared}"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
DURATION="${DURATION:-5}"
REPEATS="${REPEATS:-5}"
CONNS="${CONNS:-1 16 64}"
SERVERS="${SERVERS:-seed ceiling authd-mysql authd-sqlite}"
OUT_DIR="${OUT_DIR:-/tmp/authcore-load-$(date +%Y%m%d-%H%M%S)}"
HOG="${HOG:-0}"
BCRYPT_COST="${BCRYPT_COST:-8}"
ENDPOINTS="${ENDPOINTS-all user admin signin}"
export DURATION REPEATS CONNS SERVERS HOG BCRYPT_COST ENDPOINTS
read -r -a AUTHD_EXTRA <<< "${AUTHD_EXTRA_ENV:-}"
WORK="$OUT_DIR/work"
mkdir -p "$WORK"
: > "$OUT_DIR/results.jsonl"
LOAD_AT_START="$(cut -d' ' -f1 /proc/loadavg)"
export LOAD_AT_START
PIDS=()
note() { echo "[load] $*" >&2; }
HOG_PIDS=()
hog_start() { for _ in $(seq 1 "$(nproc)"); do timeout $(( DURATION + 60 )) yes > /dev/null & HOG_PIDS+=("$!"); done; }
hog_stop() { for p in "${HOG_PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; HOG_PIDS=(); }
cleanup() {
  hog_stop
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

command -v wrk >/dev/null ||
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; } ||
  { note "wrk missing"; exit 1; }
mysql_q() { mariadb --protocol=tcp -h127.0.0.1 -uroot -N -B -e "$1"; }

# ---- builds ------------------------------------------------------------------------------
if [ -n "${AUTHD_BIN:-}" ]; then
  AUTHD="$AUTHD_BIN"
elif [[ " $SERVERS " == *" authd-"* ]]; then
  note "building authd (release)"
  (cd "$ROOT" && cargo build --release -q -p authcore-server --bin authd)
  AUTHD="$TARGET_DIR/release/authd"
fi
if [[ " $SERVERS " == *" ceiling "* ]]; then CEILING="$(bash "$ROOT/benches/build_ceiling.sh")"; fi

wait_http() { # url seconds
  for _ in $(seq 1 $(( $2 * 10 ))); do curl -s -o /dev/null --max-time 1 "$1" && return 0; sleep 0.1; done
  note "no answer from $1"; return 1
}

# ---- load helpers ------------------------------------------------------------------------
cat > "$WORK/req.lua" <<'LUA'
wrk.method = os.getenv("B_METHOD") or "GET"
local body = os.getenv("B_BODY")
local tok = os.getenv("B_TOKEN")
if body and #body > 0 then wrk.body = body; wrk.headers["Content-Type"] = "application/json" end
if tok and #tok > 0 then wrk.headers["x-access-token"] = tok end
done = function(s, lat, req)
  local e = s.errors
  io.write(string.format('BENCHJSON {"requests":%d,"rps":%.1f,"p50_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f,"errors":%d,"non2xx":%d}\n',
    s.requests, s.requests / (s.duration / 1e6), lat:percentile(50) / 1000, lat:percentile(99) / 1000,
    lat.max / 1000, e.connect + e.read + e.write + e.timeout, e.status))
end
LUA

peak_rss_mib() { awk '/^VmHWM/{printf "%.1f", $2/1024}' "/proc/$1/status" 2>/dev/null || echo "?"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }

# Waits (at most 15 s) until the server has used under 5 % of a core for half a second: a server
# still working off queued signins would otherwise steal from the next one's measurement.
settle() { # pid
  local before after
  for _ in $(seq 1 30); do
    before="$(cpu_ticks "$1")"; sleep 0.5; after="$(cpu_ticks "$1")"
    [ $(( (after - before) * 100 / $(getconf CLK_TCK) )) -lt 3 ] && return 0
  done
  note "pid $1 still busy after 15 s"
}

wrk_json() { # conns url method body token duration -> BENCHJSON line
  B_METHOD="$3" B_BODY="$4" B_TOKEN="$5" timeout $(( $6 + 20 )) \
    wrk -t1 -c"$1" -d"$6s" --timeout 10s --latency -s "$WORK/req.lua" "$2" 2>&1 | grep -m1 '^BENCHJSON ' | cut -d' ' -f2-
}

record() { # server endpoint conns repeat json pid [background-signin-json hog]
  local head=("$1" "$2" "$3" "$4" "$5" "$(peak_rss_mib "$6")"); shift 6
  python3 -c 'import json,sys
d = json.loads(sys.argv[5] or "{}")
d.update(server=sys.argv[1], endpoint=sys.argv[2], conns=int(sys.argv[3]), repeat=int(sys.argv[4]),
         peak_rss_mib=sys.argv[6])
if len(sys.argv) > 7:
    bg = json.loads(sys.argv[7] or "{}")
    ok = None
    if bg.get("requests"):
        ok = bg["rps"] * (bg["requests"] - bg["non2xx"] - bg["errors"]) / bg["requests"]
    d.update(bg_signin_rps=bg.get("rps"), bg_signin_ok_rps=ok, bg_signin_non2xx=bg.get("non2xx"),
             bg_signin_p99_ms=bg.get("p99_ms"), hog=sys.argv[8] == "1")
print(json.dumps(d))' "${head[@]}" "$@" >> "$OUT_DIR/results.jsonl"
  tail -n1 "$OUT_DIR/results.jsonl" >&2
}

# ---- servers: all started up front, each with its base URL, pid and tokens -----------------
declare -A BASE PID UT AT
SIGNIN_BODY='{"username":"benchuser","password":"benchpass1"}'

accounts() { # base admin_token_or_empty -> prints "user_token admin_token"
  local base="$1" admin="$2" J=(-H 'Content-Type: application/json')
  curl -s -o /dev/null --max-time 10 "${J[@]}" -d '{"username":"benchuser","email":"benchuser@bench.local","password":"benchpass1"}' "$base/api/auth/signup"
  if [ -z "$admin" ]; then   # the seed lets anyone self-assign admin
    curl -s -o /dev/null --max-time 10 "${J[@]}" -d '{"username":"benchadmin","email":"benchadmin@bench.local","password":"benchpass1","roles":["admin"]}' "$base/api/auth/signup"
  fi
  local tok
  tok() { curl -s --max-time 10 "${J[@]}" -d "{\"username\":\"$1\",\"password\":\"benchpass1\"}" "$base/api/auth/signin" | python3 -c 'import sys,json; print(json.load(sys.stdin).get("accessToken") or "")'; }
  echo "$(tok benchuser) $(tok benchadmin)"
}

start_server() { # name
  local server="$1" pid port
  case $server in
    seed)
      note "seed: Node peer on MariaDB (database authd_bench_seed)"
      rm -rf "$WORK/seed"; cp -r "$SHARED/peers/seed-node" "$WORK/seed"; chmod -R u+w "$WORK/seed"
      (cd "$WORK/seed" && npm ci --no-audit --no-fund >/dev/null 2>&1)
      port=18081
      pid=$(cd "$WORK/seed" && LOGFILE="$WORK/seed.log" ./start.sh "$port" authd_bench_seed); PIDS+=("$pid")
      read -r UT[$server] AT[$server] < <(accounts "http://127.0.0.1:$port" "") ;;
    ceiling)
      note "ceiling: bare hyper + HS256 check"
      port=18082
      PORT="$port" "$CEILING" > "$WORK/ceiling.out" 2>&1 & pid=$!; PIDS+=("$pid")
      wait_http "http://127.0.0.1:$port/api/test/all" 20
      UT[$server]="$(head -1 "$WORK/ceiling.out")" AT[$server]="" ;;
    authd-mysql | authd-sqlite)
      note "$server"
      local data="$WORK/$server-data" env_db=()
      rm -rf "$data"; mkdir -p "$data"
      port=18083
      if [ "$server" = authd-mysql ]; then
        mysql_q "DROP DATABASE IF EXISTS authd_bench; CREATE DATABASE authd_bench"
        env_db=(DATABASE_URL=mysql://root@127.0.0.1:3306/authd_bench)
      else
        port=18084
      fi
      env "${env_db[@]}" "${AUTHD_EXTRA[@]}" PORT="$port" AUTHD_BIND=127.0.0.1 AUTHD_DATA_DIR="$data" AUTHD_BCRYPT_COST="$BCRYPT_COST" \
        AUTHD_JWT_SECRET="bench-secret-of-at-least-32-bytes-long!!" RUST_LOG=warn \
        AUTHD_BOOTSTRAP_ADMIN_USERNAME=benchadmin AUTHD_BOOTSTRAP_ADMIN_EMAIL=benchadmin@bench.local \
        AUTHD_BOOTSTRAP_ADMIN_PASSWORD=benchpass1 \
        AUTHD_RATE_LIMIT_SIGNIN_PER_MINUTE=0 AUTHD_RATE_LIMIT_SIGNIN_PER_USERNAME_PER_MINUTE=0 \
        AUTHD_RATE_LIMIT_SIGNUP_PER_MINUTE=0 AUTHD_RATE_LIMIT_REFRESH_PER_MINUTE=0 \
        "$AUTHD" > "$WORK/$server.log" 2>&1 & pid=$!; PIDS+=("$pid")
      wait_http "http://127.0.0.1:$port/healthz" 30
      read -r UT[$server] AT[$server] < <(accounts "http://127.0.0.1:$port" bootstrap) ;;
    *) note "unknown server $server"; exit 2 ;;
  esac
  [ -n "${UT[$server]}" ] || { note "$server: no user token"; exit 1; }
  BASE[$server]="http://127.0.0.1:$port" PID[$server]="$pid"
}

stop_servers() {
  local server
  for server in $SERVERS; do
    kill "${PID[$server]}" 2>/dev/null || true
    wait "${PID[$server]}" 2>/dev/null || true
  done
  if [[ " $SERVERS " == *" seed "* ]]; then mysql_q "DROP DATABASE IF EXISTS authd_bench_seed"; fi
  if [[ " $SERVERS " == *" authd-mysql "* ]]; then mysql_q "DROP DATABASE IF EXISTS authd_bench"; fi
}

endpoint_request() { # server endpoint -> sets path method body token
  path="" method=GET body="" token=""
  case $2 in
    all) path=/api/test/all ;;
    user) path=/api/test/user; token="${UT[$1]}" ;;
    admin) path=/api/test/admin; token="${AT[$1]}" ;;
    signin) path=/api/auth/signin; method=POST; body="$SIGNIN_BODY" ;;
  esac
}

serves() { # server endpoint: the ceiling has /all and /user only
  [ "$1" != ceiling ] || [ "$2" = all ] || [ "$2" = user ]
}

saturation() { # server repeat hog(0|1): /all p99 while signin is saturated
  local server="$1" base="${BASE[$1]}" pid="${PID[$1]}" hog="$3" label=all-during-signin
  [ "$hog" = 1 ] && { label=all-during-signin+hog; hog_start; }
  local bgout="$WORK/$server-$label-$2-bg.txt"
  B_METHOD=POST B_BODY="$SIGNIN_BODY" timeout $(( DURATION + 25 )) \
    wrk -t1 -c16 -d"$(( DURATION + 4 ))s" --timeout 10s -s "$WORK/req.lua" "$base/api/auth/signin" > "$bgout" 2>&1 &
  local bg=$!
  sleep 2
  local all; all="$(wrk_json 16 "$base/api/test/all" GET "" "" "$DURATION")"
  wait "$bg" || true
  if [ "$hog" = 1 ]; then hog_stop; fi
  record "$server" "$label" 16 "$2" "$all" "$pid" "$(grep -m1 '^BENCHJSON ' "$bgout" | cut -d' ' -f2-)" "$hog"
}

# ---- the runs ----------------------------------------------------------------------------
for server in $SERVERS; do start_server "$server"; done

runs=0
for ep in $ENDPOINTS; do
  for server in $SERVERS; do
    if serves "$server" "$ep"; then runs=$((runs + $(wc -w <<<"$CONNS"))); fi
  done
done
for server in $SERVERS; do
  if [ "$server" != ceiling ]; then runs=$((runs + 1 + HOG)); fi
done
note "$((runs * REPEATS)) measured runs of ${DURATION}+ s: about $(( runs * REPEATS * (DURATION + 2) / 60 + 1 )) min"

note "warm-up: 2 s per server and endpoint"
for server in $SERVERS; do
  for ep in $ENDPOINTS; do
    serves "$server" "$ep" || continue
    endpoint_request "$server" "$ep"
    wrk_json 4 "${BASE[$server]}$path" "$method" "$body" "$token" 2 >/dev/null || true
  done
  settle "${PID[$server]}"
done

for ep in $ENDPOINTS; do
  for c in $CONNS; do
    for rep in $(seq 1 "$REPEATS"); do
      for server in $SERVERS; do
        serves "$server" "$ep" || continue
        endpoint_request "$server" "$ep"
        record "$server" "$ep" "$c" "$rep" \
          "$(wrk_json "$c" "${BASE[$server]}$path" "$method" "$body" "$token" "$DURATION")" "${PID[$server]}"
        if [ "$ep" = signin ]; then settle "${PID[$server]}"; fi
      done
    done
  done
done
for hog in 0 $([ "$HOG" = 1 ] && echo 1); do
  for rep in $(seq 1 "$REPEATS"); do
    for server in $SERVERS; do
      [ "$server" = ceiling ] && continue
      saturation "$server" "$rep" "$hog"
      settle "${PID[$server]}"
    done
  done
done
stop_servers

python3 "$ROOT/benches/load/report.py" "$OUT_DIR/results.jsonl"
note "raw results: $OUT_DIR/results.jsonl"
