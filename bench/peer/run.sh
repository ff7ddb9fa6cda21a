#!/usr/bin/env bash
# The peer: TechEmpower's vertx-web (/db, one pipelined PgConnection per verticle) under the same wrk
# command bench/run.sh uses for GET /v1/me, against an already-running PostgreSQL.
#
#   bench/peer/run.sh                  # PostgreSQL on 127.0.0.1:55433, db bench; 16, 64, 256 connections
#
# Creates TFB's World table (10,000 rows) in the bench database if missing, builds the peer's fat jar
# (in $PEER_WORK, not in the repo) if missing, starts it with the JVM options of TFB's
# vertx-web-postgres.dockerfile plus -XX:MaxRAM=512m, warms up 10 s at 64 connections, then for each
# connection count prints req/s, p99, non-2xx and the peer's CPU (user and sys, in cores).
# PostgreSQL is left running; the peer is stopped on exit.
#
# Knobs (environment): PGPORT (55433), PEER_PORT (18091), CONNS ("16 64 256"), DURATION (10),
# WARMUP (10), TOKENS_FILE (/tmp/q/pg/data-10000/tokens.txt; only sent as a bearer header, ignored),
# PEER_WORK (/tmp/me-service-peer), CONTAINER_RAM (512m), JAVA_OPTS (replaces TFB's options).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)

PGPORT=${PGPORT:-55433}
PEER_PORT=${PEER_PORT:-18091}
CONNS=${CONNS:-16 64 256}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-10}
TOKENS_FILE=${TOKENS_FILE:-/tmp/q/pg/data-10000/tokens.txt}
PEER_WORK=${PEER_WORK:-/tmp/me-service-peer}
CONTAINER_RAM=${CONTAINER_RAM:-512m}
CORES=$(grep --count ^processor /proc/cpuinfo)
# TFB's vertx-web-postgres.dockerfile CMD, word for word (eventLoopPoolSize = --instances = cores).
TFB_JAVA_OPTS="-server -XX:+UseNUMA -XX:+UseParallelGC -Dvertx.disableMetrics=true -Dvertx.disableH2c=true
  -Dvertx.disableWebsockets=true -Dvertx.flashPolicyHandler=false -Dvertx.threadChecks=false
  -Dvertx.disableContextTimings=true -Dvertx.disableTCCL=true -Dvertx.disableHttpHeadersValidation=true
  -Dvertx.eventLoopPoolSize=$CORES -Dio.netty.buffer.checkBounds=false -Dio.netty.buffer.checkAccessible=false"
JAVA_OPTS=${JAVA_OPTS:-$TFB_JAVA_OPTS -XX:MaxRAM=$CONTAINER_RAM}
JAR=$PEER_WORK/target/vertx-web-benchmark-5.0.7-fat.jar

log() { printf '[peer %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

[[ -r $TOKENS_FILE ]] || { log "no tokens file $TOKENS_FILE (TOKENS_FILE=)"; exit 2; }
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PGPORT" -U postgres -d bench)
"${PSQL[@]}" -Atc "SELECT 1" >/dev/null || { log "no PostgreSQL with a bench database on 127.0.0.1:$PGPORT"; exit 2; }
if (echo >"/dev/tcp/127.0.0.1/$PEER_PORT") 2>/dev/null; then log "port $PEER_PORT is in use (PEER_PORT=)"; exit 2; fi

# --- TFB's World table (toolset/databases/postgres/create-postgres.sql) --------------------------
if [[ $("${PSQL[@]}" -Atc "SELECT to_regclass('world') IS NOT NULL") != t ]]; then
  log "creating World (10,000 rows)"
  "${PSQL[@]}" -c "CREATE TABLE World (id integer NOT NULL, randomNumber integer NOT NULL default 0, PRIMARY KEY (id))" \
    -c "INSERT INTO World (id, randomnumber) SELECT x.id, least(floor(random() * 10000 + 1), 10000) FROM generate_series(1,10000) as x(id)" \
    -c "VACUUM ANALYZE World"
fi

# --- build (outside the repo) ------------------------------------------------------------------
if [[ ! -f $JAR ]]; then
  log "building the peer in $PEER_WORK"
  mkdir -p "$PEER_WORK"
  cp -r bench/peer/pom.xml bench/peer/src "$PEER_WORK/"
  (cd "$PEER_WORK" && mvn -B -ntp -q package -DskipTests)
fi
mkdir -p "$PEER_WORK/raw"
RAW=$PEER_WORK/raw
# TFB's src/main/conf/config.json, pointed at our PostgreSQL; http.port is our addition (upstream: 8080).
printf '{"host":"127.0.0.1","port":%s,"username":"postgres","password":"","database":"bench","maxPoolSize":64,"http.port":%s}\n' \
  "$PGPORT" "$PEER_PORT" >"$PEER_WORK/config.json"

# --- start -------------------------------------------------------------------------------------
PEER_PID=""
cleanup() {
  if [[ -n $PEER_PID ]] && kill -0 "$PEER_PID" 2>/dev/null; then
    kill "$PEER_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$PEER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$PEER_PID" 2>/dev/null || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "starting the peer on 127.0.0.1:$PEER_PORT: java $(echo $JAVA_OPTS)"
# shellcheck disable=SC2086
java $JAVA_OPTS -jar "$JAR" --instances "$CORES" --conf "$PEER_WORK/config.json" \
  --options "$ROOT/bench/peer/src/main/conf/vertx.json" >"$RAW/peer.log" 2>&1 &
PEER_PID=$!
for _ in $(seq 150); do
  curl -fs -o /dev/null "http://127.0.0.1:$PEER_PORT/db" && break
  kill -0 "$PEER_PID" 2>/dev/null || { cat "$RAW/peer.log" >&2; log "the peer exited"; exit 1; }
  sleep 0.2
done
curl -fs "http://127.0.0.1:$PEER_PORT/db" >/dev/null || { cat "$RAW/peer.log" >&2; log "/db does not answer"; exit 1; }
log "/db answers: $(curl -fs "http://127.0.0.1:$PEER_PORT/db")"
transport=nio-or-epoll
ls -l "/proc/$PEER_PID/fd" 2>/dev/null | grep -q 'io_uring' && transport=io_uring
log "transport: $transport"

# --- measure -----------------------------------------------------------------------------------
HZ=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14, $15}' "/proc/$1/stat"; } # user, system

run_wrk() { # CONNS SECONDS [warmup]
  local conns=$1 secs=$2 out=$RAW/wrk-$1.txt
  [[ ${3:-} == warmup ]] && out=$RAW/warmup.txt
  local t0; t0=$(cpu_ticks "$PEER_PID")
  wrk -t 2 -c "$conns" -d "${secs}s" --timeout 5s -s bench/wrk/me.lua \
    "http://127.0.0.1:$PEER_PORT/db" -- GET "$TOKENS_FILE" >"$out" 2>&1
  [[ ${3:-} == warmup ]] && return 0
  local t1; t1=$(cpu_ticks "$PEER_PID")
  local json; json=$(sed -n 's/^WRK_JSON //p' "$out")
  [[ -n $json ]] || { cat "$out" >&2; log "wrk produced no result"; exit 1; }
  python3 -c '
import json, sys
d = json.loads(sys.argv[1]); conns, secs, hz = sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
u0, s0, u1, s1 = map(int, sys.argv[5:9])
rps = d["requests"] * 1e6 / d["duration_us"]
p99 = d["p99_us"] / 1000
nx = d["non_2xx"]
errors = d["connect_errors"] + d["read_errors"] + d["write_errors"] + d["timeouts"]
user, sys_ = (u1 - u0) / hz / secs, (s1 - s0) / hz / secs
print(f"c={conns:>3}  {rps:8.0f} req/s  p99 {p99:7.2f} ms  non-2xx {nx}  socket errors {errors}  "
      f"peer cpu user {user:.2f} sys {sys_:.2f} cores")
' "$json" "$conns" "$secs" "$HZ" $t0 $t1
}

log "warm-up ${WARMUP}s at 64 connections"
run_wrk 64 "$WARMUP" warmup
for conns in $CONNS; do
  run_wrk "$conns" "$DURATION"
done
log "peer peak RSS (VmHWM): $(awk '$1 == "VmHWM:" {print $2, $3}' "/proc/$PEER_PID/status")"
