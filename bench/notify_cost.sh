#!/usr/bin/env bash
# What announcing a user's change costs PATCH (not in CI, about 4 minutes). Every write of a user
# row sends one NOTIFY from the `users_changed` trigger (migration V4), which PostgreSQL serialises
# at commit (one global lock on the notification queue), so it is measured under PATCH load:
# one PostgreSQL (durable defaults) with the service listening as in production, `serve` at its
# defaults with the image's JVM options, wrk PATCH /v1/me at each of CONNS for DURATION s
# (bench/wrk/me.lua), the trigger enabled and disabled in turn (ALTER TABLE ... DISABLE TRIGGER),
# interleaved ROUNDS times on the same running service; and pgbench running the service's upsert
# (bench/pgbench/patch_preferences.sql) the same way, the database alone. Prints req/s (and p99)
# per run and the ratios.
#
#   bench/notify_cost.sh                 # CONNS="16 64 256", DURATION=15, ROUNDS=2, USERS=10000
# Fixed loopback ports 25011 (PostgreSQL), 25090/25091 (service).
set -euo pipefail
cd "$(dirname "$0")/.."
CONNS=${CONNS:-16 64 256}
DURATION=${DURATION:-15}
ROUNDS=${ROUNDS:-2}
USERS=${USERS:-10000}
WORK=/tmp/me-notify-cost
PGPORT=25011 PORT=25090 MANAGEMENT_PORT=25091
log() { printf '[notify %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
source bench/lib/postgres.sh
source bench/lib/image.sh
pg_find
JAVA_OPTS="$(image_java_opts) -XX:MaxRAM=512m"
SERVICE_PID=""
cleanup() {
  [[ -n $SERVICE_PID ]] && kill "$SERVICE_PID" 2>/dev/null && wait "$SERVICE_PID" 2>/dev/null || true
  pg_stop "$WORK/pgdata"
}
trap cleanup EXIT
[[ ${SKIP_BUILD:-0} == 1 && -f target/me-service.jar ]] || mvn -B -ntp -q package -DskipTests
rm -rf "$WORK"; mkdir -p "$WORK"; chmod 755 "$WORK"; [[ $(id -u) == 0 ]] && chown postgres "$WORK"

pg_start "$WORK/pgdata" "$PGPORT" -c max_connections=400
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PGPORT" -U postgres)
"${PSQL[@]}" -d postgres -c "CREATE DATABASE bench"
DB="postgresql://postgres@127.0.0.1:$PGPORT/bench"
DATABASE_URL=$DB DB_CONNECT_TIMEOUT_MS=10000 LOG_FORMAT=text java -jar target/me-service.jar migrate >/dev/null
java -cp target/me-service.jar:target/me-service-dev.jar bench/tools/MintTokens.java "$USERS" "$USERS" "$WORK/data"
"${PSQL[@]}" -d bench -c "CREATE TABLE bench_users (n int PRIMARY KEY, id uuid NOT NULL, clerk_user_id text NOT NULL)" \
  -c "\\copy bench_users FROM '$WORK/data/users.csv' WITH (FORMAT csv)" \
  -c "INSERT INTO users (id, clerk_user_id, preferences) SELECT id, clerk_user_id, '{\"timezone\": \"UTC\"}' FROM bench_users"

env HOST=127.0.0.1 PORT=$PORT MANAGEMENT_PORT=$MANAGEMENT_PORT DATABASE_URL="$DB" \
  CLERK_JWT_KEY="$(cat "$WORK/data/issuer.pem")" \
  CLERK_ISSUER=https://clerk.me-service.localhost CLERK_AUTHORIZED_PARTIES=http://localhost:3000 \
  RATE_LIMIT_PER_SECOND=0 java $JAVA_OPTS -jar target/me-service.jar serve >>"$WORK/service.log" 2>&1 &
SERVICE_PID=$!
for _ in $(seq 300); do curl -fs -o /dev/null "http://127.0.0.1:$PORT/health/ready" && break; sleep 0.2; done
curl -fs -o /dev/null "http://127.0.0.1:$PORT/health/ready" || { log "service not ready"; exit 1; }

trigger() { "${PSQL[@]}" -d bench -c "ALTER TABLE users $1 TRIGGER users_changed"; }
patch() { # CONNS SECONDS: prints "req/s p99_ms non_2xx"
  wrk -t 2 -c "$1" -d "${2}s" --timeout 5s -s bench/wrk/me.lua "http://127.0.0.1:$PORT/v1/me" -- PATCH "$WORK/data/tokens.txt" \
    | sed -n 's/^WRK_JSON //p' | python3 -c 'import json,sys; d=json.load(sys.stdin); print(f"{d[\"requests\"]*1e6/d[\"duration_us\"]:.0f} {d[\"p99_us\"]/1000:.1f} {d[\"non_2xx\"]}")'
}
upsert() { # CONNS SECONDS: prints "tx/s"
  pgbench -h 127.0.0.1 -p "$PGPORT" -U postgres -n -M prepared -c "$1" -j 2 -T "$2" \
    -f bench/pgbench/patch_preferences.sql -D loaded=0 -D users="$USERS" \
    -D 'set0={"timezone": "Europe/Paris"}' -D 'set1={"timezone": "America/New_York"}' -D 'clear={}' bench 2>/dev/null \
    | sed -n 's/^tps = \([0-9.]*\) .*/\1/p' | cut -d. -f1
}
patch 64 5 >/dev/null # warm-up
declare -A SUM P99 TX
for round in $(seq "$ROUNDS"); do
  for mode in notify silent; do
    trigger "$([[ $mode == notify ]] && echo ENABLE || echo DISABLE)"
    for c in $CONNS; do
      read -r rps p99 bad <<<"$(patch "$c" "$DURATION")"
      tx=$(upsert "$c" "$DURATION")
      log "round $round $mode c=$c: PATCH $rps/s p99 $p99 ms non-2xx $bad; pgbench upsert $tx tx/s"
      SUM[$mode-$c]=$(( ${SUM[$mode-$c]:-0} + rps ))
      TX[$mode-$c]=$(( ${TX[$mode-$c]:-0} + tx ))
      P99[$mode-$c]="${P99[$mode-$c]:-}$p99 "
    done
  done
done
trigger ENABLE
for c in $CONNS; do
  awk -v n="${SUM[notify-$c]}" -v s="${SUM[silent-$c]}" -v tn="${TX[notify-$c]}" -v ts="${TX[silent-$c]}" \
    -v pn="${P99[notify-$c]}" -v ps="${P99[silent-$c]}" -v c="$c" -v r="$ROUNDS" \
    'BEGIN {printf "c=%s: PATCH with NOTIFY %.0f/s (p99 ms %s), without %.0f/s (%s) = %.2fx; pgbench upsert with %.0f tx/s, without %.0f = %.2fx\n", c, n/r, pn, s/r, ps, n/s, tn/r, ts/r, tn/ts}'
done
