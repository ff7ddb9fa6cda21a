#!/usr/bin/env bash
# Unauthenticated load: normal traffic (valid session tokens doing GET and PATCH /v1/me at an
# open rate, and one load balancer probing /health/ready every 200 ms) first alone, then next to
# a flood of failing credentials (random well-formed `mek_` keys, garbage and forged tokens from
# a few client addresses) and of readiness probes. Reports the normal traffic's latency and
# errors in both phases.
#
#   bench/flood.sh                              # builds the jars, 20 s per phase
#   JAR=/tmp/old.jar LABEL=before bench/flood.sh   # the same run on another build
#
# The service runs as behind a load balancer on loopback (TRUSTED_PROXIES=127.0.0.1; each wrk
# request names its client in X-Forwarded-For: 200 ordinary addresses for the normal traffic,
# 4 for the flood). Starts its own PostgreSQL (durable defaults, loopback only, data under
# $BENCH_WORK); seeds users and mints RS256 tokens as bench/run.sh does (bench/lib). Writes
# bench/results/flood-<UTC time>.json and .txt (bench/report.py flood). Everything it started is
# stopped on exit.
#
# Knobs (environment): JAR (another build's production jar to measure: it migrates and serves;
# tokens are minted with the tree's jars all the same), SKIP_BUILD=1, LABEL (a note in the
# results), DURATION, WARMUP, USERS, TOKENS, NORMAL_CONNS, NORMAL_DELAY_MS, FLOOD_CONNS,
# READY_CONNS, PORT, MANAGEMENT_PORT, PGPORT, BENCH_WORK, JAVA_OPTS, SERVICE_ENV (extra VAR=value words).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

LABEL=${LABEL:-current}
DURATION=${DURATION:-20}
WARMUP=${WARMUP:-10}
USERS=${USERS:-10000}
TOKENS=${TOKENS:-2000}
NORMAL_CONNS=${NORMAL_CONNS:-8}
NORMAL_DELAY_MS=${NORMAL_DELAY_MS:-10}
FLOOD_CONNS=${FLOOD_CONNS:-32}
READY_CONNS=${READY_CONNS:-8}
PORT=${PORT:-24080}
MANAGEMENT_PORT=${MANAGEMENT_PORT:-24081}
PGPORT=${PGPORT:-24032}
BENCH_WORK=${BENCH_WORK:-/tmp/me-service-flood}
JAVA_OPTS=${JAVA_OPTS:--Xms128m -Xmx128m -XX:+UseParallelGC}
SERVICE_ENV=${SERVICE_ENV:-}
MEASURED_JAR=${JAR:-}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RESULTS=$ROOT/bench/results
RAW=$BENCH_WORK/raw

log() { printf '[flood %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

for tool in wrk curl python3 psql; do
  command -v "$tool" >/dev/null || { log "$tool is missing (apt-get install -y wrk curl python3 postgresql-client)"; exit 2; }
done
source bench/lib/postgres.sh
pg_find
source bench/lib/jar.sh
source bench/lib/users.sh
source bench/lib/service.sh

WRK_PIDS=()
PGDATA=$BENCH_WORK/pgdata
cleanup() {
  for pid in "${WRK_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  service_stop
  pg_stop "$PGDATA"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ports_free "$PGPORT" "$PORT" "$MANAGEMENT_PORT" || { log "PGPORT=, PORT=, MANAGEMENT_PORT= choose others"; exit 2; }
jar_build
pg_workdir "$BENCH_WORK"
mkdir -p "$RAW" "$RESULTS"
jar_copy "$BENCH_WORK"
DATA=$BENCH_WORK/data
# Minted with the tree's jars, whichever build is measured: the tool compiles against them.
mint_users "$USERS" "$TOKENS" "$DATA"
if [[ -n $MEASURED_JAR ]]; then
  cp "$MEASURED_JAR" "$BENCH_WORK/measured.jar"
  JAR=$BENCH_WORK/measured.jar
fi

log "PostgreSQL on 127.0.0.1:$PGPORT"
pg_start "$PGDATA" "$PGPORT" -c max_connections=200 -c shared_preload_libraries=pg_stat_statements
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PGPORT" -U postgres)
"${PSQL[@]}" -d postgres -c "CREATE DATABASE bench"
# What each phase cost the database, counted by PostgreSQL itself (statements by text, calls).
"${PSQL[@]}" -d bench -c "CREATE EXTENSION pg_stat_statements"
DB_URL="postgresql://postgres@127.0.0.1:$PGPORT/bench"
db_migrate "$DB_URL" "$RAW/migrate.log"
seed_users "$DATA" "${PSQL[@]}" -d bench

# On a loaded machine the first connections can miss the 1 s connect bound and fail start-up: retry.
for attempt in $(seq 15); do
  log "service on 127.0.0.1:$PORT ($LABEL), attempt $attempt"
  # Per-principal limiting off: it is not what is measured, and the normal traffic stays far below it anyway.
  # shellcheck disable=SC2086
  service_start "$DB_URL" "$DATA" "$RAW/service.log" \
    RATE_LIMIT_PER_SECOND=0 TRUSTED_PROXIES=127.0.0.1 LOG_LEVEL=WARN $SERVICE_ENV && break
  [[ $attempt == 15 ]] && exit 1
  sleep 2
done

URL=http://127.0.0.1:$PORT/v1/me
wrk_run() { # NAME SECONDS THREADS CONNS MODE [DELAY_MS]: in the background, output in $RAW/NAME.txt
  wrk -t "$3" -c "$4" -d "${2}s" --timeout 5s -s bench/wrk/flood.lua "$URL" -- "$5" "$DATA/tokens.txt" "${6:-0}" \
    >"$RAW/$1.txt" 2>&1 &
  WRK_PIDS+=($!)
}
result() { sed -n 's/^WRK_JSON //p' "$RAW/$1.txt"; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

phase() { # NAME FLOOD(0|1): normal GET + PATCH + one probe, and the flood when asked
  local name=$1 flood=$2 load_before t0
  load_before=$(loadavg); t0=$(cpu_ticks "$SERVICE_PID")
  "${PSQL[@]}" -At -d bench -c "SELECT pg_stat_statements_reset()" >/dev/null
  WRK_PIDS=()
  wrk_run "$name-get" "$DURATION" 1 "$NORMAL_CONNS" get "$NORMAL_DELAY_MS"
  wrk_run "$name-patch" "$DURATION" 1 "$NORMAL_CONNS" patch "$NORMAL_DELAY_MS"
  wrk_run "$name-probe" "$DURATION" 1 1 ready 200
  if [[ $flood == 1 ]]; then
    wrk_run "$name-flood" "$DURATION" 2 "$FLOOD_CONNS" flood
    wrk_run "$name-readyflood" "$DURATION" 1 "$READY_CONNS" ready
  fi
  wait "${WRK_PIDS[@]}"
  WRK_PIDS=()
  local cpu; cpu=$(awk -v a="$t0" -v b="$(cpu_ticks "$SERVICE_PID")" -v hz="$(getconf CLK_TCK)" -v s="$DURATION" \
    'BEGIN {printf "%.2f", (b - a) / hz / s}')
  local pool; pool=$("${PSQL[@]}" -At -d bench -c "SELECT count(*) FROM pg_stat_activity WHERE datname = 'bench'")
  local statements; statements=$("${PSQL[@]}" -At -d bench -c "SELECT json_build_object(
      'api_key_lookups', coalesce(sum(calls) FILTER (WHERE query LIKE '%FROM api_keys WHERE secret_hash%'), 0),
      'pings', coalesce(sum(calls) FILTER (WHERE query = 'SELECT \$1'), 0),
      'user_reads', coalesce(sum(calls) FILTER (WHERE query LIKE 'SELECT preferences, is_staff, version FROM users%'), 0),
      'user_writes', coalesce(sum(calls) FILTER (WHERE query LIKE 'INSERT INTO users AS u (id, clerk_user_id, preferences)%'), 0))
    FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = 'bench')")
  printf '{"phase":"%s","load_before":"%s","load_after":"%s","service_cpu_cores":%s,"backends_after":%s,"statements":%s,"get":%s,"patch":%s,"probe":%s,"flood":%s,"ready_flood":%s}\n' \
    "$name" "$load_before" "$(loadavg)" "$cpu" "$pool" "$statements" "$(result "$name-get")" "$(result "$name-patch")" "$(result "$name-probe")" \
    "$([[ $flood == 1 ]] && result "$name-flood" || echo null)" "$([[ $flood == 1 ]] && result "$name-readyflood" || echo null)" \
    >>"$RAW/phases.jsonl"
  log "$name: $(tail -1 "$RAW/phases.jsonl" | python3 -c 'import json,sys; d=json.load(sys.stdin); print("GET p99 %.1f ms, PATCH p99 %.1f ms, load %s" % (d["get"]["p99_us"]/1000, d["patch"]["p99_us"]/1000, d["load_after"]))')"
}

log "warm-up ${WARMUP}s"
DURATION_SAVED=$DURATION; DURATION=$WARMUP
phase warmup 1
DURATION=$DURATION_SAVED
: >"$RAW/phases.jsonl"
phase quiet 0
phase flood 1

OUT=$RESULTS/flood-$STAMP
# The tree the harness ran from; the build measured is named by the jar's digest (JAR may be another build).
python3 bench/report.py flood "$RAW/phases.jsonl" "$OUT" "$LABEL" "$STAMP" "$(git rev-parse --short HEAD)" "$(sha256sum "$JAR" | cut -c1-12)"
log "results: ${OUT#"$ROOT"/}.json and .txt"
