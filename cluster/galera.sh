#!/usr/bin/env bash
# A three-node MariaDB Galera cluster on loopback, for txkit's cluster tests (cluster-tests/) and .ci/run.
#
#   cluster/galera.sh start          bootstrap node 1, join nodes 2 and 3, wait until all three are Synced
#   cluster/galera.sh stop           stop the nodes this script started (by the pids in their pid files)
#   cluster/galera.sh status         one line per node; exit 0 when all three are Synced in a cluster of 3
#   cluster/galera.sh url            the multi-host JDBC URL of the cluster
#   cluster/galera.sh env            export lines for the tests (TXKIT_GALERA_URL, TXKIT_GALERA_NODES, ...)
#   cluster/galera.sh kill N         kill -9 node N by its pid (what the node-failure tests do)
#   cluster/galera.sh start-node N   (re)start node N, joining the running cluster; wait until it is Synced
#   cluster/galera.sh stop-node N    stop node N cleanly
#   cluster/galera.sh pid N          print node N's pid (empty if it is not running)
#   cluster/galera.sh isolate N      cut node N off the group (gmcast.isolate): it stays up, non-Primary, and
#                                    answers queries with 1047; wait until it says so
#   cluster/galera.sh rejoin N       undo isolate; wait until node N is Synced again
#   cluster/galera.sh pause N        SIGSTOP node N (a hung server: connections open, nothing answers)
#   cluster/galera.sh resume N       SIGCONT node N
#
# start is a no-op when the cluster is up, and brings back missing nodes when some are up. With no node up it
# throws away whatever an earlier run left in the cluster directory and starts from fresh data directories.
# stop signals only the process ids recorded in the pid files, and only when such a process is still a
# mariadbd of this cluster (a recycled pid is left alone). Both are no-ops when there is nothing to do.
#
# The nodes never touch the system's MariaDB: each has its own port, data directory, socket, pid file and log,
# reads only its own option file (--defaults-file), and listens on 127.0.0.1 only.
#
# Environment (defaults in brackets):
#   TXKIT_GALERA_DIR        where the nodes live                         [/tmp/txkit-galera]
#   TXKIT_GALERA_PORT       SQL port of node 1; nodes 2, 3 use +1, +2    [4406]
#   TXKIT_GALERA_GCOMM_PORT group port of node 1; node i uses +10*(i-1)  [4567]
#                           (IST receives on +1, SST on +2)
#   TXKIT_GALERA_TIMEOUT    seconds to wait for a node to be Synced      [120]
#
# Missing packages (galera-4, rsync) are installed from Debian's repositories when run as root.
set -euo pipefail

DIR=${TXKIT_GALERA_DIR:-/tmp/txkit-galera}
SQL_PORT=${TXKIT_GALERA_PORT:-4406}
GCOMM_PORT=${TXKIT_GALERA_GCOMM_PORT:-4567}
TIMEOUT=${TXKIT_GALERA_TIMEOUT:-120}
NODES=(1 2 3)
PROVIDER=/usr/lib/galera/libgalera_smm.so
MARIADBD=${TXKIT_GALERA_MARIADBD:-/usr/sbin/mariadbd}

log() { echo "galera: $*" >&2; }
die() { echo "galera: error: $*" >&2; exit 1; }

now_ms() { date +%s%3N; }

node_dir() { echo "$DIR/node$1"; }
sql_port() { echo $((SQL_PORT + $1 - 1)); }
gcomm_port() { echo $((GCOMM_PORT + 10 * ($1 - 1))); }
pid_file() { echo "$(node_dir "$1")/node.pid"; }
sock() { echo "$(node_dir "$1")/mysqld.sock"; }
cnf() { echo "$(node_dir "$1")/my.cnf"; }

check_node_arg() {
  case "${1:-}" in
    1 | 2 | 3) ;;
    *) die "expected a node number 1, 2 or 3, got '${1:-}'" ;;
  esac
}

# --- packages ----------------------------------------------------------------------------------------------

ensure_packages() {
  local missing=()
  [ -e "$PROVIDER" ] || missing+=(galera-4)
  command -v rsync >/dev/null 2>&1 || missing+=(rsync)
  # the rsync state transfer checks its listener with ss or lsof
  command -v ss >/dev/null 2>&1 || command -v lsof >/dev/null 2>&1 || missing+=(iproute2)
  [ -x "$MARIADBD" ] || missing+=(mariadb-server)
  if [ ${#missing[@]} -eq 0 ]; then
    return
  fi
  if [ "$(id -u)" -ne 0 ]; then
    die "missing packages: ${missing[*]}; install them (apt-get install -y ${missing[*]}) or run this as root"
  fi
  log "installing ${missing[*]} from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y --no-install-recommends "${missing[@]}" </dev/null >&2; then
    apt-get update </dev/null >&2
    apt-get install -y --no-install-recommends "${missing[@]}" </dev/null >&2
  fi
  [ -e "$PROVIDER" ] || die "galera-4 is installed but $PROVIDER is missing"
}

# --- processes ---------------------------------------------------------------------------------------------

# The pid recorded for node $1 if that process is alive and still this node's mariadbd, else nothing.
live_pid() {
  local f pid
  f=$(pid_file "$1")
  [ -f "$f" ] || return 0
  pid=$(cat "$f" 2>/dev/null || true)
  [[ "$pid" =~ ^[0-9]+$ ]] || return 0
  [ -r "/proc/$pid/cmdline" ] || return 0
  # a recycled pid belongs to another program: only a mariadbd started with this node's option file counts
  if tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "--defaults-file=$(cnf "$1")"; then
    echo "$pid"
  fi
}

client() {
  local n=$1
  shift
  mariadb --no-defaults --protocol=socket --socket="$(sock "$n")" -uroot --connect-timeout=2 -N -B "$@"
}

# "state size" of node $1 (e.g. "Synced 3"), or nothing when it does not answer.
node_state() {
  client "$1" -e "SELECT
      (SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME='WSREP_LOCAL_STATE_COMMENT'),
      (SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME='WSREP_CLUSTER_SIZE'),
      (SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME='WSREP_READY')" \
    2>/dev/null | tr '\t' ' ' || true
}

# Whether any of the given nodes is in a primary component.
any_primary() {
  local n status
  for n in "$@"; do
    status=$(client "$n" -e "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS
      WHERE VARIABLE_NAME='WSREP_CLUSTER_STATUS'" 2>/dev/null || true)
    [ "$status" = "Primary" ] && return 0
  done
  return 1
}

# Waits until node $1 sees a cluster of $2 members (they need not be Synced yet).
wait_members() {
  local n=$1 size=$2 deadline state
  deadline=$(($(date +%s) + TIMEOUT))
  while :; do
    state=$(node_state "$n")
    # shellcheck disable=SC2086
    set -- $state
    [ "${2:-0}" -ge "$size" ] && return 0
    [ "$(date +%s)" -lt "$deadline" ] || die "node $n sees '${state:-no answer}', not $size members, after ${TIMEOUT} s"
    sleep 0.1
  done
}

# Waits until node $1 reports non-Primary (after isolate).
wait_non_primary() {
  local n=$1 deadline status
  deadline=$(($(date +%s) + TIMEOUT))
  while :; do
    status=$(client "$n" -e "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS
      WHERE VARIABLE_NAME='WSREP_CLUSTER_STATUS'" 2>/dev/null || true)
    [ "$status" = "non-Primary" ] && return 0
    [ "$(date +%s)" -lt "$deadline" ] || die "node $n is still '$status' ${TIMEOUT} s after isolate"
    sleep 0.1
  done
}

# Waits until node $1 is Synced and ready, with a cluster of at least $2 nodes. Fails early if it died.
wait_synced() {
  local n=$1 size=$2 deadline state pid
  deadline=$(($(date +%s) + TIMEOUT))
  while :; do
    # the pid just launched: right after the fork its command line is still the shell's, so only ask
    # whether the process exists
    pid=$(cat "$(pid_file "$n")" 2>/dev/null || true)
    if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then
      tail -n 30 "$(node_dir "$n")/error.log" >&2 || true
      die "node $n exited while starting; its log: $(node_dir "$n")/error.log"
    fi
    state=$(node_state "$n")
    # shellcheck disable=SC2086
    set -- $state
    if [ "${1:-}" = "Synced" ] && [ "${2:-0}" -ge "$size" ] && [ "${3:-}" = "ON" ]; then
      return 0
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      tail -n 30 "$(node_dir "$n")/error.log" >&2 || true
      die "node $n is not Synced after ${TIMEOUT} s (state: '${state:-no answer}'); its log: $(node_dir "$n")/error.log"
    fi
    sleep 0.2
  done
}

write_cnf() {
  local n=$1 d gp members=""
  d=$(node_dir "$n")
  gp=$(gcomm_port "$n")
  for i in "${NODES[@]}"; do
    members+="${members:+,}127.0.0.1:$(gcomm_port "$i")"
  done
  cat >"$(cnf "$n")" <<EOF
# node $n of txkit's test cluster, written by cluster/galera.sh (rewritten on every start)
[mariadbd]
datadir = $d/data
socket = $d/mysqld.sock
pid-file = $d/mysqld.pid
log-error = $d/error.log
port = $(sql_port "$n")
bind-address = 127.0.0.1
character-set-server = utf8mb4
collation-server = utf8mb4_general_ci
max_connections = 200

# what Galera requires
binlog_format = ROW
default_storage_engine = InnoDB
innodb_autoinc_lock_mode = 2

# small and fast for tests: durability comes from the other two nodes
innodb_buffer_pool_size = 64M
innodb_log_file_size = 16M
innodb_flush_log_at_trx_commit = 2
performance_schema = OFF

wsrep_on = ON
wsrep_provider = $PROVIDER
wsrep_cluster_name = txkit-test
wsrep_cluster_address = gcomm://$members
wsrep_node_name = node$n
wsrep_node_address = 127.0.0.1:$gp
wsrep_node_incoming_address = 127.0.0.1:$(sql_port "$n")
wsrep_sst_method = rsync
wsrep_sst_receive_address = 127.0.0.1:$((gp + 2))
# A killed node is declared gone after about 2 s instead of Galera's default 5-15 s (the survivors'
# commits wait for that); fine on loopback, too eager for a real network.
wsrep_provider_options = "gmcast.listen_addr=tcp://127.0.0.1:$gp;ist.recv_addr=127.0.0.1:$((gp + 1));gcache.size=64M;evs.keepalive_period=PT0.5S;evs.inactive_check_period=PT0.5S;evs.suspect_timeout=PT2S;evs.inactive_timeout=PT3S;evs.install_timeout=PT3S;pc.recovery=FALSE"
EOF
}

# Launches node $1's mariadbd in the background, detached from the caller, and records its pid.
launch() {
  local n=$1
  shift
  local d user_opt=()
  d=$(node_dir "$n")
  if [ "$(id -u)" -eq 0 ]; then
    user_opt=(--user=mysql)
  fi
  setsid "$MARIADBD" --defaults-file="$(cnf "$n")" "${user_opt[@]}" "$@" </dev/null >>"$d/stdout.log" 2>&1 &
  echo $! >"$(pid_file "$n")"
}

own_dirs() {
  if [ "$(id -u)" -eq 0 ]; then
    chown -R mysql:mysql "$@"
  fi
}

port_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

check_ports_free() {
  local n=$1 p
  for p in "$(sql_port "$n")" "$(gcomm_port "$n")" $(($(gcomm_port "$n") + 1)) $(($(gcomm_port "$n") + 2)); do
    port_free "$p" || die "port $p (node $n) is in use by a process this script did not start; stop it or set TXKIT_GALERA_PORT / TXKIT_GALERA_GCOMM_PORT"
  done
}

# The position node $1 stopped at (uuid:seqno), recovered from InnoDB after a crash: lets the node rejoin with
# an incremental transfer (IST) instead of copying the whole data directory.
recover_position() {
  local n=$1 d user_opt=() pos
  d=$(node_dir "$n")
  if [ "$(id -u)" -eq 0 ]; then
    user_opt=(--user=mysql)
  fi
  "$MARIADBD" --defaults-file="$(cnf "$n")" "${user_opt[@]}" --wsrep-recover --log-error="$d/recover.log" \
    </dev/null >/dev/null 2>&1 || true
  pos=$(grep -o 'WSREP: Recovered position: [0-9a-f-]*:-\?[0-9]*' "$d/recover.log" 2>/dev/null | tail -n 1 \
    | sed 's/.*Recovered position: //')
  rm -f "$d/recover.log"
  case "$pos" in
    *:-1 | 00000000-0000-0000-0000-000000000000:* | "") ;;
    *) echo "$pos" ;;
  esac
}

start_joiner() {
  local n=$1 d pos args=()
  d=$(node_dir "$n")
  check_ports_free "$n"
  write_cnf "$n"
  mkdir -p "$d/data"
  own_dirs "$d"
  rm -f "$d/mysqld.pid" "$d/mysqld.sock"
  if [ -f "$d/data/grastate.dat" ] && grep -q '^seqno: *-1' "$d/data/grastate.dat"; then
    pos=$(recover_position "$n")
    if [ -n "$pos" ]; then
      args+=(--wsrep-start-position="$pos")
    fi
  fi
  launch "$n" "${args[@]}"
}

cmd_start() {
  local t0 up=() down=() n
  t0=$(now_ms)
  for n in "${NODES[@]}"; do
    if [ -n "$(live_pid "$n")" ]; then up+=("$n"); else down+=("$n"); fi
  done
  if [ ${#down[@]} -eq 0 ]; then
    for n in "${NODES[@]}"; do wait_synced "$n" 3; done
    log "already running (nodes 1-3 Synced)"
    return 0
  fi
  ensure_packages
  if [ ${#up[@]} -gt 0 ] && ! any_primary "${up[@]}"; then
    # e.g. one node left of three: it lost quorum, and nodes joining it would wait forever
    log "nodes ${up[*]} are running but not in a primary component; starting the cluster afresh"
    stop_pids TERM "${up[@]}" >/dev/null
    up=()
  fi
  if [ ${#up[@]} -gt 0 ]; then
    log "nodes ${up[*]} are running; starting nodes ${down[*]}"
    for n in "${down[@]}"; do start_joiner "$n"; done
    for n in "${NODES[@]}"; do wait_synced "$n" 3; done
    log "started nodes ${down[*]} in $(($(now_ms) - t0)) ms"
    return 0
  fi

  # nothing runs: throw away what an earlier run left and start from scratch
  for n in "${NODES[@]}"; do check_ports_free "$n"; done
  if [ -e "$DIR" ] && [ -n "$(ls -A "$DIR" 2>/dev/null)" ] && [ ! -f "$DIR/.txkit-galera" ] \
    && ! grep -qs 'written by cluster/galera.sh' "$DIR/node1/my.cnf"; then
    die "$DIR exists and was not made by this script; refusing to delete it (set TXKIT_GALERA_DIR)"
  fi
  rm -rf "$DIR"
  mkdir -p "$DIR"
  chmod 755 "$DIR"
  touch "$DIR/.txkit-galera"
  for n in "${NODES[@]}"; do
    mkdir -p "$(node_dir "$n")/data"
    write_cnf "$n"
  done
  own_dirs "$DIR"
  local user_opt=()
  if [ "$(id -u)" -eq 0 ]; then user_opt=(--user=mysql); fi
  mariadb-install-db --no-defaults --datadir="$(node_dir 1)/data" "${user_opt[@]}" \
    --auth-root-authentication-method=normal --skip-test-db >"$(node_dir 1)/install.log" 2>&1 \
    || { cat "$(node_dir 1)/install.log" >&2; die "mariadb-install-db failed"; }
  # Node 1 is bootstrapped, given the test user and database, and stopped cleanly; nodes 2 and 3 start from
  # copies of its data directory, so that all three start at the same saved position and the joiners need only
  # an incremental transfer of a few events (a full rsync copy costs about 3 s per node, one after the other).
  local t1 t2 t3 n
  t1=$(now_ms)
  launch 1 --wsrep-new-cluster
  wait_synced 1 1
  # the tests connect over TCP as root without a password, as on the project's standalone MariaDB
  client 1 -e "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '';
    GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;
    CREATE DATABASE IF NOT EXISTS txkit;" || die "could not create the test user and database on node 1"
  stop_pids TERM 1 >/dev/null
  grep -q '^safe_to_bootstrap: *1' "$(node_dir 1)/data/grastate.dat" \
    || die "node 1 did not save a clean position: $(node_dir 1)/data/grastate.dat"
  for n in 2 3; do
    cp -a "$(node_dir 1)/data/." "$(node_dir "$n")/data/"
    rm -f "$(node_dir "$n")/data/gvwstate.dat" "$(node_dir "$n")/data/galera.cache"
    sed -i 's/^safe_to_bootstrap:.*/safe_to_bootstrap: 0/' "$(node_dir "$n")/data/grastate.dat"
  done
  t2=$(now_ms)
  launch 1 --wsrep-new-cluster
  wait_synced 1 1
  # one joiner at a time: two nodes entering the group at once take seconds to agree on a view
  launch 2
  wait_members 1 2
  launch 3
  for n in "${NODES[@]}"; do wait_synced "$n" 3; done
  t3=$(now_ms)
  log "cluster of 3 Synced in $((t3 - t0)) ms (initialise $((t1 - t0)) ms, first bootstrap $((t2 - t1)) ms, cluster $((t3 - t2)) ms)"
  cmd_url
}

stop_pids() {
  # $1: signal; rest: node numbers. Waits until every signalled process is gone (KILL after 30 s).
  local sig=$1
  shift
  local n pid pids=() deadline
  for n in "$@"; do
    pid=$(live_pid "$n")
    if [ -n "$pid" ]; then
      kill "-$sig" "$pid" 2>/dev/null || true
      pids+=("$pid")
    fi
  done
  deadline=$(($(date +%s) + 30))
  for pid in "${pids[@]}"; do
    while kill -0 "$pid" 2>/dev/null && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      log "pid $pid did not stop within 30 s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  for n in "$@"; do
    [ -n "$(live_pid "$n")" ] || rm -f "$(pid_file "$n")"
  done
  echo "${#pids[@]}"
}

cmd_stop() {
  local t0 count
  t0=$(now_ms)
  count=$(stop_pids TERM "${NODES[@]}")
  if [ "$count" -eq 0 ]; then
    log "not running"
  else
    log "stopped $count node(s) in $(($(now_ms) - t0)) ms"
  fi
}

cmd_status() {
  local n pid state all=0 any=0
  for n in "${NODES[@]}"; do
    pid=$(live_pid "$n")
    if [ -z "$pid" ]; then
      echo "node$n port $(sql_port "$n") stopped"
      all=1
      continue
    fi
    any=1
    state=$(node_state "$n")
    echo "node$n port $(sql_port "$n") pid $pid state ${state:-no answer}"
    # shellcheck disable=SC2086
    set -- $state
    if [ "${1:-}" != "Synced" ] || [ "${2:-0}" -ne 3 ]; then all=1; fi
  done
  if [ $any -eq 0 ]; then return 3; fi
  return $all
}

cmd_url() {
  echo "jdbc:mariadb:sequential://127.0.0.1:$(sql_port 1),127.0.0.1:$(sql_port 2),127.0.0.1:$(sql_port 3)/txkit?user=root"
}

cmd_env() {
  local nodes=""
  for n in "${NODES[@]}"; do nodes+="${nodes:+,}127.0.0.1:$(sql_port "$n")"; done
  echo "export TXKIT_GALERA_URL='$(cmd_url)'"
  echo "export TXKIT_GALERA_NODES='$nodes'"
  echo "export TXKIT_GALERA_SCRIPT='$(cd "$(dirname "$0")" && pwd)/$(basename "$0")'"
}

main() {
  local cmd=${1:-}
  case "$cmd" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    url) cmd_url ;;
    env) cmd_env ;;
    pid)
      check_node_arg "${2:-}"
      live_pid "$2"
      ;;
    kill)
      check_node_arg "${2:-}"
      local pid
      pid=$(live_pid "$2")
      [ -n "$pid" ] || die "node $2 is not running"
      kill -KILL "$pid"
      while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
      log "node $2 (pid $pid) killed"
      ;;
    start-node)
      check_node_arg "${2:-}"
      local t0
      t0=$(now_ms)
      if [ -z "$(live_pid "$2")" ]; then
        ensure_packages
        start_joiner "$2"
      fi
      wait_synced "$2" 3
      log "node $2 Synced in $(($(now_ms) - t0)) ms"
      ;;
    isolate | rejoin)
      check_node_arg "${2:-}"
      [ -n "$(live_pid "$2")" ] || die "node $2 is not running"
      local flag=1
      [ "$cmd" = rejoin ] && flag=0
      # the node's own provider setting, on this test cluster only
      client "$2" -e "SET GLOBAL wsrep_provider_options='gmcast.isolate=$flag'"
      if [ "$cmd" = isolate ]; then wait_non_primary "$2"; else wait_synced "$2" 3; fi
      ;;
    pause | resume)
      check_node_arg "${2:-}"
      local p
      p=$(live_pid "$2")
      [ -n "$p" ] || die "node $2 is not running"
      if [ "$cmd" = pause ]; then kill -STOP "$p"; else kill -CONT "$p"; fi
      ;;
    stop-node)
      check_node_arg "${2:-}"
      stop_pids TERM "$2" >/dev/null
      ;;
    *)
      awk 'NR > 1 && /^# start is/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0" >&2
      exit 2
      ;;
  esac
}

main "$@"
