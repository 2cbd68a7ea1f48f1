#!/usr/bin/env bash
# cluster.sh COMMAND — drive the loopback harness by hand (run.sh uses the same functions).
#   up              packages, 3 Galera nodes, 3 authd, HAProxy (idempotent)
#   down            HAProxy, authd, then the nodes (data kept; `wipe` removes it)
#   status          one line per node: wsrep view and the authd's /readyz
#   kill N          kill -9 node N's mariadbd
#   start N         start node N again (rejoins by IST after a kill)
#   bootstrap N     make the non-Primary survivor N primary again (pc.bootstrap=YES)
#   wipe            down, then rm -rf $GALERA_ROOT
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[ "$(id -u)" -eq 0 ] || { glog "run as root (mariadbd runs as the mysql user)"; exit 1; }
case "${1:-}" in
up)
  setup_packages
  mkdir -p "$GALERA_ROOT"
  cluster_up
  authd_up
  haproxy_up
  status
  ;;
down)
  haproxy_down
  authd_down
  cluster_down
  ;;
status) status ;;
kill) stop_node "$2" KILL ;;
start)
  start_node "$2"
  wait_synced "$2"
  ;;
bootstrap) q "$2" "SET GLOBAL wsrep_provider_options='pc.bootstrap=YES'" ;;
wipe)
  haproxy_down
  authd_down
  cluster_down
  rm -rf "$GALERA_ROOT"
  ;;
*)
  sed -n '2,10p' "$0"
  exit 2
  ;;
esac
