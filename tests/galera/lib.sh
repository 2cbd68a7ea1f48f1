# lib.sh — settings and functions of the loopback Galera harness (sourced by cluster.sh / run.sh).
#
# Three MariaDB Galera nodes, three authd (one per node) and HAProxy in front of the authd, all on
# 127.0.0.1 with ports that stay clear of the machine's own MariaDB (3306). Everything lives under
# $GALERA_ROOT; nothing is downloaded.
#
#   node  mysql  gcomm  IST   SST(rsync)  authd   | HAProxy: 8320 (authd), 8329 (stats)
#   n1    3320   4620   4621  4622        8321    |
#   n2    3321   4630   4631  4632        8322    |
#   n3    3322   4640   4641  4642        8323    |

GALERA_ROOT="${GALERA_ROOT:-/tmp/authcore-galera}"
GALERA_DB="${GALERA_DB:-authd}"
GALERA_WAIT_S="${GALERA_WAIT_S:-180}"
# Extra lines for every node's [mysqld] (e.g. "wsrep_sync_wait=0" to measure stale reads).
GALERA_EXTRA_CNF="${GALERA_EXTRA_CNF:-}"
# The query string of every authd's DATABASE_URL.
GALERA_URL_PARAMS="${GALERA_URL_PARAMS:-?reset_connection=false}"
RUN_DIR="$GALERA_ROOT/run"
LOG_DIR="$GALERA_ROOT/logs"
NODES=(1 2 3)
MYSQL_PORT=([1]=3320 [2]=3321 [3]=3322)
GCOMM_PORT=([1]=4620 [2]=4630 [3]=4640)
IST_PORT=([1]=4621 [2]=4631 [3]=4641)
SST_PORT=([1]=4622 [2]=4632 [3]=4642)
AUTHD_PORT=([1]=8321 [2]=8322 [3]=8323)
HAPROXY_PORT=8320
HAPROXY_STATS_PORT=8329
CLUSTER_ADDR="gcomm://127.0.0.1:4620,127.0.0.1:4630,127.0.0.1:4640"
PROVIDER=/usr/lib/galera/libgalera_smm.so
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
AUTHD_BIN="${AUTHD_BIN:-${CARGO_TARGET_DIR:-$REPO_ROOT/target}/debug/authd}"

datadir() { echo "$GALERA_ROOT/n$1"; }
cnf() { echo "$GALERA_ROOT/n$1.cnf"; }
sock() { echo "$RUN_DIR/n$1.sock"; }
pidf() { echo "$RUN_DIR/n$1.pid"; }
errlog() { echo "$LOG_DIR/n$1.err"; }
authd_pidf() { echo "$RUN_DIR/authd$1.pid"; }

glog() { echo "[galera $(date +%T)] $*" >&2; }

# setup_packages: what a fresh Debian machine lacks (mariadb-server and galera-4 are expected).
setup_packages() {
  local missing=()
  command -v haproxy >/dev/null || missing+=(haproxy)
  command -v rsync >/dev/null || missing+=(rsync)
  [ -x /usr/sbin/mariadbd ] || missing+=(mariadb-server)
  [ -f "$PROVIDER" ] || missing+=(galera-4)
  if [ "${#missing[@]}" -gt 0 ]; then
    glog "installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null ||
      { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null; }
  fi
}

# pid_alive <pidfile> <name>: the pid in the file is alive and its command line holds <name>.
pid_alive() {
  local p
  p=$(cat "$1" 2>/dev/null) || return 1
  [ -n "$p" ] && kill -0 "$p" 2>/dev/null && grep -q "$2" "/proc/$p/cmdline" 2>/dev/null
}
node_running() { pid_alive "$(pidf "$1")" mariadbd; }

# q <n> <sql>: SQL on node n over its socket as root, tab-separated, no headers.
q() { mariadb --protocol=socket --socket="$(sock "$1")" -uroot --connect-timeout=3 -N -B -e "$2"; }
wsrep() { q "$1" "SHOW STATUS LIKE '$2'" 2>/dev/null | awk '{print $2}'; }

write_cnf() { # <n>
  local n=$1
  cat >"$(cnf "$n")" <<CNF
# written by tests/galera/lib.sh: node n$n of the loopback Galera test cluster
[mysqld]
user                      = mysql
datadir                   = $(datadir "$n")
port                      = ${MYSQL_PORT[$n]}
bind-address              = 127.0.0.1
socket                    = $(sock "$n")
pid-file                  = $(pidf "$n")
log-error                 = $(errlog "$n")
skip-name-resolve
max_connections           = 200
performance_schema        = OFF
binlog_format             = ROW
default_storage_engine    = InnoDB
innodb_autoinc_lock_mode  = 2
innodb_buffer_pool_size   = 48M
innodb_log_file_size      = 32M
innodb_flush_log_at_trx_commit = 2
wsrep_on                  = ON
wsrep_provider            = $PROVIDER
wsrep_cluster_name        = authcore_galera
wsrep_cluster_address     = $CLUSTER_ADDR
wsrep_node_name           = n$n
wsrep_node_address        = 127.0.0.1:${GCOMM_PORT[$n]}
wsrep_node_incoming_address = 127.0.0.1:${MYSQL_PORT[$n]}
wsrep_provider_options    = "gmcast.listen_addr=tcp://127.0.0.1:${GCOMM_PORT[$n]};ist.recv_addr=127.0.0.1:${IST_PORT[$n]};gcache.size=64M"
wsrep_sst_method          = rsync
wsrep_sst_receive_address = 127.0.0.1:${SST_PORT[$n]}
wsrep_slave_threads       = 2
wsrep_sync_wait           = 1
$GALERA_EXTRA_CNF
CNF
}

init_node() { # <n>: data directory, once
  local n=$1 dd
  dd=$(datadir "$n")
  [ -d "$dd/mysql" ] && return 0
  glog "n$n: mariadb-install-db"
  mkdir -p "$dd"
  chown mysql:mysql "$dd"
  mariadb-install-db --no-defaults --user=mysql --datadir="$dd" \
    --auth-root-authentication-method=socket --skip-test-db >"$LOG_DIR/install-n$n.log" 2>&1 ||
    { glog "n$n: install-db failed"; tail -20 "$LOG_DIR/install-n$n.log" >&2; return 1; }
}

# start_position <n>: after kill -9 grastate.dat says seqno -1; recover the position from InnoDB
# so the node rejoins by IST instead of a full SST (what Debian's galera_recovery does).
start_position() {
  local n=$1 gs rl pos
  gs="$(datadir "$n")/grastate.dat"
  [ -f "$gs" ] && grep -q '^seqno: *-1' "$gs" || return 0
  rl="$LOG_DIR/n$n.recover.log"
  : >"$rl"
  chown mysql:mysql "$rl"
  timeout 120 /usr/sbin/mariadbd --defaults-file="$(cnf "$n")" --log-error="$rl" \
    --pid-file="$RUN_DIR/n$n.recover.pid" --wsrep-recover >/dev/null 2>&1 || true
  pos=$(grep -o 'WSREP: Recovered position: .*' "$rl" | tail -1 | awk '{print $4}')
  [ -n "$pos" ] && [ "${pos##*:}" != "-1" ] && echo "--wsrep_start_position=$pos"
  return 0
}

start_node() { # <n> [--wsrep-new-cluster]
  local n=$1 pos
  shift
  write_cnf "$n"
  init_node "$n"
  pos=$(start_position "$n")
  [ -n "$pos" ] && set -- "$@" "$pos"
  rm -f "$(pidf "$n")"
  glog "n$n: mariadbd $*"
  setsid /usr/sbin/mariadbd --defaults-file="$(cnf "$n")" "$@" </dev/null >>"$LOG_DIR/n$n.stdout" 2>&1 &
  disown # a later kill -9 is the test's doing, not news for the shell
}

wait_synced() { # <n>: wsrep_ready=ON and Synced
  local n=$1 deadline=$((SECONDS + GALERA_WAIT_S))
  while [ "$(wsrep "$n" wsrep_ready)" != ON ] || [ "$(wsrep "$n" wsrep_local_state_comment)" != Synced ]; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      glog "n$n: not Synced after ${GALERA_WAIT_S}s"
      tail -n 30 "$(errlog "$n")" >&2
      return 1
    fi
    sleep 0.5
  done
}

wait_size() { # <size>: every running node sees this cluster size
  local want=$1 deadline=$((SECONDS + GALERA_WAIT_S)) n ok
  while :; do
    ok=yes
    for n in "${NODES[@]}"; do
      node_running "$n" || continue
      [ "$(wsrep "$n" wsrep_cluster_size)" = "$want" ] || ok=""
    done
    [ -n "$ok" ] && return 0
    [ "$SECONDS" -ge "$deadline" ] && { glog "cluster size != $want"; return 1; }
    sleep 0.5
  done
}

# cluster_up: bootstrap n1 when no node runs, then start and wait for the others.
cluster_up() {
  local n port first=""
  mkdir -p "$RUN_DIR" "$LOG_DIR"
  chmod 755 "$GALERA_ROOT"
  chown mysql:mysql "$RUN_DIR" "$LOG_DIR"
  for n in "${NODES[@]}"; do node_running "$n" && first=${first:-$n}; done
  if [ -z "$first" ]; then
    for port in "${MYSQL_PORT[@]}" "${GCOMM_PORT[@]}"; do
      if ss -Hltn "sport = :$port" | grep -q .; then
        glog "port $port is used by something else"
        return 1
      fi
    done
    local gs
    gs="$(datadir 1)/grastate.dat"
    [ -f "$gs" ] && sed -i 's/^safe_to_bootstrap: 0/safe_to_bootstrap: 1/' "$gs"
    start_node 1 --wsrep-new-cluster
    first=1
  fi
  wait_synced "$first"
  q "$first" "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1';
    GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;
    CREATE DATABASE IF NOT EXISTS \`$GALERA_DB\` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;"
  for n in "${NODES[@]}"; do
    if ! node_running "$n"; then
      start_node "$n"
      wait_synced "$n"
    fi
  done
  wait_size 3
}

stop_node() { # <n> [signal]: by pid file; waits for the exit
  local n=$1 sig=${2:-TERM} p i
  node_running "$n" || return 0
  p=$(cat "$(pidf "$n")")
  kill "-$sig" "$p"
  for ((i = 0; i < 240; i++)); do kill -0 "$p" 2>/dev/null || return 0; sleep 0.5; done
  glog "n$n: still alive after 120 s; SIGKILL"
  kill -KILL "$p"
}

cluster_down() { # n3, n2, then n1, so n1 is safe to bootstrap next time
  local n
  for n in 3 2 1; do stop_node "$n"; done
}

authd_start() { # <n>
  local n=$1
  pid_alive "$(authd_pidf "$n")" authd && return 0
  mkdir -p "$GALERA_ROOT/authd$n"
  chmod 700 "$GALERA_ROOT/authd$n"
  # Shipped settings except: rate limits off (every test client is 127.0.0.1 and the races send
  # thousands of requests) and bcrypt cost 4 (a debug build on a 2-core box).
  DATABASE_URL="mysql://root@127.0.0.1:${MYSQL_PORT[$n]}/$GALERA_DB$GALERA_URL_PARAMS" \
    AUTHD_JWT_SECRET="$(cat "$GALERA_ROOT/jwt.secret")" \
    AUTHD_DATA_DIR="$GALERA_ROOT/authd$n" \
    PORT="${AUTHD_PORT[$n]}" AUTHD_BIND=127.0.0.1 \
    AUTHD_BCRYPT_COST=4 \
    AUTHD_RATE_LIMIT_SIGNIN_PER_MINUTE=0 AUTHD_RATE_LIMIT_SIGNIN_PER_USERNAME_PER_MINUTE=0 \
    AUTHD_RATE_LIMIT_SIGNUP_PER_MINUTE=0 AUTHD_RATE_LIMIT_REFRESH_PER_MINUTE=0 \
    AUTHD_SIGNIN_FAILURES_BEFORE_DELAY=0 \
    RUST_LOG="${GALERA_AUTHD_LOG:-warn}" \
    setsid "$AUTHD_BIN" </dev/null >>"$LOG_DIR/authd$n.log" 2>&1 &
  echo $! >"$(authd_pidf "$n")"
  disown
}

authd_up() {
  local n i
  [ -s "$GALERA_ROOT/jwt.secret" ] || (umask 077 && head -c 48 /dev/urandom | base64 | tr -d '\n=' >"$GALERA_ROOT/jwt.secret")
  for n in "${NODES[@]}"; do authd_start "$n"; done
  for n in "${NODES[@]}"; do
    for ((i = 0; i < 240; i++)); do
      curl -fs -o /dev/null "http://127.0.0.1:${AUTHD_PORT[$n]}/readyz" && break
      pid_alive "$(authd_pidf "$n")" authd || { glog "authd$n exited"; tail -20 "$LOG_DIR/authd$n.log" >&2; return 1; }
      sleep 0.25
    done
    [ "$i" -lt 240 ] || { glog "authd$n not ready"; return 1; }
  done
}

authd_down() {
  local n p
  for n in "${NODES[@]}"; do
    pid_alive "$(authd_pidf "$n")" authd || continue
    p=$(cat "$(authd_pidf "$n")")
    kill -TERM "$p"
    for ((i = 0; i < 60; i++)); do kill -0 "$p" 2>/dev/null || break; sleep 0.25; done
    kill -0 "$p" 2>/dev/null && kill -KILL "$p"
  done
  return 0
}

haproxy_up() {
  pid_alive "$RUN_DIR/haproxy.pid" haproxy && return 0
  cat >"$GALERA_ROOT/haproxy.cfg" <<CFG
# written by tests/galera/lib.sh
global
    maxconn 2000
defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    retries 2
    option redispatch
frontend authd
    bind 127.0.0.1:$HAPROXY_PORT
    default_backend authd
backend authd
    balance roundrobin
    option httpchk GET /readyz
    http-check expect status 200
    default-server inter 500ms fall 2 rise 2
    server a1 127.0.0.1:${AUTHD_PORT[1]} check
    server a2 127.0.0.1:${AUTHD_PORT[2]} check
    server a3 127.0.0.1:${AUTHD_PORT[3]} check
listen stats
    bind 127.0.0.1:$HAPROXY_STATS_PORT
    stats enable
    stats uri /stats
CFG
  haproxy -c -q -f "$GALERA_ROOT/haproxy.cfg"
  haproxy -D -p "$RUN_DIR/haproxy.pid" -f "$GALERA_ROOT/haproxy.cfg"
}

haproxy_down() {
  pid_alive "$RUN_DIR/haproxy.pid" haproxy || return 0
  kill -TERM "$(cat "$RUN_DIR/haproxy.pid")"
}

status() {
  local n
  for n in "${NODES[@]}"; do
    if node_running "$n"; then
      printf 'n%s mysql:%s size=%s ready=%s state=%s' "$n" "${MYSQL_PORT[$n]}" "$(wsrep "$n" wsrep_cluster_size)" \
        "$(wsrep "$n" wsrep_ready)" "$(wsrep "$n" wsrep_local_state_comment)"
    else
      printf 'n%s mysql:%s down' "$n" "${MYSQL_PORT[$n]}"
    fi
    printf '  authd%s:%s readyz=%s\n' "$n" "${AUTHD_PORT[$n]}" \
      "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${AUTHD_PORT[$n]}/readyz")"
  done
}
