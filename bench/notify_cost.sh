#!/usr/bin/env bash
# What announcing a user's change costs PATCH (not in CI, about 6 minutes). A transaction that
# NOTIFYs takes one database-wide lock at commit and holds it until its commit record is flushed,
# so notifying writers commit one at a time (migration V5). The service therefore announces its
# PATCH after the commit, in a transaction that waits for no flush (UserSql.ANNOUNCE_USER_CHANGE);
# other writers are announced by the trigger inside their transaction. Measured on one PostgreSQL
# (durable defaults) with a running `serve` listening as in production, at each of CONNS for
# DURATION s, interleaved ROUNDS times:
#   PATCH    wrk PATCH /v1/me (bench/wrk/me.lua), the service as it is;
#   after    pgbench running what the service runs per PATCH (bench/pgbench/patch_preferences.sql:
#            the marked upsert, then the announcement);
#   inside   pgbench running the upsert unmarked, so the trigger notifies inside it (every other
#            writer's cost, and what the PATCH would cost announcing inside its transaction);
#   none     pgbench running the unmarked upsert with the trigger disabled: no announcement at all.
# Prints req/s or tx/s (and p99 for PATCH) per run and the ratios.
#
#   bench/notify_cost.sh                 # CONNS="16 64 256", DURATION=15, ROUNDS=2, USERS=10000
# Knobs: CONNS, DURATION, ROUNDS, USERS, SKIP_BUILD=1. The set-up is bench/lib's (jar.sh,
# postgres.sh, users.sh, service.sh), as bench/run.sh's. Fixed loopback ports 25011 (PostgreSQL),
# 25090/25091 (service).
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
source bench/lib/jar.sh
source bench/lib/users.sh
source bench/lib/service.sh
pg_find
JAVA_OPTS="$(image_java_opts) -XX:MaxRAM=512m"
cleanup() {
  service_stop
  pg_stop "$WORK/pgdata"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
ports_free $PGPORT $PORT $MANAGEMENT_PORT
jar_build
pg_workdir "$WORK"
jar_copy "$WORK"

pg_start "$WORK/pgdata" "$PGPORT" -c max_connections=400
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PGPORT" -U postgres)
"${PSQL[@]}" -d postgres -c "CREATE DATABASE bench"
DB="postgresql://postgres@127.0.0.1:$PGPORT/bench"
db_migrate "$DB" "$WORK/migrate.log"
mint_users "$USERS" "$USERS" "$WORK/data"
seed_users "$WORK/data" "${PSQL[@]}" -d bench
service_start "$DB" "$WORK/data" "$WORK/service.log" RATE_LIMIT_PER_SECOND=0 || { log "service not ready"; exit 1; }

trigger() { "${PSQL[@]}" -d bench -c "ALTER TABLE users $1 TRIGGER users_changed"; }
# The unmarked upsert alone: the service's statement without the mark and without the announcement.
sed -e "s/ FROM (SELECT set_config('me_service.announced_after_commit', 'on', true)) AS after_commit//" \
  -e '/pg_notify/d' bench/pgbench/patch_preferences.sql >"$WORK/upsert_unmarked.sql"
grep -q announced_after_commit "$WORK/upsert_unmarked.sql" && { log "could not unmark the upsert"; exit 1; }
patch() { # CONNS SECONDS: prints "req/s p99_ms non_2xx"
  wrk_summary PATCH "$1" "$2" "$WORK/data/tokens.txt"
}
upsert() { # SCRIPT CONNS SECONDS: prints "tx/s"
  pgbench -h 127.0.0.1 -p "$PGPORT" -U postgres -n -M prepared -c "$2" -j 2 -T "$3" \
    -f "$1" -D loaded=0 -D users="$USERS" \
    -D 'set0={"timezone": "Europe/Paris"}' -D 'set1={"timezone": "America/New_York"}' -D 'clear={}' bench 2>"$WORK/pgbench.err" \
    | sed -n 's/^tps = \([0-9.]*\) .*/\1/p' | cut -d. -f1 | grep . || { log "pgbench failed: $(tail -3 "$WORK/pgbench.err")"; exit 1; }
}
patch 64 5 >/dev/null # warm-up
declare -A SUM P99
for round in $(seq "$ROUNDS"); do
  for c in $CONNS; do
    read -r rps p99 bad <<<"$(patch "$c" "$DURATION")"
    after=$(upsert bench/pgbench/patch_preferences.sql "$c" "$DURATION")
    inside=$(upsert "$WORK/upsert_unmarked.sql" "$c" "$DURATION")
    trigger DISABLE
    none=$(upsert "$WORK/upsert_unmarked.sql" "$c" "$DURATION")
    trigger ENABLE
    log "round $round c=$c: PATCH $rps/s p99 $p99 ms non-2xx $bad; pgbench tx/s: after $after, inside $inside, none $none"
    for k in PATCH after inside none; do
      v=$rps; [[ $k == after ]] && v=$after; [[ $k == inside ]] && v=$inside; [[ $k == none ]] && v=$none
      SUM[$k-$c]=$(( ${SUM[$k-$c]:-0} + v ))
    done
    P99[$c]="${P99[$c]:-}$p99 "
  done
done
for c in $CONNS; do
  awk -v p="${SUM[PATCH-$c]}" -v a="${SUM[after-$c]}" -v i="${SUM[inside-$c]}" -v n="${SUM[none-$c]}" \
    -v pp="${P99[$c]}" -v c="$c" -v r="$ROUNDS" \
    'BEGIN {printf "c=%s: PATCH %.0f/s (p99 ms %s) = %.2fx pgbench after; pgbench after %.0f, inside %.0f, none %.0f tx/s: after = %.2fx none, inside = %.2fx none\n", c, p/r, pp, p/a, a/r, i/r, n/r, a/n, i/n}'
done
