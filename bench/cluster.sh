#!/usr/bin/env bash
# The cluster harness (not in CI: about 3 minutes on an idle 2-core machine, more when loaded):
# three `serve` instances of the built jar on one PostgreSQL, PgBouncer between them and the
# database, HAProxy in front of them, under mixed GET/PATCH load from bench/tools/ClusterLoad.java,
# which records every request's outcome. In order, under load:
#
#   (a) rolling restart: SIGTERM one instance at a time, start it again, wait until HAProxy has it
#       UP again, next. Passes only with zero failed requests.
#   (b) SIGKILL of one instance, then start it again. Only requests in flight on it may fail (the
#       HAProxy log names the server of each failure); afterwards every user's stored timezone is
#       checked against the database: it must be the value of the user's last acknowledged PATCH
#       (or of a later PATCH that got no answer, which may have committed): no acknowledged write lost.
#   (c) an API key served (and cached) by all three instances is revoked; each instance must
#       refuse it within 1 s, measured per instance, ROUNDS times.
#   (d) cross-instance staleness: a user of its own is read on every instance (so each caches it),
#       PATCHed on one, and polled on the other two until they serve the write: per instance the
#       window from the PATCH's acknowledgement (p50/p99/max), STALE_ROUNDS times
#       (bench/tools/Staleness.java). Passes only if every instance converged and none served the
#       old row after it had served the new one.
#
# Throughout, every GET must show the user's last acknowledged PATCH or a later state, and every
# PATCH a version above it (ClusterLoad's checks; the run fails on one that does not).
# Also measured, over a steady window before (a): requests per CPU-second of each instance and
# CPU of PostgreSQL and PgBouncer; then PostgreSQL's CPU over a window without requests (its floor:
# pings, background work) and over a window of GETs only: CPU per 1,000 GETs, gross and over the
# floor, and read statements per GET (what reads cost the database; USER_CACHE_SIZE=0 shows it
# without the user cache). Results: bench/results/cluster-<UTC time>.json and a text
# summary on stdout (bench/report.py cluster); RELIABILITY.md explains the settings and reports a run.
#
#   bench/cluster.sh                       # POOL_MODE=transaction, RATE=200 req/s, 32 workers
#   POOL_MODE=session RATE=400 bench/cluster.sh
#
# Knobs: POOL_MODE (PgBouncer pool_mode: transaction or session), RATE, WORKERS, USERS, ROUNDS,
# STALE_ROUNDS, STALE_USERS, USER_CACHE_SIZE (the instances'),
# STEADY (seconds of the measuring window), SHUTDOWN_DELAY (the instances'
# SHUTDOWN_DELAY_SECONDS), DB_CONNECT_TIMEOUT_MS (3000), JAVA_OPTS, SKIP_BUILD=1, CLUSTER_WORK (a directory under /tmp).
# Fixed loopback ports 23000-23099: PostgreSQL 23000, PgBouncer 23001, HAProxy 23010 (stats
# 23011), instances 23021-23023. Needs the Debian packages postgresql (15), pgbouncer, haproxy.
# Everything it starts is stopped on exit, Ctrl-C included.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

POOL_MODE=${POOL_MODE:-transaction}
RATE=${RATE:-200}
WORKERS=${WORKERS:-32}
USERS=${USERS:-2000}
ROUNDS=${ROUNDS:-3}
STALE_ROUNDS=${STALE_ROUNDS:-100}
STALE_USERS=${STALE_USERS:-20}
USER_CACHE_SIZE=${USER_CACHE_SIZE:-100000}
STEADY=${STEADY:-20}
SHUTDOWN_DELAY=${SHUTDOWN_DELAY:-5}
# The harness's knob, never the instances' variable: SHUTDOWN_* is the service's family, and an
# unknown name in it stops the CLI and `serve` at start-up. They get SHUTDOWN_DELAY_SECONDS.
export -n SHUTDOWN_DELAY
# A cold JVM on a loaded 2-core host can take over a second to open its first connection.
DB_CONNECT_TIMEOUT_MS=${DB_CONNECT_TIMEOUT_MS:-3000}
JAVA_OPTS=${JAVA_OPTS:--Xms64m -Xmx160m -XX:+UseSerialGC}
WORK=${CLUSTER_WORK:-/tmp/me-cluster}
PGPORT=23000
BOUNCER_PORT=23001
LB_PORT=23010
STATS_PORT=23011
PORTS=(23021 23022 23023)
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RESULTS=$ROOT/bench/results
LOG_TAG=cluster
source bench/lib/instances.sh

[[ $POOL_MODE == transaction || $POOL_MODE == session ]] || { log "POOL_MODE: transaction or session"; exit 2; }
for tool in haproxy pgbouncer curl java python3; do
  command -v "$tool" >/dev/null || [[ -x /usr/sbin/$tool ]] || { log "$tool is missing (apt-get install -y $tool)"; exit 2; }
done
source bench/lib/postgres.sh
pg_find
ports_free $PGPORT $BOUNCER_PORT $LB_PORT $STATS_PORT "${PORTS[@]}"

# --- cleanup: only what this script started, by pid -----------------------------------------------
cleanup() {
  stop_started
  pg_stop "$WORK/pgdata"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- build, data ---------------------------------------------------------------------------------
bench_prepare "$((USERS + STALE_USERS))"
# The load's users, and the staleness probe's own (which nothing else writes).
tail -n "$STALE_USERS" "$WORK/data/tokens.txt" >"$WORK/data/stale-tokens.txt"
head -n "$USERS" "$WORK/data/tokens.txt" >"$WORK/data/load-tokens.txt"
mv "$WORK/data/load-tokens.txt" "$WORK/data/tokens.txt"
mkdir -p "$RESULTS"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

log "PostgreSQL on 127.0.0.1:$PGPORT (throw-away data dir $WORK/pgdata)"
pg_start "$WORK/pgdata" "$PGPORT" -c max_connections=200
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PGPORT" -U postgres)
"${PSQL[@]}" -d postgres -c "CREATE DATABASE cluster"
# Transaction pooling cannot carry a per-session SET: the timeout is the database's default.
"${PSQL[@]}" -d postgres -c "ALTER DATABASE cluster SET statement_timeout = 5000"
DIRECT_URL="postgresql://postgres@127.0.0.1:$PGPORT/cluster"
POOLED_URL="postgresql://postgres@127.0.0.1:$BOUNCER_PORT/cluster"

log "PgBouncer ($POOL_MODE pooling) on 127.0.0.1:$BOUNCER_PORT"
start_pgbouncer cluster "$PGPORT"

log "migrations; seed rows"
SERVICE_ENV=(HOST=127.0.0.1 DATABASE_URL="$POOLED_URL" DATABASE_POOL_MODE="$POOL_MODE"
  CLERK_JWT_KEY="$(cat "$WORK/data/issuer.pem")" CLERK_ISSUER=https://clerk.me-service.localhost
  CLERK_AUTHORIZED_PARTIES=http://localhost:3000 RATE_LIMIT_PER_SECOND=0 DB_POOL_SIZE=8
  SHUTDOWN_DELAY_SECONDS="$SHUTDOWN_DELAY" SHUTDOWN_GRACE_SECONDS=10 LOG_FORMAT=text
  TRUSTED_PROXIES=127.0.0.1 USER_CACHE_SIZE="$USER_CACHE_SIZE"
  DB_CONNECT_TIMEOUT_MS="$DB_CONNECT_TIMEOUT_MS")
[[ $POOL_MODE == transaction ]] && SERVICE_ENV+=(DATABASE_DIRECT_URL="$DIRECT_URL")

cli migrate >/dev/null
seed_users "$WORK/data" "${PSQL[@]}" -d cluster

# --- instances -----------------------------------------------------------------------------------
log "three instances on ${PORTS[*]}"
for i in 1 2 3; do start_instance "$i"; done
for i in 1 2 3; do await_ready "$i"; done

# The instances' sections (bench/lib/instances.sh says why each setting).
{
  printf 'global\n  maxconn 4096\n  log stdout format raw local0\n'
  haproxy_service_config
} >"$WORK/haproxy.cfg"
log "HAProxy on 127.0.0.1:$LB_PORT"
haproxy -db -f "$WORK/haproxy.cfg" >"$WORK/haproxy.log" 2>&1 &
PIDS[haproxy]=$!
for i in 1 2 3; do await_lb me "i$i" UP; done

# --- load ----------------------------------------------------------------------------------------
log "load: $RATE req/s from $WORKERS workers (1 PATCH in 4), $USERS users"
start_load "$WORKERS" "$RATE" "$DIRECT_URL"
sleep 10 # warm-up (JIT, pools)

# Steady window: requests each instance served (its own /metrics) per CPU-second it used.
HZ=$(getconf CLK_TCK)
ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
pg_ticks() { # the postmaster of this run and its children
  local t=0 p master; master=$(head -1 "$WORK/pgdata/postmaster.pid")
  for p in "$master" $(pgrep -P "$master"); do t=$((t + $(ticks "$p"))); done; echo $t
}
served() { curl -fs "http://127.0.0.1:$(($1 + 100))/metrics" | awk '/^http_server_requests_seconds_count/ && /route="\/v1\/me"/ {s += $2} END {printf "%d", s}'; }
phase steady start
declare -A T0 R0
for i in 1 2 3; do T0[$i]=$(ticks "${PIDS[i$i]}"); R0[$i]=$(served "${PORTS[$((i - 1))]}"); done
PG0=$(pg_ticks); PB0=$(ticks "${PIDS[pgbouncer]}"); HA0=$(ticks "${PIDS[haproxy]}"); LD0=$(ticks "$LOAD_PID")
BUSY0=$(awk '/^cpu /{print $2+$3+$4+$7+$8, $2+$3+$4+$5+$6+$7+$8}' /proc/stat)
sleep "$STEADY"
STEADY_JSON="{"
for i in 1 2 3; do
  t=$(( $(ticks "${PIDS[i$i]}") - T0[$i] )); r=$(( $(served "${PORTS[$((i - 1))]}") - R0[$i] ))
  STEADY_JSON+="\"i$i\":{\"requests\":$r,\"cpu_seconds\":$(awk -v t="$t" -v hz="$HZ" 'BEGIN{printf "%.2f", t/hz}')},"
done
BUSY1=$(awk '/^cpu /{print $2+$3+$4+$7+$8, $2+$3+$4+$5+$6+$7+$8}' /proc/stat)
STEADY_JSON+="\"postgres_cpu_seconds\":$(awk -v t="$(( $(pg_ticks) - PG0 ))" -v hz="$HZ" 'BEGIN{printf "%.2f", t/hz}'),"
STEADY_JSON+="\"pgbouncer_cpu_seconds\":$(awk -v t="$(( $(ticks "${PIDS[pgbouncer]}") - PB0 ))" -v hz="$HZ" 'BEGIN{printf "%.2f", t/hz}'),"
STEADY_JSON+="\"haproxy_cpu_seconds\":$(awk -v t="$(( $(ticks "${PIDS[haproxy]}") - HA0 ))" -v hz="$HZ" 'BEGIN{printf "%.2f", t/hz}'),"
STEADY_JSON+="\"load_client_cpu_seconds\":$(awk -v t="$(( $(ticks "$LOAD_PID") - LD0 ))" -v hz="$HZ" 'BEGIN{printf "%.2f", t/hz}'),"
STEADY_JSON+="\"machine_busy\":$(echo "$BUSY0 $BUSY1" | awk '{printf "%.3f", ($3-$1)/($4-$2)}'),\"seconds\":$STEADY}"
phase steady end
log "steady: $STEADY_JSON"

# Idle (no requests): PostgreSQL's floor, the instances' listener pings and its own background work.
touch "$WORK/paused"
sleep 3
PG0=$(pg_ticks)
sleep "$STEADY"
IDLE_CPU=$(awk -v t="$(( $(pg_ticks) - PG0 ))" -v hz="$HZ" 'BEGIN{printf "%.2f", t/hz}')
rm -f "$WORK/paused"
# GETs only: what reads cost PostgreSQL, over the idle floor; and the read statements they took.
read_batches() { curl -fs "http://127.0.0.1:$(($1 + 100))/metrics" | awk '/^db_read_batch_size_count/ {s += $2} END {printf "%d", s}'; }
touch "$WORK/reads-only"
sleep 10 # the caches refill after the mixed load's last announcements
R0=0; B0=0; for i in 1 2 3; do R0=$((R0 + $(served "${PORTS[$((i - 1))]}"))); B0=$((B0 + $(read_batches "${PORTS[$((i - 1))]}"))); done
PG0=$(pg_ticks)
sleep "$STEADY"
R1=0; B1=0; for i in 1 2 3; do R1=$((R1 + $(served "${PORTS[$((i - 1))]}"))); B1=$((B1 + $(read_batches "${PORTS[$((i - 1))]}"))); done
READS_JSON="{\"gets\":$((R1 - R0)),\"read_statements\":$((B1 - B0)),\"postgres_cpu_seconds\":$(awk -v t="$(( $(pg_ticks) - PG0 ))" -v hz="$HZ" 'BEGIN{printf "%.2f", t/hz}'),\"idle_postgres_cpu_seconds\":$IDLE_CPU,\"seconds\":$STEADY}"
rm -f "$WORK/reads-only"
log "reads only: $READS_JSON"

# (a) rolling restart
phase rolling start
for i in 1 2 3; do
  log "rolling: SIGTERM instance $i"
  pid=${PIDS[i$i]}
  t0=$(now_ms)
  kill -TERM "$pid"
  await_lb me "i$i" DOWN
  t_down=$(now_ms)
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  t_exit=$(now_ms)
  start_instance "$i"
  await_ready "$i"
  await_lb me "i$i" UP
  log "rolling: instance $i out of rotation after $((t_down - t0)) ms, exited after $((t_exit - t0)) ms, back UP after $(($(now_ms) - t0)) ms"
done
phase rolling end
sleep 5

# (b) SIGKILL
phase kill start
log "kill: SIGKILL instance 2"
kill -KILL "${PIDS[i2]}"
KILL_MS=$(now_ms)
await_lb me i2 DOWN
log "kill: HAProxy marked it DOWN after $(($(now_ms) - KILL_MS)) ms"
sleep 3
start_instance 2
await_ready 2
await_lb me i2 UP
phase kill end
sleep 5

# (c) revocation, under load, while all three serve the key
phase revoke start
REVOCATIONS=()
for round in $(seq "$ROUNDS"); do
  result=$(revocation_round "$round" "$DIRECT_URL") || exit 1
  log "revoke round $round: $result"
  REVOCATIONS+=("$result")
done
phase revoke end
sleep 2

# (d) cross-instance staleness of the user cache, under the load
phase staleness start
STALENESS_JSON=$(java bench/tools/Staleness.java "$WORK/data/stale-tokens.txt" "$(IFS=,; echo "${PORTS[*]}")" "$STALE_ROUNDS")
log "staleness: $STALENESS_JSON"
phase staleness end

log "stopping the load; checking acknowledged writes against the database"
stop_load
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# --- report ------------------------------------------------------------------------------------
OUT=$RESULTS/cluster-$STAMP.json
python3 bench/report.py cluster "$WORK" "$OUT" "$POOL_MODE" "$RATE" "$WORKERS" "$SHUTDOWN_DELAY" "$LOAD_BEFORE" "$LOAD_AFTER" \
  "$STEADY_JSON" "$READS_JSON" "$STALENESS_JSON" "$USER_CACHE_SIZE" "${REVOCATIONS[@]}"
