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
# Knobs: CONNS, DURATION, ROUNDS, USERS, SKIP_BUILD=1. The set-up is bench/lib's (jar.sh,
# postgres.sh, users.sh, service.sh), as bench/run.sh's. Fixed loopback ports 25001 (primary),
# 25002 (standby), 25080/25081 (service).
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
source bench/lib/jar.sh
source bench/lib/users.sh
source bench/lib/service.sh
pg_find
JAVA_OPTS="$(image_java_opts) -XX:MaxRAM=512m"
cleanup() {
  service_stop
  pg_stop "$WORK/standby"; pg_stop "$WORK/primary"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
ports_free $PRIMARY $STANDBY $PORT $MANAGEMENT_PORT
jar_build
pg_workdir "$WORK"
jar_copy "$WORK"

log "primary on $PRIMARY (synchronous_standby_names = '*'), standby on $STANDBY"
pg_start "$WORK/primary" "$PRIMARY" -c wal_level=replica -c max_wal_senders=5 -c "synchronous_standby_names='*'"
as_pg "$PGBIN/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY" -U postgres -D "$WORK/standby" -R -X stream -c fast
as_pg "$PGBIN/pg_ctl" -D "$WORK/standby" -l "$WORK/standby.log" -w start -o "-p $STANDBY -k $WORK -c listen_addresses=127.0.0.1" >/dev/null
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PRIMARY" -U postgres)
"${PSQL[@]}" -d postgres -c "CREATE DATABASE bench"
DB="postgresql://postgres@127.0.0.1:$PRIMARY/bench"
db_migrate "$DB" "$WORK/migrate.log"
mint_users "$USERS" "$USERS" "$WORK/data"
seed_users "$WORK/data" "${PSQL[@]}" -d bench

serve() { # READ_URL (empty: none)
  service_start "$DB" "$WORK/data" "$WORK/service.log" RATE_LIMIT_PER_SECOND=0 ${1:+DATABASE_READ_URL="$1"} \
    || { log "service not ready"; exit 1; }
}
patch() { # CONNS SECONDS: prints "req/s p99_ms non_2xx"
  wrk_summary PATCH "$1" "$2" "$WORK/data/tokens.txt"
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
    service_stop
  done
done
for c in $CONNS; do
  awk -v a="${SUM[async-$c]}" -v s="${SUM[sync-$c]}" -v b="${SUM[remote_apply-$c]}" -v c="$c" -v r="$ROUNDS" \
    -v pa="${P99[async-$c]}" -v ps="${P99[sync-$c]}" -v pb="${P99[remote_apply-$c]}" \
    'BEGIN {printf "c=%s: async %.0f PATCH/s (p99 ms %s), sync %.0f (%s) = %.2fx async, remote_apply %.0f (%s) = %.2fx sync, %.2fx async\n", c, a/r, pa, s/r, ps, s/a, b/r, pb, b/s, b/a}'
done
