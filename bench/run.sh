#!/usr/bin/env bash
# The load benchmark: the service side by side with pgbench running the service's own SQL.
#
#   bench/run.sh                      # 10,000 users; 16, 64, 256 connections; 15 s per run
#   USERS="10000 1000000" bench/run.sh   # also the 1,000,000-user data set
#   KINDS="select GET peer" bench/run.sh # the reads only: GET beside pgbench select and the peer
#
# Starts its own PostgreSQL (default durable settings, loopback only, data under $BENCH_WORK),
# seeds users, mints RS256 tokens with the jar's LocalIssuer, starts `serve`, then for each
# connection count runs the KINDS: select (pgbench FIND_USER), GET (wrk GET /v1/me), peer (the
# same wrk command against TechEmpower's vertx-web /db, bench/peer: started once per data set after
# the service's warm-up, warmed up the same way, stopped at the end of the data set), peerjson (the
# same against the peer's /json, no database at all), upsert (pgbench PATCH_PREFERENCES), PATCH
# (wrk PATCH /v1/me). Writes bench/results/<UTC time>.json (+ latest.json, latest.md, plot.png)
# and the table in BENCHMARKS.md (bench/report.py run). Everything it started is stopped on exit.
# The shared steps are bench/lib's: jar.sh (build, private copies), postgres.sh, users.sh (tokens
# and seed rows), service.sh (`serve`).
#
# The service runs at its defaults (`serve`: JSON logs, access log at INFO) with the JVM options of
# the image's ENTRYPOINT (read from the Dockerfile) plus -XX:MaxRAM=512m, standing in for a 512 MiB
# container limit. Its peak RSS (VmHWM) over the whole run is reported.
#
# Knobs (environment): USERS, CONNS, DURATION, WARMUP, TOKENS, KINDS (select GET peer upsert PATCH),
# THREADS, PORT, MANAGEMENT_PORT, PGPORT, PEER_PORT (18091), BENCH_WORK,
# SKIP_BUILD=1, CONTAINER_RAM (default 512m), JAVA_OPTS (replaces the image's options),
# SERVICE_ENV (extra VAR=value words for the service, e.g. LOG_LEVEL=WARN), LABEL (a note in the
# results; their file is named by the run's UTC time),
# HEAP_HISTOGRAM=1 (the live heap by class after the run, bench/results/heap-<users>.txt),
# PROFILE=1 (async-profiler on the service, kernel frames included; a summary in
#   bench/results/profile-<users>.txt),
# PUBLISH=0 (keep latest.*, plot.png and BENCHMARKS.md as they are; default for PROFILE=1 and TRACING=1),
# TRACING=1 (OpenTelemetry on, docs/tracing.md: every request traced, the default sampler, spans
#   exported over OTLP/HTTP to bench/tools/OtlpSink.java on SINK_PORT (18095), which discards
#   them; the service_env of the results says so; a sampler is chosen with SERVICE_ENV, e.g.
#   SERVICE_ENV="OTEL_TRACES_SAMPLER=parentbased_traceidratio OTEL_TRACES_SAMPLER_ARG=0.01").
# The peer's own knobs (PEER_CACHE, PEER_JAVA_OPTS) are in the header of bench/peer/peer.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

USERS=${USERS:-10000}
CONNS=${CONNS:-16 64 256}
DURATION=${DURATION:-15}
WARMUP=${WARMUP:-10}
TOKENS=${TOKENS:-10000}
KINDS=${KINDS:-select GET peer peerjson upsert PATCH}
PEER=$([[ " $KINDS " == *" peer "* || " $KINDS " == *" peerjson "* ]] && echo 1 || echo 0)
THREADS=${THREADS:-2}
PORT=${PORT:-18080}
MANAGEMENT_PORT=${MANAGEMENT_PORT:-18081}
PGPORT=${PGPORT:-55432}
BENCH_WORK=${BENCH_WORK:-/tmp/me-service-bench}
CONTAINER_RAM=${CONTAINER_RAM:-512m}
source bench/lib/image.sh
IMAGE_JAVA_OPTS=$(image_java_opts)
JAVA_OPTS=${JAVA_OPTS:-$IMAGE_JAVA_OPTS -XX:MaxRAM=$CONTAINER_RAM}
SERVICE_ENV=${SERVICE_ENV:-}
PROFILE=${PROFILE:-0}
TRACING=${TRACING:-0}
HEAP_HISTOGRAM=${HEAP_HISTOGRAM:-0}
SINK_PORT=${SINK_PORT:-18095}
# A profiled run perturbs what it measures: it does not replace the published results; nor does a
# traced one (the published table is the service at its defaults, tracing off).
PUBLISH=${PUBLISH:-$([[ $PROFILE == 1 || $TRACING == 1 ]] && echo 0 || echo 1)}
LABEL=${LABEL:-$([[ $TRACING == 1 ]] && echo tracing || true)}
if [[ $TRACING == 1 ]]; then
  # First, so that SERVICE_ENV's own OTEL_* words (a sampler) win: env(1) keeps the last.
  SERVICE_ENV="OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$SINK_PORT $SERVICE_ENV"
fi
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
RESULTS=$ROOT/bench/results
RAW=$BENCH_WORK/raw-$STAMP

log() { printf '[bench %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# --- tools -------------------------------------------------------------------------------------
need_apt=()
command -v wrk >/dev/null || need_apt+=(wrk)
command -v gnuplot >/dev/null || need_apt+=(gnuplot-nox)
command -v pgbench >/dev/null || need_apt+=(postgresql-client)
command -v python3 >/dev/null || need_apt+=(python3)
if ((${#need_apt[@]})); then
  log "installing ${need_apt[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
source bench/lib/postgres.sh
pg_find
source bench/lib/jar.sh
source bench/lib/users.sh
source bench/lib/service.sh
source bench/peer/peer.sh

# --- cleanup -----------------------------------------------------------------------------------
PGDATA=$BENCH_WORK/pgdata
SINK_PID=""
cleanup() {
  peer_stop
  service_stop
  if [[ -n $SINK_PID ]]; then kill "$SINK_PID" 2>/dev/null || true; wait "$SINK_PID" 2>/dev/null || true; fi
  pg_stop "$PGDATA"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- build -------------------------------------------------------------------------------------
jar_build
# The peer's fat jar: built once per version of bench/peer into $PEER_CACHE (outside the repo).
[[ $PEER == 1 ]] && peer_build

# --- PostgreSQL --------------------------------------------------------------------------------
ports_free "$PGPORT" "$PORT" "$MANAGEMENT_PORT" $([[ $PEER == 1 ]] && echo "$PEER_PORT") $([[ $TRACING == 1 ]] && echo "$SINK_PORT") \
  || { log "PGPORT=, PORT=, MANAGEMENT_PORT=, PEER_PORT=, SINK_PORT= choose others"; exit 2; }
pg_workdir "$BENCH_WORK"
mkdir -p "$RAW" "$RESULTS"
jar_copy "$BENCH_WORK"
if [[ $TRACING == 1 ]]; then
  log "tracing on: spans to the OTLP sink on 127.0.0.1:$SINK_PORT (bench/tools/OtlpSink.java)"
  java bench/tools/OtlpSink.java "$SINK_PORT" >"$RAW/otlp-sink.log" 2>&1 &
  SINK_PID=$!
fi
log "initdb + start PostgreSQL on 127.0.0.1:$PGPORT (data in $PGDATA)"
# Durability left at its defaults (fsync, synchronous_commit, full_page_writes on); only the
# connection limit grows so 256 pgbench clients and the service's pool fit side by side.
pg_start "$PGDATA" "$PGPORT" -c max_connections=400
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PGPORT" -U postgres)
PG_SETTINGS=$("${PSQL[@]}" -At -d postgres -c "SELECT json_object_agg(name, setting) FROM pg_settings WHERE name IN
  ('server_version','synchronous_commit','fsync','full_page_writes','wal_sync_method','shared_buffers','max_connections','commit_delay')")

# --- measuring helpers -------------------------------------------------------------------------
cpu_ticks() { awk '{print $14, $15}' "/proc/$1/stat"; } # user, system
machine_busy() { awk '/^cpu /{print $2+$3+$4+$7+$8, $2+$3+$4+$5+$6+$7+$8}' /proc/stat; }
vm() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }
HZ=$(getconf CLK_TCK)
RUNS=$RAW/runs.jsonl

# record KIND USERS CONNS JSON-FRAGMENT: one line per run into runs.jsonl
record() { printf '{"kind":"%s","users":%s,"connections":%s,%s}\n' "$1" "$2" "$3" "$4" >>"$RUNS"; }

# KIND PID URL METHOD USERS CONNS SECONDS [warmup]: wrk METHOD URL with bench/wrk/me.lua and the
# data set's tokens; CPU and VmHWM are those of PID (the service, or the peer for kind peer, which
# ignores the bearer header), recorded under the service_* names either way.
run_wrk() {
  local kind=$1 pid=$2 url=$3 method=$4 users=$5 conns=$6 secs=$7 out=$RAW/wrk-$1-$5-$6.txt
  [[ ${8:-} == warmup ]] && out=$RAW/warmup-$kind-$users.txt
  local t0 b0 ; t0=$(cpu_ticks "$pid"); b0=$(machine_busy)
  echo 5 >"/proc/$pid/clear_refs" 2>/dev/null || true # resets VmHWM: peak of this run
  wrk -t "$THREADS" -c "$conns" -d "${secs}s" --timeout 5s -s bench/wrk/me.lua \
    "$url" -- "$method" "$DATA/tokens.txt" >"$out" 2>&1
  [[ ${8:-} == warmup ]] && return 0
  local t1 b1; t1=$(cpu_ticks "$pid"); b1=$(machine_busy)
  local json; json=$(sed -n 's/^WRK_JSON //p' "$out")
  [[ -n $json ]] || { cat "$out" >&2; log "wrk produced no result"; exit 1; }
  local cpu; cpu=$(echo "$t0 $t1" | awk -v hz="$HZ" -v s="$secs" \
    '{printf "\"service_cpu_cores\":%.3f,\"service_user_cores\":%.3f,\"service_sys_cores\":%.3f", ($3+$4-$1-$2)/hz/s, ($3-$1)/hz/s, ($4-$2)/hz/s}')
  local busy; busy=$(echo "$b0 $b1" | awk '{printf "%.3f", ($3-$1)/($4-$2)}')
  record "$kind" "$users" "$conns" "\"wrk\":$json,$cpu,\"machine_busy\":$busy,\"service_vmhwm_kib\":$(vm "$pid" VmHWM),\"service_vmrss_kib\":$(vm "$pid" VmRSS)"
  log "$kind c=$conns: $(python3 -c "import json,sys; d=json.loads(sys.argv[1]); print(f\"{d['requests']*1e6/d['duration_us']:.0f} req/s p99 {d['p99_us']/1000:.2f} ms non-2xx {d['non_2xx']}\")" "$json")"
}

run_pgbench() { # NAME SCRIPT USERS CONNS SECONDS
  local name=$1 script=$2 users=$3 conns=$4 secs=$5 dir=$RAW/pgbench-$1-$3-$4
  mkdir -p "$dir"
  local b0; b0=$(machine_busy)
  local jobs=$THREADS; ((conns < jobs)) && jobs=$conns
  (cd "$dir" && pgbench -h 127.0.0.1 -p "$PGPORT" -U postgres -n -M prepared -c "$conns" -j "$jobs" -T "$secs" \
    -f "$ROOT/bench/pgbench/$script" -D loaded=0 -D users="$users" \
    -D 'set0={"timezone": "Europe/Paris"}' -D 'set1={"timezone": "America/New_York"}' -D 'clear={}' \
    --log --log-prefix=tx bench >"$dir/out.txt" 2>&1) || { cat "$dir/out.txt" >&2; exit 1; }
  local b1; b1=$(machine_busy)
  local busy; busy=$(echo "$b0 $b1" | awk '{printf "%.3f", ($3-$1)/($4-$2)}')
  local json; json=$(python3 "$ROOT/bench/pgbench_summary.py" "$dir")
  rm -f "$dir"/tx.*
  record "$name" "$users" "$conns" "\"pgbench\":$json,\"machine_busy\":$busy"
  log "pgbench $name c=$conns: $(python3 -c "import json,sys; d=json.loads(sys.argv[1]); print(f\"{d['tps']:.0f} tx/s p99 {d['p99_us']/1000:.2f} ms failed {d['failed']}\")" "$json")"
}

# The agent library of async-profiler (linux-x64), fetched from Maven Central once into ~/.m2.
ASYNC_PROFILER_VERSION=4.1
async_profiler() {
  local jar=$HOME/.m2/repository/tools/profiler/async-profiler/$ASYNC_PROFILER_VERSION/async-profiler-$ASYNC_PROFILER_VERSION-linux-x64.jar
  [[ -f $jar ]] || mvn -B -ntp -q dependency:get -Dtransitive=false \
    -Dartifact="tools.profiler:async-profiler:$ASYNC_PROFILER_VERSION:jar:linux-x64" >&2
  unzip -o -q -j "$jar" linux-x64/libasyncProfiler.so -d "$BENCH_WORK" >&2
  echo "$BENCH_WORK/libasyncProfiler.so"
}

# --- per data set ------------------------------------------------------------------------------
for users in $USERS; do
  DATA=$BENCH_WORK/data-$users
  log "data set: $users users"
  "${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS bench" -c "CREATE DATABASE bench"
  DB_URL="postgresql://postgres@127.0.0.1:$PGPORT/bench"
  db_migrate "$DB_URL" "$RAW/migrate-$users.log"
  mint_users "$users" "$TOKENS" "$DATA"
  [[ $PEER == 1 ]] && peer_world "${PSQL[@]}" -d bench
  seed_users "$DATA" "${PSQL[@]}" -d bench

  log "starting the service (serve) on 127.0.0.1:$PORT"
  profile_opts=""
  if [[ $PROFILE == 1 ]]; then
    # async-profiler (from Maven Central), CPU every 1 ms with kernel frames, per thread, from
    # start to exit (warm-up included); written when the service stops.
    profile_opts="-agentpath:$(async_profiler)=start,event=cpu,interval=1ms,threads,file=$RAW/service-$users.collapsed,collapsed"
  fi
  # shellcheck disable=SC2086
  JAVA_OPTS="$JAVA_OPTS $profile_opts" service_start "$DB_URL" "$DATA" "$RAW/service-$users.log" $SERVICE_ENV \
    || { log "the service did not start (its log: $RAW/service-$users.log)"; exit 1; }

  log "warm-up ${WARMUP}s GET + ${WARMUP}s PATCH"
  ME_URL=http://127.0.0.1:$PORT/v1/me
  run_wrk GET "$SERVICE_PID" "$ME_URL" GET "$users" 64 "$WARMUP" warmup
  run_wrk PATCH "$SERVICE_PID" "$ME_URL" PATCH "$users" 64 "$WARMUP" warmup
  PEER_URL=http://127.0.0.1:$PEER_PORT/db
  if [[ $PEER == 1 ]]; then
    peer_start "$PGPORT" "$RAW/peer-$users"
    log "peer warm-up ${WARMUP}s GET /db"
    run_wrk peer "$PEER_PID" "$PEER_URL" GET "$users" 64 "$WARMUP" warmup
  fi

  for conns in $CONNS; do
    for kind in $KINDS; do
      case $kind in
        select) run_pgbench select find_user.sql "$users" "$conns" "$DURATION" ;;
        upsert) run_pgbench upsert patch_preferences.sql "$users" "$conns" "$DURATION" ;;
        GET | PATCH) run_wrk "$kind" "$SERVICE_PID" "$ME_URL" "$kind" "$users" "$conns" "$DURATION" ;;
        peer) run_wrk peer "$PEER_PID" "$PEER_URL" GET "$users" "$conns" "$DURATION" ;;
        peerjson) run_wrk peerjson "$PEER_PID" "http://127.0.0.1:$PEER_PORT/json" GET "$users" "$conns" "$DURATION" ;;
        *) log "unknown kind $kind"; exit 2 ;;
      esac
    done
  done
  PEAK_RSS=$(vm "$SERVICE_PID" VmHWM)
  if [[ $HEAP_HISTOGRAM == 1 ]]; then
    # After a full GC: what the heap holds live at the end of the run, by class, and its sizes.
    { jcmd "$SERVICE_PID" GC.class_histogram | head -45; jcmd "$SERVICE_PID" GC.heap_info; \
      jcmd "$SERVICE_PID" VM.native_memory summary 2>/dev/null | head -60; } >"$RESULTS/heap-$users.txt" 2>&1 || true
    log "heap histogram: bench/results/heap-$users.txt"
  fi
  if [[ $PEER == 1 ]]; then
    log "peer RSS at the end: $(vm "$PEER_PID" VmRSS) KiB"
    peer_stop
  fi
  # Logging never blocks a request; whether its writer kept up shows here.
  METRICS=$(curl -fs "http://127.0.0.1:$MANAGEMENT_PORT/metrics")
  LOG_DROPPED=$(awk '/^log_lines_dropped_total/ {printf "%d", $2}' <<<"$METRICS")
  # What GETs cost PostgreSQL over the whole data set (warm-up included): read statements per GET.
  READ_STATEMENTS=$(awk '/^db_read_batch_size_count/ {s += $2} END {printf "%d", s}' <<<"$METRICS")
  GETS=$(awk '/^http_server_requests_seconds_count/ && /method="GET"/ && /route="\/v1\/me"/ {s += $2} END {printf "%d", s}' <<<"$METRICS")
  log "read statements per GET ($users users): $READ_STATEMENTS / $GETS = $(awk -v a="$READ_STATEMENTS" -v b="$GETS" 'BEGIN{printf "%.5f", b ? a / b : 0}'); user cache: $(grep -E '^user_cache_(requests_total|entries|evictions_total)' <<<"$METRICS" | tr '\n' ' ')"
  service_stop
  LOG_WRITTEN=$(grep -c '"logger":"meservice.access"' "$RAW/service-$users.log" || true)
  log "access log: ${LOG_WRITTEN:-0} lines written, ${LOG_DROPPED:-?} dropped"
  if [[ $PROFILE == 1 ]]; then
    python3 bench/profile_summary.py "$RAW/service-$users.collapsed" >"$RESULTS/profile-$users.txt"
    log "profile: bench/results/profile-$users.txt"
  fi
  printf '{"kind":"service_total","users":%s,"connections":0,"service_vmhwm_kib":%s,"log_lines_written":%s,"log_lines_dropped":%s}\n' \
    "$users" "$PEAK_RSS" "${LOG_WRITTEN:-0}" "${LOG_DROPPED:-null}" >>"$RUNS"
done

# --- report ------------------------------------------------------------------------------------
MACHINE=$(python3 bench/report.py machine "$LOAD_BEFORE")
python3 bench/report.py run --runs "$RUNS" --stamp "$STAMP" --machine "$MACHINE" --postgres "$PG_SETTINGS" \
  --config "{\"duration_s\":$DURATION,\"warmup_s\":$WARMUP,\"tokens\":$TOKENS,\"wrk_threads\":$THREADS,\"java_opts\":\"$JAVA_OPTS\",\"service_env\":\"$SERVICE_ENV\",\"label\":\"$LABEL\",\"peer_java_opts\":\"$([[ $PEER == 1 ]] && echo "$PEER_JAVA_OPTS")\",\"peer_transport\":\"$PEER_TRANSPORT\"}" \
  --results "$RESULTS" --benchmarks BENCHMARKS.md $([[ $PUBLISH == 1 ]] || echo --no-publish)
