#!/usr/bin/env bash
# Unauthenticated load: normal traffic (valid session tokens doing GET and PATCH /v1/me at an
# open rate, and one load balancer probing /health/ready every 200 ms) first alone, then next to
# a flood of failing credentials (random well-formed `mek_` keys, garbage and forged tokens from
# a few client addresses) and of readiness probes. Reports the normal traffic's latency and
# errors in both phases.
#
#   bench/flood.sh                              # builds the jar, 20 s per phase
#   JAR=/tmp/old.jar LABEL=before bench/flood.sh   # the same run on another build
#
# The service runs as behind a load balancer on loopback (TRUSTED_PROXIES=127.0.0.1; each wrk
# request names its client in X-Forwarded-For: 200 ordinary addresses for the normal traffic,
# 4 for the flood). Starts its own PostgreSQL (durable defaults, loopback only, data under
# $BENCH_WORK); seeds users and mints RS256 tokens as bench/run.sh does. Writes
# bench/results/flood-<label>-<time>.json and .txt. Everything it started is stopped on exit.
#
# Knobs (environment): JAR, MINT_JAR (the jar bench/tools/MintTokens.java compiles against; default
# JAR, set it to target/me-service.jar when JAR is a build older than the bench tools), LABEL, DURATION, WARMUP, USERS, TOKENS, NORMAL_CONNS, NORMAL_DELAY_MS,
# FLOOD_CONNS, READY_CONNS, PORT, PGPORT, BENCH_WORK, JAVA_OPTS, SERVICE_ENV (extra VAR=value words).
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
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RESULTS=$ROOT/bench/results
RAW=$BENCH_WORK/raw

log() { printf '[flood %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

for tool in wrk curl python3 psql; do
  command -v "$tool" >/dev/null || { log "$tool is missing (apt-get install -y wrk curl python3 postgresql-client)"; exit 2; }
done
source bench/lib/postgres.sh
pg_find

SERVICE_PID=""
WRK_PIDS=()
PGDATA=$BENCH_WORK/pgdata
cleanup() {
  for pid in "${WRK_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [[ -n $SERVICE_PID ]] && kill -0 "$SERVICE_PID" 2>/dev/null; then
    kill "$SERVICE_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$SERVICE_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$SERVICE_PID" 2>/dev/null || true
  fi
  pg_stop "$PGDATA"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ -z ${JAR:-} ]]; then
  log "building the jar"
  mvn -B -ntp -q package -DskipTests
  JAR=target/me-service.jar
fi
[[ $BENCH_WORK == /tmp/?* ]] || { log "BENCH_WORK must be a directory under /tmp"; exit 2; }
rm -rf "$BENCH_WORK"
mkdir -p "$RAW" "$RESULTS"
chmod 755 "$BENCH_WORK"
[[ $(id -u) == 0 ]] && chown postgres "$BENCH_WORK"
cp "$JAR" "$BENCH_WORK/me-service.jar"
cp "${MINT_JAR:-$JAR}" "$BENCH_WORK/mint.jar"
# LocalIssuer (token minting) lives in the dev jar of newer builds; older jars carry it themselves.
MINT_CP=$BENCH_WORK/mint.jar
if [[ -f target/me-service-dev.jar ]]; then
  cp target/me-service-dev.jar "$BENCH_WORK/me-service-dev.jar"
  MINT_CP=$MINT_CP:$BENCH_WORK/me-service-dev.jar
fi
JAR=$BENCH_WORK/me-service.jar
if (echo >"/dev/tcp/127.0.0.1/$PGPORT") 2>/dev/null || (echo >"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
  log "port $PGPORT or $PORT is already in use (PGPORT=/PORT= to choose others)"; exit 2
fi

log "PostgreSQL on 127.0.0.1:$PGPORT"
pg_start "$PGDATA" "$PGPORT" -c max_connections=200 -c shared_preload_libraries=pg_stat_statements
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PGPORT" -U postgres)
"${PSQL[@]}" -d postgres -c "CREATE DATABASE bench"
# What each phase cost the database, counted by PostgreSQL itself (statements by text, calls).
"${PSQL[@]}" -d bench -c "CREATE EXTENSION pg_stat_statements"
DB_URL="postgresql://postgres@127.0.0.1:$PGPORT/bench"
DATA=$BENCH_WORK/data
# A generous connect bound: the machine may be loaded by other work.
DATABASE_URL=$DB_URL DB_CONNECT_TIMEOUT_MS=10000 LOG_FORMAT=text java -jar "$JAR" migrate >"$RAW/migrate.log"
java -cp "$MINT_CP" bench/tools/MintTokens.java "$USERS" "$TOKENS" "$DATA"
"${PSQL[@]}" -d bench \
  -c "CREATE TABLE bench_users (n int PRIMARY KEY, id uuid NOT NULL, clerk_user_id text NOT NULL)" \
  -c "\\copy bench_users FROM '$DATA/users.csv' WITH (FORMAT csv)" \
  -c "INSERT INTO users (id, clerk_user_id, preferences) SELECT id, clerk_user_id, '{\"timezone\": \"UTC\"}' FROM bench_users" \
  -c "VACUUM ANALYZE" -c "CHECKPOINT"

start_service() { # 0 once it answers a valid token; 1 if it exited (its log in $RAW/service.log)
  # Per-principal limiting off: it is not what is measured, and the normal traffic stays far below it anyway.
  # shellcheck disable=SC2086
  env HOST=127.0.0.1 PORT="$PORT" MANAGEMENT_PORT="$MANAGEMENT_PORT" DATABASE_URL="$DB_URL" CLERK_JWT_KEY="$(cat "$DATA/issuer.pem")" \
    CLERK_ISSUER=https://clerk.me-service.localhost CLERK_AUTHORIZED_PARTIES=http://localhost:3000 \
    RATE_LIMIT_PER_SECOND=0 TRUSTED_PROXIES=127.0.0.1 LOG_LEVEL=WARN $SERVICE_ENV \
    java $JAVA_OPTS -jar "$JAR" serve >"$RAW/service.log" 2>&1 &
  SERVICE_PID=$!
  local token; token=$(head -1 "$DATA/tokens.txt")
  for _ in $(seq 300); do
    curl -fs -o /dev/null -H "Authorization: Bearer $token" "http://127.0.0.1:$PORT/v1/me" && return 0
    kill -0 "$SERVICE_PID" 2>/dev/null || return 1
    sleep 0.2
  done
  return 1
}
# On a loaded machine the first connections can miss the 1 s connect bound and fail start-up: retry.
for attempt in $(seq 15); do
  log "service on 127.0.0.1:$PORT ($LABEL), attempt $attempt"
  start_service && break
  tail -1 "$RAW/service.log" >&2
  kill "$SERVICE_PID" 2>/dev/null || true
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

OUT=$RESULTS/flood-$LABEL-$STAMP
# The tree the harness ran from; the build measured is named by the jar's digest (JAR may be another build).
python3 - "$RAW/phases.jsonl" "$OUT" "$LABEL" "$STAMP" "$(git rev-parse --short HEAD)" "$(sha256sum "$JAR" | cut -c1-12)" <<'EOF'
import json, os, subprocess, sys
phases = [json.loads(line) for line in open(sys.argv[1])]
out, label, stamp, commit, jar = sys.argv[2:7]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
config = {k: os.environ.get(k) for k in ("DURATION", "NORMAL_CONNS", "NORMAL_DELAY_MS", "FLOOD_CONNS", "READY_CONNS", "SERVICE_ENV")}
doc = {"label": label, "stamp": stamp, "tree_commit": commit, "jar_sha256": jar, "cpu": cpu, "cores": os.cpu_count(), "phases": phases}
json.dump(doc, open(out + ".json", "w"), indent=1)

def errors(w):
    return w["status_401"] + w["status_429"] + w["status_503"] + w["status_other"] + w["connect_errors"] + w["read_errors"] + w["write_errors"] + w["timeouts"]

lines = [f"flood benchmark '{label}' {stamp} (jar sha256 {jar}, harness at {commit}, {cpu}, {os.cpu_count()} cores)", ""]
for p in phases:
    secs = p["get"]["duration_us"] / 1e6
    lines.append(f"phase {p['phase']}: load average {p['load_before']} -> {p['load_after']}, service CPU {p['service_cpu_cores']} cores, {p['backends_after']} backends")
    st = p.get("statements") or {}
    lines.append(f"  statements run by PostgreSQL: {st.get('api_key_lookups')} API-key lookups, {st.get('pings')} SELECT 1 (the revocation listener's heartbeat included), {st.get('user_reads')} user reads, {st.get('user_writes')} user writes")
    for kind in ("get", "patch"):
        w = p[kind]
        lines.append(f"  normal {kind.upper():5} {w['requests']/secs:7.0f} req/s  p50 {w['p50_us']/1000:7.2f} ms  p99 {w['p99_us']/1000:7.2f} ms  max {w['max_us']/1000:7.1f} ms  errors {errors(w)} (503: {w['status_503']}, 429: {w['status_429']}, timeouts: {w['timeouts']})")
    w = p["probe"]
    lines.append(f"  probe /health/ready every 200 ms: {w['requests']} probes, {w['status_2xx']} ready, {w['requests'] - w['status_2xx']} not, p99 {w['p99_us']/1000:.2f} ms")
    if p["flood"]:
        w = p["flood"]
        lines.append(f"  flood of bad credentials: {w['requests']/secs:7.0f} req/s  401: {w['status_401']}  429: {w['status_429']}  503: {w['status_503']}  other: {w['status_other']}  p99 {w['p99_us']/1000:.2f} ms")
        w = p["ready_flood"]
        lines.append(f"  flood of readiness probes: {w['requests']/secs:7.0f} req/s  200: {w['status_2xx']}  503: {w['status_503']}  p99 {w['p99_us']/1000:.2f} ms")
text = "\n".join(lines) + "\n"
open(out + ".txt", "w").write(text)
print(text)
EOF
log "results: ${OUT#"$ROOT"/}.json and .txt"
