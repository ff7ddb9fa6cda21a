# Sourced by bench/run.sh: TechEmpower's vertx-web (`/db`, one pipelined PgConnection per verticle),
# the side-by-side peer of GET /v1/me (kind `peer`). See bench/peer/README.md.
#
#   peer_world PSQL...          creates TFB's World table (10,000 rows) if missing; PSQL is the psql
#                               command line of the bench database
#   peer_build                  builds the fat jar outside the repo, in $PEER_CACHE/build-<hash of pom.xml
#                               and src> (default /tmp/me-service-peer), unless it is there; sets PEER_JAR
#   peer_start PGPORT DIR       starts the peer on 127.0.0.1:$PEER_PORT (default 18091) against the bench
#                               database on 127.0.0.1:PGPORT (config.json and peer.log in DIR) with TFB's
#                               JVM options plus -XX:MaxRAM=$CONTAINER_RAM, waits until /db answers;
#                               sets PEER_PID and PEER_TRANSPORT (io_uring, epoll or nio)
#   peer_stop                   stops it, if it runs
#
# Knobs (environment): PEER_PORT (18091), PEER_CACHE (/tmp/me-service-peer), CONTAINER_RAM (512m),
# PEER_JAVA_OPTS (replaces TFB's options and the MaxRAM).

PEER_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PEER_PORT=${PEER_PORT:-18091}
PEER_CACHE=${PEER_CACHE:-/tmp/me-service-peer}
PEER_CORES=$(grep --count ^processor /proc/cpuinfo)
# TFB's vertx-web-postgres.dockerfile CMD, word for word (eventLoopPoolSize = --instances = cores).
PEER_TFB_JAVA_OPTS="-server -XX:+UseNUMA -XX:+UseParallelGC -Dvertx.disableMetrics=true -Dvertx.disableH2c=true \
-Dvertx.disableWebsockets=true -Dvertx.flashPolicyHandler=false -Dvertx.threadChecks=false \
-Dvertx.disableContextTimings=true -Dvertx.disableTCCL=true -Dvertx.disableHttpHeadersValidation=true \
-Dvertx.eventLoopPoolSize=$PEER_CORES -Dio.netty.buffer.checkBounds=false -Dio.netty.buffer.checkAccessible=false"
PEER_JAVA_OPTS=${PEER_JAVA_OPTS:-$PEER_TFB_JAVA_OPTS -XX:MaxRAM=${CONTAINER_RAM:-512m}}
PEER_JAR=""
PEER_PID=""
PEER_TRANSPORT=""

peer_log() { printf '[peer %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# TFB's toolset/databases/postgres/create-postgres.sql (World part).
peer_world() {
  if [[ $("$@" -Atc "SELECT to_regclass('world') IS NOT NULL") != t ]]; then
    peer_log "creating World (10,000 rows)"
    "$@" -c "CREATE TABLE World (id integer NOT NULL, randomNumber integer NOT NULL default 0, PRIMARY KEY (id))" \
      -c "INSERT INTO World (id, randomnumber) SELECT x.id, least(floor(random() * 10000 + 1), 10000) FROM generate_series(1,10000) as x(id)" \
      -c "VACUUM ANALYZE World"
  fi
}

peer_build() {
  local hash dir
  hash=$(cd "$PEER_SRC" && find pom.xml src -type f | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-12)
  dir=$PEER_CACHE/build-$hash
  PEER_JAR=$dir/target/vertx-web-benchmark-5.0.7-fat.jar
  [[ -f $PEER_JAR ]] && return 0
  peer_log "building the peer in $dir"
  mkdir -p "$PEER_CACHE"
  (
    flock 9 # two runs building at once: one builds, the other waits for its jar
    [[ -f $PEER_JAR ]] && exit 0
    rm -rf "$dir" && mkdir -p "$dir"
    cp -r "$PEER_SRC/pom.xml" "$PEER_SRC/src" "$dir/"
    cd "$dir" && mvn -B -ntp -q package -DskipTests >&2
  ) 9>"$PEER_CACHE/.lock"
  [[ -f $PEER_JAR ]] || { peer_log "the build left no $PEER_JAR"; return 1; }
}

peer_start() {
  local pgport=$1 dir=$2
  [[ -n $PEER_JAR ]] || peer_build || return 1
  mkdir -p "$dir"
  # TFB's src/main/conf/config.json, pointed at our PostgreSQL; http.port is our addition (upstream: 8080).
  printf '{"host":"127.0.0.1","port":%s,"username":"postgres","password":"","database":"bench","maxPoolSize":64,"http.port":%s}\n' \
    "$pgport" "$PEER_PORT" >"$dir/config.json"
  peer_log "starting the peer on 127.0.0.1:$PEER_PORT: java $PEER_JAVA_OPTS"
  # shellcheck disable=SC2086
  java $PEER_JAVA_OPTS -jar "$PEER_JAR" --instances "$PEER_CORES" --conf "$dir/config.json" \
    --options "$(dirname "$(dirname "$PEER_JAR")")/src/main/conf/vertx.json" >"$dir/peer.log" 2>&1 &
  PEER_PID=$!
  local _
  for _ in $(seq 150); do
    curl -fs -o /dev/null "http://127.0.0.1:$PEER_PORT/db" && break
    kill -0 "$PEER_PID" 2>/dev/null || { cat "$dir/peer.log" >&2; peer_log "the peer exited"; PEER_PID=""; return 1; }
    sleep 0.2
  done
  curl -fs -o /dev/null "http://127.0.0.1:$PEER_PORT/db" || { cat "$dir/peer.log" >&2; peer_log "/db does not answer"; return 1; }
  # io_uring: an io_uring instance among its descriptors; epoll: netty's native epoll library is loaded
  # (the JDK's NIO selector also uses an epoll descriptor, so the descriptor alone does not tell).
  PEER_TRANSPORT=nio
  if ls -l "/proc/$PEER_PID/fd" 2>/dev/null | grep -q 'io_uring'; then
    PEER_TRANSPORT=io_uring
  elif grep -q 'netty_transport_native_epoll' "/proc/$PEER_PID/maps" 2>/dev/null; then
    PEER_TRANSPORT=epoll
  fi
  peer_log "/db answers: $(curl -fs "http://127.0.0.1:$PEER_PORT/db"); transport: $PEER_TRANSPORT"
}

peer_stop() {
  if [[ -n $PEER_PID ]] && kill -0 "$PEER_PID" 2>/dev/null; then
    kill "$PEER_PID" 2>/dev/null || true
    local _
    for _ in $(seq 50); do kill -0 "$PEER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$PEER_PID" 2>/dev/null || true
  fi
  PEER_PID=""
}
