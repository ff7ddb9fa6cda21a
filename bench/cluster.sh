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
#
# Also measured, over a steady window before (a): requests per CPU-second of each instance and
# CPU of PostgreSQL and PgBouncer. Results: bench/results/cluster-<UTC time>.json and a text
# summary on stdout; RELIABILITY.md explains the settings and reports a run.
#
#   bench/cluster.sh                       # POOL_MODE=transaction, RATE=200 req/s, 32 workers
#   POOL_MODE=session RATE=400 bench/cluster.sh
#
# Knobs: POOL_MODE (PgBouncer pool_mode: transaction or session), RATE, WORKERS, USERS, ROUNDS,
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
STEADY=${STEADY:-20}
SHUTDOWN_DELAY=${SHUTDOWN_DELAY:-5}
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

log() { printf '[cluster %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
now_ms() { date +%s%3N; }

[[ $WORK == /tmp/?* ]] || { log "CLUSTER_WORK must be a directory under /tmp"; exit 2; }
[[ $POOL_MODE == transaction || $POOL_MODE == session ]] || { log "POOL_MODE: transaction or session"; exit 2; }
for tool in haproxy pgbouncer curl java python3; do
  command -v "$tool" >/dev/null || [[ -x /usr/sbin/$tool ]] || { log "$tool is missing (apt-get install -y $tool)"; exit 2; }
done
source bench/lib/postgres.sh
pg_find
for port in $PGPORT $BOUNCER_PORT $LB_PORT $STATS_PORT "${PORTS[@]}"; do
  if (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then log "port $port is in use"; exit 2; fi
done

# PgBouncer, like PostgreSQL (bench/lib/postgres.sh), refuses to run as root.
if [[ $(id -u) == 0 ]]; then BOUNCER_USER=(-u postgres); else BOUNCER_USER=(); fi

# --- cleanup: only what this script started, by pid -----------------------------------------------
declare -A PIDS=()
LOAD_PID=""
stop_pid() { # PID SIGNAL
  local pid=$1
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill "-${2:-TERM}" "$pid" 2>/dev/null || true
  for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}
cleanup() {
  [[ -n $LOAD_PID ]] && { touch "$WORK/stop" 2>/dev/null; stop_pid "$LOAD_PID"; }
  for name in "${!PIDS[@]}"; do stop_pid "${PIDS[$name]}"; done
  pg_stop "$WORK/pgdata"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- build, data ---------------------------------------------------------------------------------
if [[ ${SKIP_BUILD:-0} != 1 || ! -f target/me-service.jar ]]; then
  log "building the jar"
  mvn -B -ntp -q package -DskipTests
fi
rm -rf "$WORK"
mkdir -p "$WORK" "$RESULTS"
chmod 755 "$WORK"
[[ $(id -u) == 0 ]] && chown postgres "$WORK"
JAR=$WORK/me-service.jar
cp target/me-service.jar "$JAR"
# LocalIssuer (token minting) lives in the dev jar; the instances run the production jar alone.
DEV_JAR=$WORK/me-service-dev.jar
cp target/me-service-dev.jar "$DEV_JAR"
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
printf '"postgres" ""\n' >"$WORK/userlist.txt"
cat >"$WORK/pgbouncer.ini" <<EOF
[databases]
cluster = host=127.0.0.1 port=$PGPORT dbname=cluster
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $BOUNCER_PORT
unix_socket_dir =
auth_type = trust
auth_file = $WORK/userlist.txt
pool_mode = $POOL_MODE
max_client_conn = 400
default_pool_size = 40
EOF
chmod 644 "$WORK/userlist.txt" "$WORK/pgbouncer.ini"
pgbouncer "${BOUNCER_USER[@]}" "$WORK/pgbouncer.ini" >"$WORK/pgbouncer.log" 2>&1 &
PIDS[pgbouncer]=$!
for _ in $(seq 50); do (echo >"/dev/tcp/127.0.0.1/$BOUNCER_PORT") 2>/dev/null && break; sleep 0.1; done

log "tokens for $USERS users; migrations; seed rows"
java -cp "$JAR:$DEV_JAR" bench/tools/MintTokens.java "$USERS" "$USERS" "$WORK/data"
SERVICE_ENV=(HOST=127.0.0.1 DATABASE_URL="$POOLED_URL" DATABASE_POOL_MODE="$POOL_MODE"
  CLERK_JWT_KEY="$(cat "$WORK/data/issuer.pem")" CLERK_ISSUER=https://clerk.me-service.localhost
  CLERK_AUTHORIZED_PARTIES=http://localhost:3000 RATE_LIMIT_PER_SECOND=0 DB_POOL_SIZE=8
  SHUTDOWN_DELAY_SECONDS="$SHUTDOWN_DELAY" SHUTDOWN_GRACE_SECONDS=10 LOG_FORMAT=text
  TRUSTED_PROXIES=127.0.0.1
  DB_CONNECT_TIMEOUT_MS="$DB_CONNECT_TIMEOUT_MS")
[[ $POOL_MODE == transaction ]] && SERVICE_ENV+=(DATABASE_DIRECT_URL="$DIRECT_URL")
# The CLI as an operator runs it, bounded: a run that hangs leaves its thread dump in $WORK.
cli() {
  local out=$WORK/cli-$(now_ms).out
  # Not latency-bound: a generous connect timeout for a cold JVM on a loaded host.
  env "${SERVICE_ENV[@]}" DB_CONNECT_TIMEOUT_MS=10000 java -jar "$JAR" "$@" >"$out" 2>&1 &
  local pid=$! waited=0
  while kill -0 "$pid" 2>/dev/null && ((waited < 600)); do sleep 0.1; waited=$((waited + 1)); done
  if kill -0 "$pid" 2>/dev/null; then
    jstack "$pid" >"$out.jstack" 2>&1 || true
    ss -tnp >"$out.ss" 2>&1 || true
    kill -9 "$pid"
    log "CLI '$*' hung for 60 s (thread dump: $out.jstack)"
    return 1
  fi
  wait "$pid" && cat "$out"
}

cli migrate >/dev/null
"${PSQL[@]}" -d cluster \
  -c "CREATE TEMP TABLE seed (n int, id uuid, clerk_user_id text)" \
  -c "\\copy seed FROM '$WORK/data/users.csv' WITH (FORMAT csv)" \
  -c "INSERT INTO users (id, clerk_user_id, preferences) SELECT id, clerk_user_id, '{\"timezone\": \"UTC\"}' FROM seed"

# --- instances -----------------------------------------------------------------------------------
start_instance() { # INDEX (1..3)
  local i=$1 port=${PORTS[$(($1 - 1))]}
  # shellcheck disable=SC2086
  env "${SERVICE_ENV[@]}" PORT="$port" MANAGEMENT_PORT=$((port + 100)) java $JAVA_OPTS -jar "$JAR" serve >>"$WORK/instance-$i.log" 2>&1 &
  PIDS[i$i]=$!
}
await_ready() { # INDEX: the instance answers /health/ready 200 itself
  local i=$1 port=${PORTS[$(($1 - 1))]}
  for _ in $(seq 600); do
    curl -fs -o /dev/null "http://127.0.0.1:$port/health/ready" && return 0
    kill -0 "${PIDS[i$i]}" 2>/dev/null || { tail -20 "$WORK/instance-$i.log" >&2; log "instance $i died"; exit 1; }
    sleep 0.1
  done
  log "instance $i not ready after 60 s"; exit 1
}
lb_status() { # INDEX: HAProxy's view of the server (UP, DOWN, ...)
  curl -fs "http://127.0.0.1:$STATS_PORT/stats;csv" | awk -F, -v s="i$1" '$1 == "me" && $2 == s {print $18}'
}
await_lb() { # INDEX STATUS
  for _ in $(seq 600); do [[ $(lb_status "$1") == "$2"* ]] && return 0; sleep 0.05; done
  log "HAProxy never saw instance $1 $2"; exit 1
}

log "three instances on ${PORTS[*]}"
for i in 1 2 3; do start_instance "$i"; done
for i in 1 2 3; do await_ready "$i"; done

# Checks every second, and every 250 ms once one has failed; two failures mark a server DOWN,
# two successes UP again. A SIGTERMed instance (readiness 503 at once) is out of rotation within
# about 1.5 s, well inside SHUTDOWN_DELAY_SECONDS, while it still accepts and serves everything
# sent before. One slow check (a starved host) does not take a healthy server out: with
# `fall 1` and a 1 s check timeout a loaded run marked all three DOWN at once (503 "no server").
# Only a failed connection is retried, on another server (redispatch): no request that may have
# reached a server is ever sent twice.
cat >"$WORK/haproxy.cfg" <<EOF
global
  maxconn 4096
  log stdout format raw local0
defaults
  mode http
  log global
  option httplog
  # The client's address for the instances' per-address failed-auth limit (TRUSTED_PROXIES):
  # without it every failure would count against HAProxy's own address.
  option forwardfor
  timeout connect 1s
  timeout client 60s
  timeout server 30s
  timeout http-keep-alive 60s
  timeout check 2s
  retries 3
  retry-on conn-failure
  option redispatch 1
frontend me
  bind 127.0.0.1:$LB_PORT
  default_backend me
frontend stats
  bind 127.0.0.1:$STATS_PORT
  no log
  stats enable
  stats uri /stats
backend me
  balance roundrobin
  option httpchk GET /health/ready
  http-check expect status 200
  default-server inter 1s fastinter 250ms downinter 500ms fall 2 rise 2
  server i1 127.0.0.1:${PORTS[0]} check
  server i2 127.0.0.1:${PORTS[1]} check
  server i3 127.0.0.1:${PORTS[2]} check
EOF
log "HAProxy on 127.0.0.1:$LB_PORT"
haproxy -db -f "$WORK/haproxy.cfg" >"$WORK/haproxy.log" 2>&1 &
PIDS[haproxy]=$!
for i in 1 2 3; do await_lb "$i" UP; done

# --- load ----------------------------------------------------------------------------------------
log "load: $RATE req/s from $WORKERS workers (1 PATCH in 4), $USERS users"
java -cp "$JAR" bench/tools/ClusterLoad.java load "$LB_PORT" "$WORK/data/tokens.txt" "$WORK" \
  "$WORKERS" "$RATE" "$DIRECT_URL" >"$WORK/load.out" 2>"$WORK/load.err" &
LOAD_PID=$!
PHASES=$WORK/phases.tsv
: >"$PHASES"
phase() { printf '%s\t%s\t%s\n' "$1" "$2" "$(now_ms)" >>"$PHASES"; }
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

# (a) rolling restart
phase rolling start
for i in 1 2 3; do
  log "rolling: SIGTERM instance $i"
  pid=${PIDS[i$i]}
  t0=$(now_ms)
  kill -TERM "$pid"
  await_lb "$i" DOWN
  t_down=$(now_ms)
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  t_exit=$(now_ms)
  start_instance "$i"
  await_ready "$i"
  await_lb "$i" UP
  log "rolling: instance $i out of rotation after $((t_down - t0)) ms, exited after $((t_exit - t0)) ms, back UP after $(($(now_ms) - t0)) ms"
done
phase rolling end
sleep 5

# (b) SIGKILL
phase kill start
log "kill: SIGKILL instance 2"
kill -KILL "${PIDS[i2]}"
KILL_MS=$(now_ms)
await_lb 2 DOWN
log "kill: HAProxy marked it DOWN after $(($(now_ms) - KILL_MS)) ms"
sleep 3
start_instance 2
await_ready 2
await_lb 2 UP
phase kill end
sleep 5

# (c) revocation, under load, while all three serve the key
phase revoke start
REVOCATIONS=()
for round in $(seq "$ROUNDS"); do
  created=$(cli apikey create --org "org_cluster$round" --name "cluster $round")
  key=$(grep -o 'mek_[0-9A-Za-z]\{43\}' <<<"$created" | head -1)
  id=$(sed -n 's/.*created api key \([0-9a-f-]\{36\}\) .*/\1/p' <<<"$created" | head -1)
  [[ -n $key && -n $id ]] || { echo "$created" >&2; log "apikey create printed no key"; exit 1; }
  result=$(java -cp "$JAR" bench/tools/ClusterLoad.java revoke "$key" "$id" "$DIRECT_URL" "$(IFS=,; echo "${PORTS[*]}")")
  # Each instance logs the eviction when the notification arrives: its delay from the commit.
  sleep 1
  evicted=$(grep -h "api key $id revoked; evicted" "$WORK"/instance-*.log | awk '{print $1}' | sort | tr '\n' ' ')
  result=$(python3 -c '
import json, sys, datetime
r = json.loads(sys.argv[1])
day = datetime.datetime.fromtimestamp(r["commit_acked_epoch_ms"] / 1000, datetime.timezone.utc).date()
def epoch(t):
    h, m, s = t.split(":")
    d = datetime.datetime(day.year, day.month, day.day, int(h), int(m), tzinfo=datetime.timezone.utc)
    return d.timestamp() * 1000 + float(s) * 1000
r["evicted_after_commit_ack_ms"] = sorted(round(epoch(t) - r["commit_acked_epoch_ms"]) for t in sys.argv[2].split())
print(json.dumps(r))' "$result" "$evicted")
  log "revoke round $round: $result"
  REVOCATIONS+=("$result")
done
phase revoke end
sleep 2

log "stopping the load; checking acknowledged writes against the database"
touch "$WORK/stop"
wait "$LOAD_PID" || { cat "$WORK/load.err" >&2; log "load client failed"; exit 1; }
LOAD_PID=""
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# --- report ------------------------------------------------------------------------------------
OUT=$RESULTS/cluster-$STAMP.json
python3 - "$WORK" "$OUT" "$POOL_MODE" "$RATE" "$WORKERS" "$SHUTDOWN_DELAY" "$LOAD_BEFORE" "$LOAD_AFTER" \
  "$STEADY_JSON" "${REVOCATIONS[@]}" <<'EOF'
import json, sys, re, collections
work, out, mode, rate, workers, delay, load_before, load_after, steady = sys.argv[1:10]
revocations = [json.loads(r) for r in sys.argv[10:]]
load = json.load(open(f"{work}/load.json"))
phases = {}
for line in open(f"{work}/phases.tsv"):
    name, edge, ms = line.split("\t")
    phases.setdefault(name, {})[edge] = int(ms)
failures = [l.rstrip("\n").split("\t") for l in open(f"{work}/failures.tsv").readlines()[1:]]
def within(name, slack_ms=0):
    p = phases[name]
    return [f for f in failures if p["start"] <= int(f[0]) <= p["end"] + slack_ms]
# HAProxy log: failed requests by server (status not 200, or a termination state other than --)
by_server = collections.Counter()
for line in open(f"{work}/haproxy.log"):
    m = re.search(r" me me/(\S+) \S+ (-?\d+) \S+ \S+ \S+ (\S{4}) ", line)
    if m and (m.group(2) != "200" or not m.group(3).startswith("--")):
        by_server[f"{m.group(1)} {m.group(2)} {m.group(3)}"] += 1
result = {
    "pool_mode": mode, "rate": int(rate), "workers": int(workers), "shutdown_delay_seconds": int(delay),
    "load_average_before": load_before, "load_average_after": load_after,
    "steady": json.loads(steady), "load": load,
    "failures_in_rolling_restart": len(within("rolling", 5000)),
    "failures_in_kill": len(within("kill", 5000)),
    "failures_total": len(failures),
    "haproxy_failed_requests_by_server": dict(by_server),
    "revocations": revocations,
}
json.dump(result, open(out, "w"), indent=2)
s = result["steady"]
print(f"pool_mode={mode} rate={rate} load average before {load_before}, after {load_after}")
for i in ("i1", "i2", "i3"):
    r, c = s[i]["requests"], s[i]["cpu_seconds"]
    print(f"steady {i}: {r} requests in {s['seconds']} s on {c} CPU-s = {r / c if c else 0:.0f} requests per CPU-second")
print(f"steady: postgres {s['postgres_cpu_seconds']} CPU-s, pgbouncer {s['pgbouncer_cpu_seconds']}, haproxy {s['haproxy_cpu_seconds']}, machine busy {s['machine_busy']}")
print(f"requests {load['requests']} (GET ok {load['get_ok']} failed {load['get_failed']}, PATCH ok {load['patch_ok']} failed {load['patch_failed']})")
print(f"(a) rolling restart: {result['failures_in_rolling_restart']} failed requests")
print(f"(b) SIGKILL: {result['failures_in_kill']} failed requests; HAProxy failures by server: {dict(by_server)}")
print(f"    users checked {load['users_checked']}, acknowledged writes lost {load['acknowledged_writes_lost']}, in-doubt writes that committed {load['in_doubt_writes_committed']}")
for r in revocations:
    print(f"(c) revocation committed in {r['commit_ms']:.0f} ms; evicted by each instance {r['evicted_after_commit_ack_ms']} ms after the commit was acknowledged; "
          f"first 401 answered after {r['refused_after_ms']} ms, that request sent after {r['refused_request_sent_after_ms']} ms")
ok = (result["failures_in_rolling_restart"] == 0 and load["acknowledged_writes_lost"] == 0
      and all(v <= 1000 for r in revocations for v in r["evicted_after_commit_ack_ms"])
      and all(len(r["evicted_after_commit_ack_ms"]) == 3 for r in revocations)
      and all(0 <= v <= 1000 for r in revocations for v in r["refused_request_sent_after_ms"].values()))
print("PASS" if ok else "FAIL", f"-> {out}")
sys.exit(0 if ok else 1)
EOF
