#!/usr/bin/env bash
# JDKs side by side for the image: `serve` with the Dockerfile's JVM options under a container
# limit (-XX:MaxRAM), each variant started in turn, round after round (interleaved, so a machine
# that gets busier mid-run weighs on every variant alike). Per start: wall and CPU seconds until
# /health/ready answers 200, RSS when ready, then (SECONDS_EACH > 0) RSS and requests/s after wrk
# GET and PATCH; means per variant at the end. One `dev` in a temporary folder is the database.
#   bench/jdks.sh                         Java 17 (Debian), Java 25 (Temurin), 25 + compact object headers
#   ROUNDS=5 SECONDS_EACH=0 LIMIT=768m VARIANTS='name=JDK[,extra options] ...' bench/jdks.sh
# Also DEV_PORT, PORT and SKIP_BUILD=1 (bench/lib/jar.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
ROUNDS=${ROUNDS:-3}
SECONDS_EACH=${SECONDS_EACH:-8}
LIMIT=${LIMIT:-768m}
VARIANTS=${VARIANTS:-"17=/usr/lib/jvm/java-17-openjdk-amd64 25=/usr/lib/jvm/temurin-25-jdk-amd64 25+coh=/usr/lib/jvm/temurin-25-jdk-amd64,-XX:+UseCompactObjectHeaders"}
DEV_PORT=${DEV_PORT:-27190}
PORT=${PORT:-27191}
source bench/lib/jar.sh
jar_build
source bench/lib/image.sh
opts=$(image_java_opts)

work=$(mktemp -d /tmp/me-jdks.XXXXXX)
(cd "$work" && PORT=$DEV_PORT DB_CONNECT_TIMEOUT_MS=15000 exec java -Xmx128m -jar "$repo/target/me-service.jar" dev) >"$work/dev.log" 2>&1 &
dev_pid=$!
trap 'kill -TERM $dev_pid 2>/dev/null; wait $dev_pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 120); do grep -q "is up" "$work/dev.log" && break; sleep 1; done
grep -o "TOKEN='[^']*'" "$work/dev.log" | cut -d"'" -f2 >"$work/tokens"
db=$(grep -o "DATABASE_URL='[^']*'" "$work/dev.log" | head -1 | cut -d"'" -f2)
tick=$(getconf CLK_TCK)
echo "jdks: limit $LIMIT, image options: $opts; load average $(cut -d' ' -f1-3 /proc/loadavg)"

for round in $(seq 1 "$ROUNDS"); do
  for variant in $VARIANTS; do
    name=${variant%%=*}; spec=${variant#*=}; jdk=${spec%%,*}; extra=""
    [ "$spec" != "$jdk" ] && extra=${spec#*,}
    start=$(date +%s.%N)
    # shellcheck disable=SC2086
    (cd "$work" && PORT=$PORT DATABASE_URL=$db CLERK_JWT_KEY="$(cat data/dev-public-key.pem)" \
      CLERK_ISSUER=https://clerk.me-service.localhost CLERK_AUTHORIZED_PARTIES=http://localhost:3000 \
      RATE_LIMIT_PER_SECOND=0 LOG_LEVEL=WARN DB_CONNECT_TIMEOUT_MS=15000 \
      exec "$jdk/bin/java" $opts $extra -XX:MaxRAM="$LIMIT" -jar "$repo/target/me-service.jar" serve) >"$work/serve.log" 2>&1 &
    pid=$!
    until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/health/ready")" = 200 ]; do
      kill -0 "$pid" 2>/dev/null || { echo "jdks: $name exited" >&2; cat "$work/serve.log" >&2; exit 1; }
      sleep 0.1
    done
    ready=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN {printf "%.2f", e - s}')
    cpu=$(awk -v t="$tick" '{printf "%.2f", ($14 + $15) / t}' "/proc/$pid/stat")
    rss() { awk '/^VmRSS/ {printf "%d", $2 / 1024}' "/proc/$pid/status"; }
    line="$name ready ${ready}s cpu ${cpu}s rss $(rss)MiB"
    if [ "$SECONDS_EACH" -gt 0 ]; then
      for method in GET PATCH; do
        rate=$(wrk -t2 -c64 -d"${SECONDS_EACH}s" -s bench/wrk/me.lua "http://127.0.0.1:$PORT/v1/me" -- "$method" "$work/tokens" \
          | awk '/Requests\/sec/ {print int($2)}')
        line="$line $method ${rate}/s rss $(rss)MiB"
      done
    fi
    echo "jdks: round $round $line"
    kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  done
done | tee "$work/results"
for variant in $VARIANTS; do
  name=${variant%%=*}
  awk -v n="$name" '$4 == n {r += $6; c += $8; m += $10; k++} END {if (k) printf "jdks: %s mean of %d: ready %.2f s, cpu to ready %.2f s, rss ready %.0f MiB\n", n, k, r / k, c / k, m / k}' "$work/results"
done
