#!/usr/bin/env bash
# Side-by-side load benchmark on this machine: the seed's Node server, the bare-hyper ceiling, and
# authd on MariaDB and on its embedded SQLite store, under the same wrk load, back to back.
#
# Usage:  bash benches/load/run.sh            (writes benches/RESULTS.md, raw data in $OUT_DIR)
# Env:    DURATION   seconds per measured run (8)        CONNS     connection counts ("1 16 64")
#         SERVERS    subset of "seed ceiling authd-mysql authd-sqlite"
#         SHARED     the shared/ folder holding peers/ (../shared beside the repo)
#         OUT_DIR    raw results (/tmp/authcore-load-<time>)
#         HOG        1: repeat the signin-saturation run with one `yes` per core at nice 0 (0)
#         AUTHD_BIN  an authd binary to use instead of building one (e.g. an older build)
#         AUTHD_EXTRA_ENV  extra VAR=value words for authd (e.g. "AUTHD_BCRYPT_NICE=9")
#         BCRYPT_COST      authd's bcrypt cost (8, the seed's)
#         ENDPOINTS  subset of "all user admin signin" measured alone (all four)
#         RESULTS    the report to write (benches/RESULTS.md)
# The saturation run measures GET /api/test/all while 16 connections keep signin busy, and
# reports the background signin throughput next to that p99 (a p99 bought by starving signins
# would not count).
# Traffic goes to 127.0.0.1 only; every run is bounded by wrk -d and a timeout.
# Needs: wrk (apt), node + npm (seed), MariaDB at 127.0.0.1:3306 (root, no password), cargo.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
SHARED="${SHARED:-$ROOT/../shared}"
DURATION="${DURATION:-8}"
CONNS="${CONNS:-1 16 64}"
SERVERS="${SERVERS:-seed ceiling authd-mysql authd-sqlite}"
OUT_DIR="${OUT_DIR:-/tmp/authcore-load-$(date +%Y%m%d-%H%M%S)}"
HOG="${HOG:-0}"
BCRYPT_COST="${BCRYPT_COST:-8}"
ENDPOINTS="${ENDPOINTS-all user admin signin}"
RESULTS="${RESULTS:-$ROOT/benches/RESULTS.md}"
read -r -a AUTHD_EXTRA <<< "${AUTHD_EXTRA_ENV:-}"
WORK="$OUT_DIR/work"
mkdir -p "$WORK"
: > "$OUT_DIR/results.jsonl"
PIDS=()
note() { echo "[load] $*" >&2; }
cleanup() { for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; }
trap 'cleanup; hog_stop' EXIT

command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null || { note "wrk missing"; exit 1; }; }
mysql_q() { mariadb --protocol=tcp -h127.0.0.1 -uroot -N -B -e "$1"; }

# ---- builds ------------------------------------------------------------------------------
if [ -n "${AUTHD_BIN:-}" ]; then
  AUTHD="$AUTHD_BIN"
else
  note "building authd (release)"
  (cd "$ROOT" && cargo build --release -q -p authcore-server --bin authd)
  AUTHD="$ROOT/target/release/authd"
fi

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

wrk_json() { # conns url method body token duration -> BENCHJSON line
  B_METHOD="$3" B_BODY="$4" B_TOKEN="$5" timeout $(( $6 + 20 )) \
    wrk -t1 -c"$1" -d"$6s" --timeout 10s --latency -s "$WORK/req.lua" "$2" 2>&1 | grep -m1 '^BENCHJSON ' | cut -d' ' -f2-
}

record() { # server endpoint conns json pid [background-signin-json hog]
  local head=("$1" "$2" "$3" "$4" "$(peak_rss_mib "$5")"); shift 5
  python3 -c 'import json,sys
d = json.loads(sys.argv[4] or "{}")
d.update(server=sys.argv[1], endpoint=sys.argv[2], conns=int(sys.argv[3]), peak_rss_mib=sys.argv[5])
if len(sys.argv) > 6:
    bg = json.loads(sys.argv[6] or "{}")
    ok = None
    if bg.get("requests"):
        ok = bg["rps"] * (bg["requests"] - bg["non2xx"] - bg["errors"]) / bg["requests"]
    d.update(bg_signin_rps=bg.get("rps"), bg_signin_ok_rps=ok, bg_signin_non2xx=bg.get("non2xx"),
             bg_signin_p99_ms=bg.get("p99_ms"), hog=sys.argv[7] == "1")
print(json.dumps(d))' "${head[@]}" "$@" >> "$OUT_DIR/results.jsonl"
  tail -n1 "$OUT_DIR/results.jsonl" >&2
}

HOG_PIDS=()
hog_start() { for _ in $(seq 1 "$(nproc)"); do timeout $(( DURATION + 60 )) yes > /dev/null & HOG_PIDS+=("$!"); done; }
hog_stop() { for p in "${HOG_PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; HOG_PIDS=(); }

saturation() { # name base pid signin_body hog(0|1): /all p99 while signin is saturated
  local name="$1" base="$2" pid="$3" sb="$4" hog="$5" label=all-during-signin
  [ "$hog" = 1 ] && { label=all-during-signin+hog; hog_start; }
  B_METHOD=POST B_BODY="$sb" timeout $(( DURATION + 25 )) \
    wrk -t1 -c16 -d"$(( DURATION + 4 ))s" --timeout 10s -s "$WORK/req.lua" "$base/api/auth/signin" > "$WORK/$name-$label-bg.txt" 2>&1 &
  local bg=$!
  sleep 2
  local all; all="$(wrk_json 16 "$base/api/test/all" GET "" "" "$DURATION")"
  wait "$bg" || true
  [ "$hog" = 1 ] && hog_stop
  record "$name" "$label" 16 "$all" "$pid" "$(grep -m1 '^BENCHJSON ' "$WORK/$name-$label-bg.txt" | cut -d' ' -f2-)" "$hog"
}

bench_server() { # name base pid user_token admin_token signin_body
  local name="$1" base="$2" pid="$3" ut="$4" at="$5" sb="$6"
  local eps="$ENDPOINTS"; [ "$name" = ceiling ] && eps="all user"
  for ep in $eps; do
    local path method=GET body="" token=""
    case $ep in
      all) path=/api/test/all ;;
      user) path=/api/test/user; token="$ut" ;;
      admin) path=/api/test/admin; token="$at" ;;
      signin) path=/api/auth/signin; method=POST; body="$sb" ;;
    esac
    wrk_json 4 "$base$path" "$method" "$body" "$token" 2 >/dev/null || true   # warm-up
    for c in $CONNS; do
      record "$name" "$ep" "$c" "$(wrk_json "$c" "$base$path" "$method" "$body" "$token" "$DURATION")" "$pid"
    done
  done
  if [ "$name" != ceiling ]; then
    saturation "$name" "$base" "$pid" "$sb" 0
    [ "$HOG" = 1 ] && saturation "$name" "$base" "$pid" "$sb" 1
  fi
}

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

SIGNIN_BODY='{"username":"benchuser","password":"benchpass1"}'

for server in $SERVERS; do
  case $server in
    seed)
      note "seed: Node peer on MariaDB (database authd_bench_seed)"
      rm -rf "$WORK/seed"; cp -r "$SHARED/peers/seed-node" "$WORK/seed"; chmod -R u+w "$WORK/seed"
      (cd "$WORK/seed" && npm ci --no-audit --no-fund >/dev/null 2>&1)
      pid=$(cd "$WORK/seed" && ./start.sh 18081 authd_bench_seed); PIDS+=("$pid")
      read -r ut at < <(accounts http://127.0.0.1:18081 "")
      bench_server seed http://127.0.0.1:18081 "$pid" "$ut" "$at" "$SIGNIN_BODY"
      kill "$pid"; mysql_q "DROP DATABASE IF EXISTS authd_bench_seed" ;;
    ceiling)
      note "ceiling: bare hyper + HS256 check"
      rm -rf "$WORK/ceiling"; cp -r "$SHARED/peers/ceiling" "$WORK/ceiling"; chmod -R u+w "$WORK/ceiling"
      (cd "$WORK/ceiling" && cargo build --release -q)
      PORT=18082 "$WORK/ceiling/target/release/ceiling" > "$WORK/ceiling.out" 2>&1 & pid=$!; PIDS+=("$pid")
      wait_http http://127.0.0.1:18082/api/test/all 20
      tok=$(head -1 "$WORK/ceiling.out")
      bench_server ceiling http://127.0.0.1:18082 "$pid" "$tok" "" ""
      kill "$pid" ;;
    authd-mysql|authd-sqlite)
      note "$server"
      data="$WORK/$server-data"; rm -rf "$data"; mkdir -p "$data"
      env_db=()
      if [ "$server" = authd-mysql ]; then
        mysql_q "DROP DATABASE IF EXISTS authd_bench; CREATE DATABASE authd_bench"
        env_db=(DATABASE_URL=mysql://root@127.0.0.1:3306/authd_bench)
      fi
      env "${env_db[@]}" "${AUTHD_EXTRA[@]}" PORT=18083 AUTHD_BIND=127.0.0.1 AUTHD_DATA_DIR="$data" AUTHD_BCRYPT_COST="$BCRYPT_COST" \
        AUTHD_JWT_SECRET="bench-secret-of-at-least-32-bytes-long!!" RUST_LOG=warn \
        AUTHD_BOOTSTRAP_ADMIN_USERNAME=benchadmin AUTHD_BOOTSTRAP_ADMIN_EMAIL=benchadmin@bench.local \
        AUTHD_BOOTSTRAP_ADMIN_PASSWORD=benchpass1 \
        AUTHD_RATE_LIMIT_SIGNIN_PER_MINUTE=0 AUTHD_RATE_LIMIT_SIGNIN_PER_USERNAME_PER_MINUTE=0 \
        AUTHD_RATE_LIMIT_SIGNUP_PER_MINUTE=0 AUTHD_RATE_LIMIT_REFRESH_PER_MINUTE=0 \
        "$AUTHD" > "$WORK/$server.log" 2>&1 & pid=$!; PIDS+=("$pid")
      wait_http http://127.0.0.1:18083/healthz 30
      read -r ut at < <(accounts http://127.0.0.1:18083 bootstrap)
      bench_server "$server" http://127.0.0.1:18083 "$pid" "$ut" "$at" "$SIGNIN_BODY"
      kill "$pid"; wait "$pid" 2>/dev/null || true
      [ "$server" = authd-mysql ] && mysql_q "DROP DATABASE IF EXISTS authd_bench" ;;
  esac
done

python3 "$ROOT/benches/load/report.py" "$OUT_DIR/results.jsonl" > "$RESULTS"
note "wrote $RESULTS (raw: $OUT_DIR)"
cat "$RESULTS"
