#!/usr/bin/env bash
# The HA harness (not in CI: about 6 minutes on the shared 2-core machine under others' builds): the
# database fails over under the service, as a replicated production PostgreSQL does. etcd (one
# node) and Patroni manage three PostgreSQL 15 nodes on loopback with `synchronous_mode: true`;
# HAProxy routes a write port to the primary and a read port to the replicas by asking Patroni's
# REST API, as Patroni's documented HAProxy set-up does; three `serve` instances of the jar sit
# behind a second HAProxy frontend, under mixed GET/PATCH load from bench/tools/ClusterLoad.java,
# which records every request's outcome. In order, under load:
#
#   (a) switchover: `patronictl switchover --force` from the leader to the synchronous standby.
#   (b) failover: SIGKILL of the leader's Patroni and postmaster at once. The synchronous standby
#       is promoted once the leader key expires in etcd (up to TTL s), then HAProxy sees it.
#       Then, ROUNDS times: an API key served (and cached) by all three instances is revoked
#       through the new primary; each instance must refuse it within 1 s.
#   (c) rejoin: the killed node's Patroni is started again: crash recovery, pg_rewind against the
#       new leader (`use_pg_rewind`), and it streams as a replica.
#
# Each phase is PRE s of load, the event, the wait until HAProxy has the new primary (for (c):
# the rejoined replica) UP, then OBSERVE s. Per phase: failed requests by method and status
# (who answered: the service or HAProxy; 503s with and without Retry-After), the write gap and the read gap (longest time
# without a successful PATCH, GET), PATCHes failed more than 5 s after the new primary was
# reachable, read-your-writes violations (a GET showing an older state than the user's last
# acknowledged PATCH) and acknowledged writes seen lost (a PATCH answering a version not above
# the last acknowledged one); after the run, every user's stored timezone against its last
# acknowledged PATCH. Results: bench/results/ha-<UTC time>.json and a text summary on stdout
# (bench/report.py ha; exit 1 when a target of RELIABILITY.md's failover table is missed).
#
#   bench/ha.sh                                 # reads and writes through HAProxy's write port
#   POOL_MODE=transaction bench/ha.sh           # PgBouncer (transaction pooling) in front of it
#   READS=replica bench/ha.sh                   # also DATABASE_READ_URL = HAProxy's replica port
#   ROUTE=late bench/ha.sh                      # a write address that moves late (see ROUTE)
#
# Knobs: RATE (150 req/s), WORKERS (16), USERS (2000), PRE (5), OBSERVE (20), ROUNDS (2);
# POOL_MODE: direct (DATABASE_URL is HAProxy's write port), transaction or session (PgBouncer,
# `server_login_retry = 1`, to HAProxy's write port; DATABASE_DIRECT_URL to HAProxy's write port
# for LISTEN); READS: primary, or replica (passes DATABASE_READ_URL: opt-in, as a service that
# does not know the setting may refuse it); ROUTE: patroni (HAProxy's write port as Patroni
# documents it) or late: the write port keeps reaching a server for LATE_SECONDS (8) after
# Patroni stopped calling it the primary, and never cuts its connections: what a cached DNS
# answer or a virtual IP that moves late does, so new connections can land on the demoted,
# read-only server. Patroni's TTL (10), LOOP_WAIT (2), RETRY_TIMEOUT (4): a test's timings
# (Patroni's defaults are 30/10/10) that keep `loop_wait + 2 * retry_timeout <= ttl`, so a leader
# that cannot reach etcd demotes itself before its key can expire; with them HAProxy has the new
# primary 10-13 s after the SIGKILL on the loaded 2-core machine. SYNCHRONOUS_COMMIT (on; remote_apply makes a
# standby show every acknowledged write), SHUTDOWN_DELAY (5), DB_CONNECT_TIMEOUT_MS (3000),
# JAVA_OPTS, SKIP_BUILD=1, HA_WORK (a directory under /tmp).
# Fixed loopback ports 24000-24099: PostgreSQL 24001-24003, Patroni's REST API 24011-24013,
# etcd 24079 (peer 24080), HAProxy write 24020, read 24021, service 24030, stats 24031, PgBouncer
# 24025, instances 24041-24043. Needs the Debian packages postgresql (15), patroni, etcd-server,
# etcd-client, haproxy, pgbouncer. Everything it starts is stopped on exit, Ctrl-C included.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

RATE=${RATE:-150}
WORKERS=${WORKERS:-16}
USERS=${USERS:-2000}
PRE=${PRE:-5}
OBSERVE=${OBSERVE:-20}
ROUNDS=${ROUNDS:-2}
POOL_MODE=${POOL_MODE:-direct}
READS=${READS:-primary}
ROUTE=${ROUTE:-patroni}
LATE_SECONDS=${LATE_SECONDS:-8}
TTL=${TTL:-10}
LOOP_WAIT=${LOOP_WAIT:-2}
RETRY_TIMEOUT=${RETRY_TIMEOUT:-4}
SYNCHRONOUS_COMMIT=${SYNCHRONOUS_COMMIT:-on}
SHUTDOWN_DELAY=${SHUTDOWN_DELAY:-5}
# The harness's knob, never the instances' variable: SHUTDOWN_* is the service's family, and an
# unknown name in it stops the CLI and `serve` at start-up. They get SHUTDOWN_DELAY_SECONDS.
export -n SHUTDOWN_DELAY
DB_CONNECT_TIMEOUT_MS=${DB_CONNECT_TIMEOUT_MS:-3000}
JAVA_OPTS=${JAVA_OPTS:--Xms64m -Xmx160m -XX:+UseSerialGC}
WORK=${HA_WORK:-/tmp/me-ha}
NODES=(1 2 3)
pg_port() { echo $((24000 + $1)); }
rest_port() { echo $((24010 + $1)); }
ETCD_PORT=24079
ETCD_PEER_PORT=24080
WRITE_PORT=24020
READ_PORT=24021
BOUNCER_PORT=24025
LB_PORT=24030
STATS_PORT=24031
PORTS=(24041 24042 24043)
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RESULTS=$ROOT/bench/results
LOG_TAG=ha
source bench/lib/instances.sh

[[ $POOL_MODE =~ ^(direct|transaction|session)$ ]] || { log "POOL_MODE: direct, transaction or session"; exit 2; }
[[ $READS =~ ^(primary|replica)$ ]] || { log "READS: primary or replica"; exit 2; }
[[ $ROUTE =~ ^(patroni|late)$ ]] || { log "ROUTE: patroni or late"; exit 2; }
((LOOP_WAIT + 2 * RETRY_TIMEOUT <= TTL)) || { log "Patroni needs LOOP_WAIT + 2 * RETRY_TIMEOUT <= TTL"; exit 2; }
for tool in etcd etcdctl patroni patronictl haproxy pgbouncer curl java python3; do
  command -v "$tool" >/dev/null || [[ -x /usr/sbin/$tool ]] || { log "$tool is missing (apt-get install -y patroni etcd-server etcd-client haproxy pgbouncer)"; exit 2; }
done
source bench/lib/postgres.sh
pg_find
# Patroni runs more of PostgreSQL's tools than initdb (pg_controldata, pg_basebackup, pg_rewind):
# the real directory, not a folder of a few links to it.
PGBIN=$(dirname "$(readlink -f "$PGBIN/initdb")")
[[ -x $PGBIN/pg_rewind && -x $PGBIN/pg_controldata ]] || { log "no pg_rewind or pg_controldata in $PGBIN"; exit 2; }
ports_free $ETCD_PORT $ETCD_PEER_PORT $WRITE_PORT $READ_PORT $BOUNCER_PORT $LB_PORT $STATS_PORT "${PORTS[@]}" \
  $(for n in "${NODES[@]}"; do pg_port "$n"; rest_port "$n"; done)

# --- Patroni nodes ---------------------------------------------------------------------------------
# A node is pgN: its Patroni (as `postgres`: PostgreSQL refuses root) in WORK/pgN.
declare -A AS_PG_PID=()
patroni_pid() { # N: the Patroni process (runuser stays its parent)
  local parent=${AS_PG_PID[$1]:-}
  [[ -z $parent ]] && return 0
  if [[ $(id -u) == 0 ]]; then pgrep -P "$parent" || true; else echo "$parent"; fi
}
postmaster_pid() { # N: the node's postmaster, if it runs (its pid file can be stale after a SIGKILL)
  local file=$WORK/pg$1/data/postmaster.pid pid
  [[ -f $file ]] || return 0
  pid=$(head -1 "$file")
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "-D $WORK/pg$1/data" && echo "$pid" || true
}
patroni_config() { # N
  cat <<EOF
scope: me-ha
name: pg$1
log:
  level: INFO
restapi:
  listen: 127.0.0.1:$(rest_port "$1")
  connect_address: 127.0.0.1:$(rest_port "$1")
etcd3:
  hosts: 127.0.0.1:$ETCD_PORT
bootstrap:
  dcs:
    ttl: $TTL
    loop_wait: $LOOP_WAIT
    retry_timeout: $RETRY_TIMEOUT
    maximum_lag_on_failover: 1048576
    synchronous_mode: true
    postgresql:
      use_pg_rewind: true
      use_slots: true
      parameters:
        max_connections: 200
        synchronous_commit: '$SYNCHRONOUS_COMMIT'
        wal_log_hints: 'on'
        wal_keep_size: 128MB
  initdb:
    - encoding: UTF8
    - no-locale
  pg_hba:
    - local all all trust
    - host all all 127.0.0.1/32 trust
    - host replication all 127.0.0.1/32 trust
postgresql:
  listen: 127.0.0.1:$(pg_port "$1")
  connect_address: 127.0.0.1:$(pg_port "$1")
  data_dir: $WORK/pg$1/data
  bin_dir: $PGBIN
  pgpass: $WORK/pg$1/pgpass
  authentication:
    superuser: {username: postgres}
    replication: {username: postgres}
    rewind: {username: postgres}
  parameters:
    unix_socket_directories: $WORK/pg$1
EOF
}
start_patroni() { # N (runuser itself, not as_pg: a function in the background would be a subshell)
  if [[ $(id -u) == 0 ]]; then
    runuser -u postgres -- patroni "$WORK/pg$1/patroni.yml" >>"$WORK/pg$1/patroni.log" 2>&1 &
  else
    patroni "$WORK/pg$1/patroni.yml" >>"$WORK/pg$1/patroni.log" 2>&1 &
  fi
  AS_PG_PID[$1]=$!
}
member() { # ROLE (primary, replica, sync): the first node whose Patroni answers 200 for it
  local n
  for n in "${NODES[@]}"; do
    [[ $(curl -s -o /dev/null -m 2 -w '%{http_code}' -X OPTIONS "http://127.0.0.1:$(rest_port "$n")/$1") == 200 ]] && { echo "$n"; return 0; }
  done
  return 1
}
await_member() { # N ROLE
  for _ in $(seq 1200); do
    [[ $(curl -s -o /dev/null -m 2 -w '%{http_code}' -X OPTIONS "http://127.0.0.1:$(rest_port "$1")/$2") == 200 ]] && return 0
    kill -0 "${AS_PG_PID[$1]}" 2>/dev/null || break
    sleep 0.1
  done
  tail -20 "$WORK/pg$1/patroni.log" >&2; log "pg$1 never became $2"; exit 1
}
await_sync() { for _ in $(seq 600); do member sync >/dev/null && return 0; sleep 0.1; done; log "no synchronous standby"; exit 1; }
await_primary_besides() { # N: a node other than pgN UP in HAProxy's write backend; prints it
  local n
  for _ in $(seq 1200); do
    for n in "${NODES[@]}"; do
      [[ $n != "$1" && $(lb_status pg_primary "pg$n") == UP* ]] && { echo "$n"; return 0; }
    done
    sleep 0.05
  done
  log "HAProxy never had a primary besides pg$1"; exit 1
}

# --- cleanup: only what this script started, by pid -----------------------------------------------
ETCD_PID=""
cleanup() {
  stop_started
  local n pid
  # Patroni stops its PostgreSQL on SIGTERM; runuser would SIGKILL it 2 s after its own SIGTERM.
  for n in "${!AS_PG_PID[@]}"; do pid=$(patroni_pid "$n"); [[ -n $pid ]] && kill -TERM "$pid" 2>/dev/null; done
  for n in "${!AS_PG_PID[@]}"; do
    for _ in $(seq 300); do kill -0 "${AS_PG_PID[$n]}" 2>/dev/null || break; sleep 0.1; done
    stop_pid "${AS_PG_PID[$n]}"
  done
  for n in "${NODES[@]}"; do [[ -n $(postmaster_pid "$n") ]] && pg_stop "$WORK/pg$n/data"; done
  stop_pid "$ETCD_PID"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bench_prepare "$USERS"
mkdir -p "$RESULTS"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
CPU_BEFORE=$(awk '/^cpu /{print $2+$3+$4+$7+$8, $2+$3+$4+$5+$6+$7+$8}' /proc/stat)

log "etcd on 127.0.0.1:$ETCD_PORT"
etcd --name ha --data-dir "$WORK/etcd" --logger zap --log-level warn \
  --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
  --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-cluster "ha=http://127.0.0.1:$ETCD_PEER_PORT" >"$WORK/etcd.log" 2>&1 &
ETCD_PID=$!
for _ in $(seq 100); do ETCDCTL_API=3 etcdctl --endpoints "127.0.0.1:$ETCD_PORT" endpoint health >/dev/null 2>&1 && break; sleep 0.1; done

log "Patroni: pg1 bootstraps the cluster, pg2 and pg3 join (ttl $TTL, loop_wait $LOOP_WAIT, retry_timeout $RETRY_TIMEOUT, synchronous_commit $SYNCHRONOUS_COMMIT)"
for n in "${NODES[@]}"; do
  mkdir -p "$WORK/pg$n"
  patroni_config "$n" >"$WORK/pg$n/patroni.yml"
  [[ $(id -u) == 0 ]] && chown -R postgres "$WORK/pg$n"
  chmod 700 "$WORK/pg$n"
done
start_patroni 1
await_member 1 primary
for n in 2 3; do start_patroni "$n"; done
for n in 2 3; do await_member "$n" replica; done
await_sync
PATRONICTL=(patronictl -c "$WORK/pg1/patroni.yml")

# Patroni's documented HAProxy set-up: a server is in the write backend while its Patroni answers
# 200 to /primary, in the read backend while it answers 200 to /sync (the synchronous standby
# only: an asynchronous one, or the old primary rejoining, may not have applied an acknowledged
# write, docs/operations.md "Replicated PostgreSQL and failover"); checks every second, two
# failures take it out and its open sessions are cut (shutdown-sessions), so no client stays on a
# server that changed role. Then the instances' frontend (bench/lib/instances.sh).
{
  printf 'global\n  maxconn 4096\n  log stdout format raw local0\n'
  haproxy_service_config
  cat <<EOF
defaults
  mode tcp
  log global
  option tcplog
  timeout connect 1s
  timeout client 30m
  timeout server 30m
  timeout check 2s
EOF
  for backend in "pg_primary $WRITE_PORT primary" "pg_replica $READ_PORT sync"; do
    set -- $backend
    printf 'listen %s\n  bind 127.0.0.1:%s\n  balance roundrobin\n  option httpchk OPTIONS /%s\n  http-check expect status 200\n' "$1" "$2" "$3"
    if [[ $1 == pg_primary && $ROUTE == late ]]; then
      printf '  default-server inter 1s fall %s rise 2\n' "$LATE_SECONDS"
    else
      printf '  default-server inter 1s fall 2 rise 2 on-marked-down shutdown-sessions\n'
    fi
    for n in "${NODES[@]}"; do
      printf '  server pg%s 127.0.0.1:%s maxconn 100 check port %s\n' "$n" "$(pg_port "$n")" "$(rest_port "$n")"
    done
  done
} >"$WORK/haproxy.cfg"
log "HAProxy: write port $WRITE_PORT, read port $READ_PORT, service $LB_PORT"
haproxy -db -f "$WORK/haproxy.cfg" >"$WORK/haproxy.log" 2>&1 &
PIDS[haproxy]=$!
# HAProxy starts with every server UP: the write port is the leader's alone only once the checks
# have taken the others out.
LEADER=$(member primary)
for n in "${NODES[@]}"; do
  if [[ $n == "$LEADER" ]]; then await_lb pg_primary "pg$n" UP; else await_lb pg_primary "pg$n" DOWN; fi
done

WRITE_URL="postgresql://postgres@127.0.0.1:$WRITE_PORT/ha"
READ_URL="postgresql://postgres@127.0.0.1:$READ_PORT/ha"
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$WRITE_PORT" -U postgres)
"${PSQL[@]}" -d postgres -c "CREATE DATABASE ha"
# Transaction pooling cannot carry a per-session SET: the timeout is the database's default.
"${PSQL[@]}" -d postgres -c "ALTER DATABASE ha SET statement_timeout = 5000"

if [[ $POOL_MODE == direct ]]; then
  SERVICE_URL=$WRITE_URL
else
  log "PgBouncer ($POOL_MODE pooling) on 127.0.0.1:$BOUNCER_PORT, to HAProxy's write port"
  # server_login_retry: after a failed server login PgBouncer refuses clients for this long
  # (default 15 s); while HAProxy has no primary every login fails.
  start_pgbouncer ha "$WRITE_PORT" "server_login_retry = 1"
  SERVICE_URL="postgresql://postgres@127.0.0.1:$BOUNCER_PORT/ha"
fi

SERVICE_ENV=(HOST=127.0.0.1 DATABASE_URL="$SERVICE_URL"
  DATABASE_POOL_MODE="$([[ $POOL_MODE == transaction ]] && echo transaction || echo session)"
  CLERK_JWT_KEY="$(cat "$WORK/data/issuer.pem")" CLERK_ISSUER=https://clerk.me-service.localhost
  CLERK_AUTHORIZED_PARTIES=http://localhost:3000 RATE_LIMIT_PER_SECOND=0 DB_POOL_SIZE=8
  SHUTDOWN_DELAY_SECONDS="$SHUTDOWN_DELAY" SHUTDOWN_GRACE_SECONDS=10 LOG_FORMAT=text
  TRUSTED_PROXIES=127.0.0.1
  DB_CONNECT_TIMEOUT_MS="$DB_CONNECT_TIMEOUT_MS")
[[ $POOL_MODE == transaction ]] && SERVICE_ENV+=(DATABASE_DIRECT_URL="$WRITE_URL")
[[ $READS == replica ]] && SERVICE_ENV+=(DATABASE_READ_URL="$READ_URL")

log "migrations; seed rows"
cli migrate >/dev/null
seed_users "$WORK/data" "${PSQL[@]}" -d ha

log "three instances on ${PORTS[*]}"
# One at a time: three cold JVMs at once next to the cluster can starve a 2-core host past
# DB_CONNECT_TIMEOUT_MS, and an instance that cannot connect at start-up exits.
for i in 1 2 3; do start_instance "$i"; await_ready "$i"; done
for i in 1 2 3; do await_lb me "i$i" UP; done
[[ $READS == replica ]] && { await_sync; await_lb pg_replica "pg$(member sync)" UP; }

log "load: $RATE req/s from $WORKERS workers (1 PATCH in 4), $USERS users"
start_load "$WORKERS" "$RATE" "$WRITE_URL"
sleep 10 # warm-up (JIT, pools)
"${PATRONICTL[@]}" list >"$WORK/topology-start.txt" 2>&1 || true

# --- (a) switchover --------------------------------------------------------------------------------
phase switchover start
sleep "$PRE"
LEADER=$(member primary)
CANDIDATE=$(member sync)
log "switchover: pg$LEADER -> pg$CANDIDATE (the synchronous standby)"
phase switchover event
"${PATRONICTL[@]}" switchover --leader "pg$LEADER" --candidate "pg$CANDIDATE" --force >"$WORK/switchover.out" 2>&1 \
  || { cat "$WORK/switchover.out" >&2; log "switchover failed"; exit 1; }
phase switchover command_returned
NEW=$(await_primary_besides "$LEADER")
phase switchover reachable
log "switchover: HAProxy has pg$NEW as the primary"
SWITCHOVER="{\"from\":\"pg$LEADER\",\"to\":\"pg$CANDIDATE\",\"primary_in_haproxy\":\"pg$NEW\"}"
sleep "$OBSERVE"
phase switchover end

# --- (b) failover ----------------------------------------------------------------------------------
# The old primary of (a) must be streaming again first: it is the candidate's only other standby.
await_member "$LEADER" replica
await_sync
phase failover start
sleep "$PRE"
LEADER=$(member primary)
SYNC=$(member sync)
VICTIM_PATRONI=$(patroni_pid "$LEADER")
VICTIM_POSTMASTER=$(postmaster_pid "$LEADER")
[[ -n $VICTIM_PATRONI && -n $VICTIM_POSTMASTER ]] || { log "no Patroni or postmaster pid for pg$LEADER"; exit 1; }
log "failover: SIGKILL pg$LEADER (Patroni $VICTIM_PATRONI, postmaster $VICTIM_POSTMASTER); synchronous standby pg$SYNC"
phase failover event
kill -KILL "$VICTIM_PATRONI" "$VICTIM_POSTMASTER"
NEW=$(await_primary_besides "$LEADER")
phase failover reachable
log "failover: HAProxy has pg$NEW as the primary"
FAILOVER="{\"killed\":\"pg$LEADER\",\"synchronous_standby\":\"pg$SYNC\",\"primary_in_haproxy\":\"pg$NEW\"}"
KILLED=$LEADER
sleep "$OBSERVE"
phase failover end

# --- revocation through the new primary -------------------------------------------------------------
phase revoke start
REVOCATIONS=()
for round in $(seq "$ROUNDS"); do
  if result=$(revocation_round "$round" "$WRITE_URL"); then
    log "revoke round $round: $result"
  else
    result="{\"round\":$round,\"error\":\"see $WORK/revoke-$round.err and the log above\"}"
  fi
  REVOCATIONS+=("$result")
done
phase revoke end

# --- (c) the old primary rejoins ---------------------------------------------------------------------
phase rejoin start
sleep "$PRE"
log "rejoin: starting pg$KILLED's Patroni again"
phase rejoin event
start_patroni "$KILLED"
await_member "$KILLED" replica
phase rejoin reachable
log "rejoin: pg$KILLED streams from the new primary"
sleep "$OBSERVE"
phase rejoin end
"${PATRONICTL[@]}" list >"$WORK/topology-end.txt" 2>&1 || true
# What the cluster's own machinery costs: CPU seconds per second of life (cores) of etcd and each
# Patroni (the rejoined node's since its restart).
cores() { # PID
  awk -v hz="$(getconf CLK_TCK)" -v up="$(cut -d' ' -f1 /proc/uptime)" '{printf "%.3f", ($14 + $15) / hz / (up - $22 / hz)}' "/proc/$1/stat" 2>/dev/null || echo null
}
OVERHEAD="etcd $(cores "$ETCD_PID")"
for n in "${NODES[@]}"; do OVERHEAD+=", patroni pg$n $(cores "$(patroni_pid "$n")")"; done

log "stopping the load; checking acknowledged writes against the database"
stop_load
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
CPU_AFTER=$(awk '/^cpu /{print $2+$3+$4+$7+$8, $2+$3+$4+$5+$6+$7+$8}' /proc/stat)
BUSY=$(echo "$CPU_BEFORE $CPU_AFTER" | awk '{printf "%.3f", ($3-$1)/($4-$2)}')
REWIND=$(grep -h -E 'pg_rewind|crash recovery' "$WORK/pg$KILLED/patroni.log" | tail -4 | tr '\n' ' ' | tr -d '"\\' || true)

# --- report --------------------------------------------------------------------------------------
OUT=$RESULTS/ha-$STAMP.json
SETTINGS=$(python3 bench/report.py settings \
  rate="$RATE" workers="$WORKERS" users="$USERS" pre_seconds="$PRE" observe_seconds="$OBSERVE" pool_mode="$POOL_MODE" \
  reads="$READS" route="$ROUTE" nodes="${#NODES[@]}" ttl="$TTL" loop_wait="$LOOP_WAIT" retry_timeout="$RETRY_TIMEOUT" \
  synchronous_mode=true synchronous_commit="$SYNCHRONOUS_COMMIT" \
  haproxy_write_check="$(grep -A5 '^listen pg_primary' "$WORK/haproxy.cfg" | grep -o 'inter.*')" \
  db_connect_timeout_ms="$DB_CONNECT_TIMEOUT_MS" load_average_before="$LOAD_BEFORE" load_average_after="$LOAD_AFTER" \
  machine_busy="$BUSY" cores_used_by="$OVERHEAD" git="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src pom.xml || echo +local)" \
  src_last_changed_in="$(git log -1 --format=%h -- src pom.xml)")
python3 bench/report.py ha "$WORK" "$OUT" "$SETTINGS" "$SWITCHOVER" "$FAILOVER" "$REWIND" "${REVOCATIONS[@]}"
