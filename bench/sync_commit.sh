#!/usr/bin/env bash
# What reads from a standby cost PATCH (not in CI, about 5 minutes): with DATABASE_READ_URL set,
# write connections wait until the synchronous standby has applied each commit
# (`synchronous_commit = remote_apply`, docs/operations.md "Replicated PostgreSQL and failover"), so a GET
# there sees every acknowledged PATCH. A primary with `synchronous_standby_names = '*'` and a
# streaming standby (pg_basebackup) on loopback; `serve` at its defaults with the image's JVM
# options in three modes, interleaved ROUNDS times: `async` (no synchronous standby: the commit
# waits for the local WAL flush only), `sync` (synchronous_standby_names = '*' and the default
# synchronous_commit = on: it also waits for the standby's flush, what Patroni's synchronous_mode
# gives) and `remote_apply` (sync plus DATABASE_READ_URL, so the service's write sessions wait for
# the standby to apply). wrk PATCH /v1/me at each of CONNS for DURATION s (bench/wrk/me.lua).
# Prints req/s and p99 per run and the ratios.
#
#   bench/sync_commit.sh                 # CONNS="16 64", DURATION=15, ROUNDS=2, USERS=10000
# Fixed loopback ports 25001 (primary), 25002 (standby), 25080/25081 (service).
set -euo pipefail
cd "$(dirname "$0")/.."
CONNS=${CONNS:-16 64}
DURATION=${DURATION:-15}
ROUNDS=${ROUNDS:-2}
USERS=${USERS:-10000}
WORK=/tmp/me-sync-commit
PRIMARY=25001 STANDBY=25002 PORT=25080 MANAGEMENT_PORT=25081
log() { printf '[sync %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
source bench/lib/postgres.sh
source bench/lib/image.sh
pg_find
JAVA_OPTS="$(image_java_opts) -XX:MaxRAM=512m"
SERVICE_PID=""
cleanup() {
  [[ -n $SERVICE_PID ]] && kill "$SERVICE_PID" 2>/dev/null && wait "$SERVICE_PID" 2>/dev/null || true
  pg_stop "$WORK/standby"; pg_stop "$WORK/primary"
}
trap cleanup EXIT
[[ ${SKIP_BUILD:-0} == 1 && -f target/me-service.jar ]] || mvn -B -ntp -q package -DskipTests
rm -rf "$WORK"; mkdir -p "$WORK"; chmod 755 "$WORK"; [[ $(id -u) == 0 ]] && chown postgres "$WORK"

log "primary on $PRIMARY (synchronous_standby_names = '*'), standby on $STANDBY"
pg_start "$WORK/primary" "$PRIMARY" -c wal_level=replica -c max_wal_senders=5 -c "synchronous_standby_names='*'"
as_pg "$PGBIN/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY" -U postgres -D "$WORK/standby" -R -X stream -c fast
as_pg "$PGBIN/pg_ctl" -D "$WORK/standby" -l "$WORK/standby.log" -w start -o "-p $STANDBY -k $WORK -c listen_addresses=127.0.0.1" >/dev/null
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PRIMARY" -U postgres)
"${PSQL[@]}" -d postgres -c "CREATE DATABASE bench"
DB="postgresql://postgres@127.0.0.1:$PRIMARY/bench"
DATABASE_URL=$DB DB_CONNECT_TIMEOUT_MS=10000 LOG_FORMAT=text java -jar target/me-service.jar migrate >/dev/null
java -cp target/me-service.jar:target/me-service-dev.jar bench/tools/MintTokens.java "$USERS" "$USERS" "$WORK/data"
"${PSQL[@]}" -d bench -c "CREATE TEMP TABLE seed (n int, id uuid, clerk_user_id text)" \
  -c "\\copy seed FROM '$WORK/data/users.csv' WITH (FORMAT csv)" \
  -c "INSERT INTO users (id, clerk_user_id, preferences) SELECT id, clerk_user_id, '{\"timezone\": \"UTC\"}' FROM seed"

serve() { # READ_URL (empty: none)
  env HOST=127.0.0.1 PORT=$PORT MANAGEMENT_PORT=$MANAGEMENT_PORT DATABASE_URL="$DB" \
    ${1:+DATABASE_READ_URL="$1"} CLERK_JWT_KEY="$(cat "$WORK/data/issuer.pem")" \
    CLERK_ISSUER=https://clerk.me-service.localhost CLERK_AUTHORIZED_PARTIES=http://localhost:3000 \
    RATE_LIMIT_PER_SECOND=0 java $JAVA_OPTS -jar target/me-service.jar serve >>"$WORK/service.log" 2>&1 &
  SERVICE_PID=$!
  for _ in $(seq 300); do curl -fs -o /dev/null "http://127.0.0.1:$PORT/health/ready" && return 0; sleep 0.2; done
  log "service not ready"; exit 1
}
stop() { kill "$SERVICE_PID"; wait "$SERVICE_PID" 2>/dev/null || true; SERVICE_PID=""; }
patch() { # CONNS SECONDS: prints "req/s p99_ms"
  wrk -t 2 -c "$1" -d "${2}s" --timeout 5s -s bench/wrk/me.lua "http://127.0.0.1:$PORT/v1/me" -- PATCH "$WORK/data/tokens.txt" \
    | sed -n 's/^WRK_JSON //p' | python3 -c 'import json,sys; d=json.load(sys.stdin); print("%.0f %.1f %d" % (d["requests"]*1e6/d["duration_us"], d["p99_us"]/1000, d["non_2xx"]))'
}
declare -A SUM P99
for round in $(seq "$ROUNDS"); do
  for mode in async sync remote_apply; do
    read_url=""; [[ $mode == remote_apply ]] && read_url="postgresql://postgres@127.0.0.1:$STANDBY/bench"
    standbys="'*'"; [[ $mode == async ]] && standbys="''"
    "${PSQL[@]}" -d postgres -c "ALTER SYSTEM SET synchronous_standby_names = $standbys" -c "SELECT pg_reload_conf()" >/dev/null
    serve "$read_url"
    patch 64 5 >/dev/null # warm-up
    for c in $CONNS; do
      read -r rps p99 bad <<<"$(patch "$c" "$DURATION")"
      log "round $round $mode c=$c: $rps PATCH/s, p99 $p99 ms, non-2xx $bad"
      SUM[$mode-$c]=$(( ${SUM[$mode-$c]:-0} + rps ))
      P99[$mode-$c]="${P99[$mode-$c]:-}$p99 "
    done
    stop
  done
done
for c in $CONNS; do
  awk -v a="${SUM[async-$c]}" -v s="${SUM[sync-$c]}" -v b="${SUM[remote_apply-$c]}" -v c="$c" -v r="$ROUNDS" \
    -v pa="${P99[async-$c]}" -v ps="${P99[sync-$c]}" -v pb="${P99[remote_apply-$c]}" \
    'BEGIN {printf "c=%s: async %.0f PATCH/s (p99 ms %s), sync %.0f (%s) = %.2fx async, remote_apply %.0f (%s) = %.2fx sync, %.2fx async\n", c, a/r, pa, s/r, ps, s/a, b/r, pb, b/s, b/a}'
done
