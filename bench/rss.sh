#!/usr/bin/env bash
# Memory of `serve` under the image's JVM options, as a small container would see it.
#   bench/rss.sh [LIMIT]        LIMIT: the container memory limit to emulate (default 512m)
# Reads the options from the Dockerfile's ENTRYPOINT, adds -XX:MaxRAM=LIMIT (the JVM sizes its
# heap from it exactly as from a cgroup limit) and native memory tracking, runs `serve` on the
# database of a `dev` it starts in a temporary folder, loads it with wrk (GET, then PATCH, with
# dev's token), and prints the process RSS (now and peak) and the JVM's own accounting.
# Extra JVM options for a comparison: EXTRA_OPTS='-XX:+UseG1GC' (replaces the GC choice).
# Another JDK for `serve` (and its jcmd), as .ci/image.sh takes it: JDK=/usr/lib/jvm/temurin-25-jdk-amd64.
# Knobs: DEV_PORT, PORT, SECONDS_EACH (20), CONNECTIONS (64), SKIP_BUILD=1 (bench/lib/jar.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
LIMIT=${1:-512m}
DEV_PORT=${DEV_PORT:-27090}
PORT=${PORT:-27091}
SECONDS_EACH=${SECONDS_EACH:-20}
CONNECTIONS=${CONNECTIONS:-64}
JAVA=${JDK:+$JDK/bin/}java
JCMD=${JDK:+$JDK/bin/}jcmd
for tool in wrk curl "$JCMD"; do
  command -v "$tool" >/dev/null || { echo "rss: $tool is missing" >&2; exit 2; }
done
source bench/lib/jar.sh
jar_build

source bench/lib/image.sh
opts=$(image_java_opts)
if [ -n "${EXTRA_OPTS:-}" ]; then
  opts="$(echo "$opts" | tr ' ' '\n' | grep -v -e 'GC$' | tr '\n' ' ') $EXTRA_OPTS"
fi
echo "rss: limit $LIMIT, $("$JAVA" -version 2>&1 | head -1), options: $opts"

work=$(mktemp -d /tmp/me-rss.XXXXXX)
dev_pid=""
serve_pid=""
cleanup() {
  for pid in $serve_pid $dev_pid; do
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  done
  rm -rf "$work"
}
trap cleanup EXIT

(cd "$work" && PORT=$DEV_PORT DB_CONNECT_TIMEOUT_MS=15000 exec java -Xmx128m -jar "$repo/target/me-service.jar" dev) \
  >"$work/dev.log" 2>&1 &
dev_pid=$!
for _ in $(seq 1 120); do grep -q "is up" "$work/dev.log" && break; sleep 1; done
grep -q "is up" "$work/dev.log" || { echo "rss: dev did not start" >&2; cat "$work/dev.log" >&2; exit 1; }
token=$(grep -o "TOKEN='[^']*'" "$work/dev.log" | cut -d"'" -f2)
db=$(grep -o "DATABASE_URL='[^']*'" "$work/dev.log" | head -1 | cut -d"'" -f2)

# shellcheck disable=SC2086
(cd "$work" && PORT=$PORT MANAGEMENT_PORT=$((PORT + 1)) DATABASE_URL=$db CLERK_JWT_KEY="$(cat data/dev-public-key.pem)" \
  CLERK_ISSUER=https://clerk.me-service.localhost CLERK_AUTHORIZED_PARTIES=http://localhost:3000 \
  RATE_LIMIT_PER_SECOND=0 LOG_LEVEL=WARN DB_CONNECT_TIMEOUT_MS=15000 \
  exec "$JAVA" $opts -XX:MaxRAM="$LIMIT" -XX:NativeMemoryTracking=summary \
    -Xlog:gc:file="$work/gc.log" -jar "$repo/target/me-service.jar" serve) \
  >"$work/serve.log" 2>&1 &
serve_pid=$!
started=$(date +%s.%N)
for _ in $(seq 1 240); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/health/ready")" = 200 ] && break
  kill -0 "$serve_pid" 2>/dev/null || { echo "rss: serve exited" >&2; cat "$work/serve.log" >&2; exit 1; }
  sleep 0.25
done
echo "rss: ready $(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN {printf "%.1f", e - s}') s after start (JVM start, pool, migrations, listen)"

rss() { awk '/^VmRSS|^VmHWM/ {printf "%s %d MiB  ", $1, $2/1024}' "/proc/$serve_pid/status"; echo; }
echo "rss: ready:        $(rss)"
echo "$token" >"$work/tokens"
wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_EACH}s" -s bench/wrk/me.lua "http://127.0.0.1:$PORT/v1/me" -- GET "$work/tokens" | grep -E "Requests/sec|Non-2xx" || true
echo "rss: after GET:    $(rss)"
wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_EACH}s" -s bench/wrk/me.lua "http://127.0.0.1:$PORT/v1/me" -- PATCH "$work/tokens" | grep -E "Requests/sec|Non-2xx" || true
echo "rss: after PATCH:  $(rss)"
"$JCMD" "$serve_pid" VM.native_memory summary scale=MB \
  | grep -E "^(Total|-\s+(Java Heap|Class|Thread|Code|GC|Internal|Other|Symbol|Metaspace|Arena Chunk))" \
  | sed 's/^/rss: nmt /'
"$JCMD" "$serve_pid" GC.heap_info | sed 's/^/rss: heap /' | head -4
# GC pauses over the whole run (unified logging: "... Pause Young (Allocation Failure) 30M->8M(59M) 1.234ms").
awk '/Pause/ {n++; ms=$NF; sub(/ms/, "", ms); if (ms + 0 > max) max = ms + 0; sum += ms}
  END {printf "rss: gc %d pauses, max %.1f ms, total %.0f ms\n", n, max, sum}' "$work/gc.log"
grep -c "OutOfMemory\|OutOfDirectMemory" "$work/serve.log" | sed 's/^/rss: out-of-memory lines in the log: /'
