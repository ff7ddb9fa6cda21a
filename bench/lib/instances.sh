# Sourced by bench/cluster.sh and bench/ha.sh (after bench/lib/postgres.sh): three `serve`
# instances of the built jar behind HAProxy, under load from bench/tools/ClusterLoad.java, and what
# both harnesses do with them. The caller sets LOG_TAG, WORK (a directory under /tmp), PORTS (the
# instances' ports, three), LB_PORT and STATS_PORT (HAProxy's frontend for them and its stats page)
# and JAVA_OPTS, and SERVICE_ENV (the instances' settings, an array) before it starts instances or
# runs the CLI. Seed rows: seed_users WORK/data (bench/lib/users.sh), once `migrate` has run.
#
#   log MSG, now_ms             a line on stderr; epoch milliseconds
#   bench_prepare USERS         the jars (bench/lib/jar.sh: built unless SKIP_BUILD=1, copied into a
#                               fresh WORK as JAR and DEV_JAR), and in WORK/data USERS users, a
#                               session token for each and the issuer's key (bench/lib/users.sh)
#   start_pgbouncer DB PORT [SETTING...]
#                               PgBouncer (POOL_MODE pooling) on 127.0.0.1:BOUNCER_PORT for database
#                               DB at 127.0.0.1:PORT, trust auth as `postgres`, plus the [pgbouncer]
#                               SETTING lines; PIDS[pgbouncer]; returns once it accepts connections
#   cli ARGS...                 the jar's CLI as an operator runs it, bounded to 60 s
#   start_instance I, await_ready I    instance I (1..3) on PORTS[I-1], logging to WORK/instance-I.log
#   haproxy_service_config      HAProxy's http sections: frontend and backend `me` (servers i1..i3)
#                               on LB_PORT, the stats page on STATS_PORT
#   lb_status BACKEND SERVER, await_lb BACKEND SERVER STATUS    HAProxy's view of a server
#   start_load WORKERS RATE DB_URL, stop_load    the load client (LOAD_PID; results in WORK)
#   phase NAME EDGE             a timestamp in WORK/phases.tsv
#   revocation_round N DB_URL   an API key served by every instance, revoked through DB_URL; prints
#                               one JSON line: per instance, when it evicted the key and first refused it
#   PIDS[name]=pid, stop_pid PID [SIGNAL], stop_started    what was started, stopped by pid

source bench/lib/jar.sh
source bench/lib/users.sh

log() { printf '[%s %s] %s\n' "$LOG_TAG" "$(date -u +%H:%M:%S)" "$*" >&2; }
now_ms() { date +%s%3N; }

declare -A PIDS=()
LOAD_PID=""
stop_pid() { # PID SIGNAL
  local pid=$1
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill "-${2:-TERM}" "$pid" 2>/dev/null || true
  for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}
stop_started() { # the load, the instances, then everything else in PIDS
  [[ -n $LOAD_PID ]] && { touch "$WORK/stop" 2>/dev/null; stop_pid "$LOAD_PID"; }
  local name
  for name in "${!PIDS[@]}"; do [[ $name == i? ]] && stop_pid "${PIDS[$name]}"; done
  for name in "${!PIDS[@]}"; do [[ $name == i? ]] || stop_pid "${PIDS[$name]}"; done
}

bench_prepare() { # USERS
  jar_build
  pg_workdir "$WORK"
  jar_copy "$WORK"
  log "tokens for $1 users"
  mint_users "$1" "$1" "$WORK/data"
}

start_pgbouncer() {
  local db=$1 port=$2
  shift 2
  printf '"postgres" ""\n' >"$WORK/userlist.txt"
  {
    cat <<EOF
[databases]
$db = host=127.0.0.1 port=$port dbname=$db
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
    if (($#)); then printf '%s\n' "$@"; fi
  } >"$WORK/pgbouncer.ini"
  chmod 644 "$WORK/userlist.txt" "$WORK/pgbouncer.ini"
  # PgBouncer, like PostgreSQL (bench/lib/postgres.sh), refuses to run as root.
  if [[ $(id -u) == 0 ]]; then
    pgbouncer -u postgres "$WORK/pgbouncer.ini" >"$WORK/pgbouncer.log" 2>&1 &
  else
    pgbouncer "$WORK/pgbouncer.ini" >"$WORK/pgbouncer.log" 2>&1 &
  fi
  PIDS[pgbouncer]=$!
  local _
  for _ in $(seq 50); do (echo >"/dev/tcp/127.0.0.1/$BOUNCER_PORT") 2>/dev/null && return 0; sleep 0.1; done
  log "PgBouncer does not accept connections (its log: $WORK/pgbouncer.log)"; exit 1
}

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

start_instance() { # INDEX (1..3): its /metrics on MANAGEMENT_PORT = its port + 100
  local i=$1 port=${PORTS[$(($1 - 1))]}
  # shellcheck disable=SC2086
  env "${SERVICE_ENV[@]}" PORT="$port" MANAGEMENT_PORT=$((port + 100)) java $JAVA_OPTS -jar "$JAR" serve >>"$WORK/instance-$i.log" 2>&1 &
  PIDS[i$i]=$!
}
await_ready() { # INDEX: the instance answers /health/ready 200 itself
  local i=$1 port=${PORTS[$(($1 - 1))]} restarted=0
  for _ in $(seq 600); do
    curl -fs -o /dev/null "http://127.0.0.1:$port/health/ready" && return 0
    if ! kill -0 "${PIDS[i$i]}" 2>/dev/null; then
      tail -5 "$WORK/instance-$i.log" >&2
      # A cold JVM on a starved host can miss DB_CONNECT_TIMEOUT_MS for its first connection and
      # exit, as it should; once is the host, twice is the harness or the service.
      ((restarted == 0)) || { log "instance $i died again"; exit 1; }
      log "instance $i died at start-up; starting it once more"
      restarted=1
      start_instance "$i"
    fi
    sleep 0.1
  done
  log "instance $i not ready after 60 s"; exit 1
}

# Checks every second, and every 250 ms once one has failed; two failures mark a server DOWN,
# two successes UP again. A SIGTERMed instance (readiness 503 at once) is out of rotation within
# about 1.5 s, well inside SHUTDOWN_DELAY_SECONDS, while it still accepts and serves everything
# sent before. One slow check (a starved host) does not take a healthy server out: `fall 1` with
# a 1 s check timeout marks all three DOWN at once on a loaded host (503 "no server").
# Only a failed connection is retried, on another server (redispatch): no request that may have
# reached a server is ever sent twice.
haproxy_service_config() {
  cat <<EOF
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
  # The balancer's own 503 (no instance ready, e.g. while no primary answers) asks clients to
  # back off as the service's 503 does (docs/operations.md: readiness during a failover).
  http-after-response set-header Retry-After 1 if { status 503 } !{ res.hdr(X-Request-Id) -m found }
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
}

lb_status() { # BACKEND SERVER: HAProxy's view of the server (UP, DOWN, ...)
  curl -fs "http://127.0.0.1:$STATS_PORT/stats;csv" | awk -F, -v b="$1" -v s="$2" '$1 == b && $2 == s {print $18}'
}
await_lb() { # BACKEND SERVER STATUS
  for _ in $(seq 600); do [[ $(lb_status "$1" "$2") == "$3"* ]] && return 0; sleep 0.05; done
  log "HAProxy never saw $1/$2 $3"; exit 1
}

start_load() { # WORKERS RATE DB_URL: against HAProxy's `me` frontend
  java -cp "$JAR" bench/tools/ClusterLoad.java load "$LB_PORT" "$WORK/data/tokens.txt" "$WORK" \
    "$1" "$2" "$3" >"$WORK/load.out" 2>"$WORK/load.err" &
  LOAD_PID=$!
  : >"$WORK/phases.tsv"
}
stop_load() { # then checks acknowledged writes against the database
  touch "$WORK/stop"
  wait "$LOAD_PID" || { cat "$WORK/load.err" >&2; log "load client failed"; exit 1; }
  LOAD_PID=""
}
phase() { printf '%s\t%s\t%s\n' "$1" "$2" "$(now_ms)" >>"$WORK/phases.tsv"; }

revocation_round() { # ROUND DB_URL
  local created key id result evicted
  created=$(cli apikey create --org "org_cluster$1" --name "cluster $1") || { log "apikey create failed"; return 1; }
  key=$(grep -o 'mek_[0-9A-Za-z]\{43\}' <<<"$created" | head -1)
  id=$(sed -n 's/.*created api key \([0-9a-f-]\{36\}\) .*/\1/p' <<<"$created" | head -1)
  [[ -n $key && -n $id ]] || { echo "$created" >&2; log "apikey create printed no key"; return 1; }
  result=$(java -cp "$JAR" bench/tools/ClusterLoad.java revoke "$key" "$id" "$2" "$(IFS=,; echo "${PORTS[*]}")" 2>"$WORK/revoke-$1.err") \
    || { tail -5 "$WORK/revoke-$1.err" >&2; log "revocation round $1 failed"; return 1; }
  # Each instance logs the eviction when the notification arrives: its delay from the commit.
  sleep 1
  evicted=$(grep -h "api key $id revoked; evicted" "$WORK"/instance-*.log | awk '{print $1}' | sort | tr '\n' ' ')
  python3 bench/report.py revocation "$result" "$evicted"
}
