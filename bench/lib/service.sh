# Sourced by the harnesses that run one `serve` (bench/run.sh, flood.sh, notify_cost.sh,
# sync_commit.sh): how it is started, stopped and driven. The caller sets JAR (bench/lib/jar.sh),
# PORT, MANAGEMENT_PORT and JAVA_OPTS (word-split).
#
#   service_start DB_URL DATA LOG [VAR=value...]
#                               `serve` on 127.0.0.1:PORT against DB_URL, trusting DATA/issuer.pem
#                               (bench/lib/users.sh), Clerk's issuer and party as LocalIssuer signs
#                               them, then the VAR=value words (the later of two wins); output in LOG.
#                               Sets SERVICE_PID. Returns once a GET /v1/me with the first token of
#                               DATA/tokens.txt answers 200; 1 (the log's tail on stderr) when the
#                               service exits or does not get there within 60 s
#   service_stop                SIGTERM, SIGKILL after 5 s; nothing when none runs
#   wrk_summary METHOD CONNS SECONDS TOKENS
#                               wrk METHOD /v1/me (bench/wrk/me.lua over the TOKENS file, 2 threads);
#                               prints "requests/s p99_ms non_2xx"

SERVICE_PID=""

service_start() {
  local db_url=$1 data=$2 log=$3
  shift 3
  # shellcheck disable=SC2086
  env HOST=127.0.0.1 PORT="$PORT" MANAGEMENT_PORT="$MANAGEMENT_PORT" DATABASE_URL="$db_url" \
    CLERK_JWT_KEY="$(cat "$data/issuer.pem")" CLERK_ISSUER=https://clerk.me-service.localhost \
    CLERK_AUTHORIZED_PARTIES=http://localhost:3000 "$@" \
    java $JAVA_OPTS -jar "$JAR" serve >>"$log" 2>&1 &
  SERVICE_PID=$!
  local token _
  token=$(head -1 "$data/tokens.txt")
  for _ in $(seq 300); do
    curl -fs -o /dev/null -H "Authorization: Bearer $token" "http://127.0.0.1:$PORT/v1/me" && return 0
    kill -0 "$SERVICE_PID" 2>/dev/null || break
    sleep 0.2
  done
  tail -5 "$log" >&2
  service_stop
  return 1
}

service_stop() {
  [[ -n $SERVICE_PID ]] || return 0
  if kill -0 "$SERVICE_PID" 2>/dev/null; then
    kill "$SERVICE_PID" 2>/dev/null || true
    local _
    for _ in $(seq 50); do kill -0 "$SERVICE_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$SERVICE_PID" 2>/dev/null || true
  fi
  wait "$SERVICE_PID" 2>/dev/null || true
  SERVICE_PID=""
}

wrk_summary() {
  wrk -t 2 -c "$2" -d "${3}s" --timeout 5s -s bench/wrk/me.lua "http://127.0.0.1:$PORT/v1/me" -- "$1" "$4" \
    | sed -n 's/^WRK_JSON //p' \
    | python3 -c 'import json,sys; d=json.load(sys.stdin); print("%.0f %.1f %d" % (d["requests"]*1e6/d["duration_us"], d["p99_us"]/1000, d["non_2xx"]))'
}
