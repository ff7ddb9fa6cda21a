#!/usr/bin/env bash
# Soak run (not part of CI): the service under mixed GET/PATCH /v1/me load for SOAK_SECONDS
# (default 600 = 10 minutes), its RSS sampled every 10 s. Fails (exit 1) on any error (a non-2xx
# answer, a socket error or a request over 2 s) or when RSS grows more than
# SOAK_MAX_RSS_GROWTH_PCT between the 2nd minute (halfway, for runs under 4 minutes) and the end.
#
#   bench/soak.sh                        # 10 minutes
#   SOAK_SECONDS=60 bench/soak.sh        # a quick proof that the harness works
#
# It runs `java -jar target/me-service.jar dev` (embedded PostgreSQL, local token issuer) in a
# scratch directory on 127.0.0.1:$SOAK_PORT with a fixed heap, so RSS growth after warm-up means
# native or off-heap growth and a heap leak shows up as errors or an OOM exit. Tokens of
# SOAK_USERS users are minted with dev's signing key (bench/tools/MintTokens.java); wrk rotates
# through them (bench/soak.lua). Builds the jars unless SKIP_BUILD=1 (bench/lib/jar.sh). Summary:
# bench/results/soak-<UTC time>.json and .txt. Loopback only; every process it starts is stopped
# on exit, Ctrl-C included.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

SOAK_SECONDS=${SOAK_SECONDS:-600}
SOAK_PORT=${SOAK_PORT:-18090}
SOAK_THREADS=${SOAK_THREADS:-2}
SOAK_CONNECTIONS=${SOAK_CONNECTIONS:-16}
SOAK_USERS=${SOAK_USERS:-200}
SOAK_HEAP=${SOAK_HEAP:-256m}
SOAK_MAX_RSS_GROWTH_PCT=${SOAK_MAX_RSS_GROWTH_PCT:-20}
SAMPLE_SECONDS=10

for tool in wrk curl jq java; do
  command -v "$tool" >/dev/null || { echo "soak: $tool is missing (apt-get install -y $tool)" >&2; exit 2; }
done
source bench/lib/jar.sh
jar_build

work=$(mktemp -d /tmp/me-soak.XXXXXX)
stamp=$(date -u +%Y%m%dT%H%M%SZ)
results=bench/results
mkdir -p "$results"
service_pid=""
wrk_pid=""

cleanup() {
  if [ -n "$wrk_pid" ] && kill -0 "$wrk_pid" 2>/dev/null; then
    kill "$wrk_pid" 2>/dev/null || true
  fi
  if [ -n "$service_pid" ] && kill -0 "$service_pid" 2>/dev/null; then
    # SIGTERM: the service drains, then dev stops its embedded PostgreSQL.
    kill -TERM "$service_pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$service_pid" 2>/dev/null || break; sleep 1; done
    kill -KILL "$service_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

base="http://127.0.0.1:$SOAK_PORT"
if curl -s -o /dev/null "$base/health/live"; then
  echo "soak: something already listens on port $SOAK_PORT (set SOAK_PORT)" >&2
  exit 2
fi

echo "soak: starting the service (dev, heap $SOAK_HEAP) on $base"
# 200 users at thousands of requests a second is far past any human's rate: per-principal rate
# limiting (covered by its own tests) would turn most of the soak into 429s, so it is off here.
(cd "$work" && exec env PORT="$SOAK_PORT" CONFIG_FILE="$repo/conf/config.json" LOG_LEVEL=WARN RATE_LIMIT_PER_SECOND=0 \
  java -Xms"$SOAK_HEAP" -Xmx"$SOAK_HEAP" -XX:+ExitOnOutOfMemoryError -jar "$repo/target/me-service.jar" dev) \
  >"$work/service.log" 2>&1 &
service_pid=$!
for _ in $(seq 1 240); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/health/ready")" = "200" ] && break
  kill -0 "$service_pid" 2>/dev/null || { echo "soak: the service exited:" >&2; tail -20 "$work/service.log" >&2; exit 1; }
  sleep 0.5
done
[ "$(curl -s -o /dev/null -w '%{http_code}' "$base/health/ready")" = "200" ] \
  || { echo "soak: the service never became ready" >&2; exit 1; }

java -cp target/me-service.jar:target/me-service-dev.jar bench/tools/MintTokens.java \
  "$SOAK_USERS" "$SOAK_USERS" "$work/mint" $((SOAK_SECONDS + 600)) "$work/data/dev-signing-key"
first_token=$(head -1 "$work/mint/tokens.txt")

echo "soak: $SOAK_SECONDS s of mixed GET/PATCH, $SOAK_CONNECTIONS connections, $SOAK_USERS users"
SOAK_TOKENS="$work/mint/tokens.txt" wrk -t"$SOAK_THREADS" -c"$SOAK_CONNECTIONS" -d"${SOAK_SECONDS}s" --timeout 2s \
  --latency -s bench/soak.lua "$base" >"$work/wrk.txt" 2>&1 &
wrk_pid=$!
started=$(date +%s)
next=0
: >"$work/rss.txt"
while kill -0 "$wrk_pid" 2>/dev/null; do
  elapsed=$(( $(date +%s) - started ))
  if [ "$elapsed" -ge "$next" ]; then
    echo "$elapsed $(awk '/^VmRSS/ {print $2}' "/proc/$service_pid/status")" >>"$work/rss.txt"
    next=$((next + SAMPLE_SECONDS))
  fi
  sleep 1
done
wrk_rc=0
wait "$wrk_pid" || wrk_rc=$?
wrk_pid=""
echo "$(( $(date +%s) - started )) $(awk '/^VmRSS/ {print $2}' "/proc/$service_pid/status")" >>"$work/rss.txt"
after_status=$(curl -s -o /dev/null -w '%{http_code}' "$base/v1/me" -H "Authorization: Bearer $first_token")

# RSS at the 2nd minute (halfway through a run under 4 minutes) against the last sample.
baseline_at=$(( SOAK_SECONDS >= 240 ? 120 : SOAK_SECONDS / 2 ))
rss_baseline=$(awk -v at="$baseline_at" '$1 >= at {print $2; exit}' "$work/rss.txt")
rss_end=$(tail -1 "$work/rss.txt" | awk '{print $2}')
wrk_json=$(sed -n 's/^SOAK_WRK //p' "$work/wrk.txt")
[ -n "$wrk_json" ] || { echo "soak: wrk produced no summary (exit $wrk_rc):" >&2; cat "$work/wrk.txt" >&2; exit 1; }
errors=$(jq '[.errors[]] | add' <<<"$wrk_json")
growth=$(awk -v b="$rss_baseline" -v e="$rss_end" 'BEGIN {printf "%.1f", (e - b) * 100 / b}')
rss_samples=$(awk '{printf "%s[%s, %s]", (NR > 1 ? ", " : ""), $1, $2}' "$work/rss.txt")

verdict=pass
reasons=()
[ "$errors" -eq 0 ] || { verdict=fail; reasons+=("$errors errors"); }
[ "$after_status" = "200" ] || { verdict=fail; reasons+=("GET after the run answered $after_status"); }
awk -v g="$growth" -v max="$SOAK_MAX_RSS_GROWTH_PCT" 'BEGIN {exit !(g > max)}' \
  && { verdict=fail; reasons+=("RSS grew $growth% (limit $SOAK_MAX_RSS_GROWTH_PCT%)"); }
kill -0 "$service_pid" 2>/dev/null || { verdict=fail; reasons+=("the service died"); }

jq -n --argjson wrk "$wrk_json" --arg verdict "$verdict" --arg stamp "$stamp" \
  --argjson seconds "$SOAK_SECONDS" --argjson connections "$SOAK_CONNECTIONS" --argjson users "$SOAK_USERS" \
  --arg heap "$SOAK_HEAP" --argjson baseline_at "$baseline_at" --argjson rss_baseline "$rss_baseline" \
  --argjson rss_end "$rss_end" --argjson growth "$growth" --argjson max_growth "$SOAK_MAX_RSS_GROWTH_PCT" \
  --argjson after "$after_status" --argjson samples "[$rss_samples]" \
  --arg reasons "$(IFS=';'; echo "${reasons[*]:-}")" \
  '{started_utc: $stamp, verdict: $verdict, reasons: $reasons, seconds: $seconds, connections: $connections,
    users: $users, heap: $heap, requests: $wrk.requests,
    requests_per_second: (($wrk.requests / ($wrk.duration_us / 1e6)) | floor),
    errors: $wrk.errors, non_2xx: $wrk.errors.status, latency_us: $wrk.latency_us,
    rss_kb: {baseline_at_s: $baseline_at, baseline: $rss_baseline, end: $rss_end, growth_pct: $growth,
             max_growth_pct: $max_growth, samples: $samples},
    get_after_run: $after}' >"$results/soak-$stamp.json"
{
  echo "me-service soak $stamp: $verdict ${reasons[*]:-}"
  jq -r '"\(.seconds) s, \(.connections) connections, \(.users) users, heap \(.heap): \(.requests) requests (\(.requests_per_second)/s), "
    + "errors \(.errors | tostring), p50 \(.latency_us.p50) us, p99 \(.latency_us.p99) us, max \(.latency_us.max) us; "
    + "RSS \(.rss_kb.baseline) kB at \(.rss_kb.baseline_at_s) s -> \(.rss_kb.end) kB at the end (\(.rss_kb.growth_pct)%)"' \
    "$results/soak-$stamp.json"
  echo
  grep -v '^SOAK_WRK' "$work/wrk.txt"
  echo "RSS samples (s kB):"
  cat "$work/rss.txt"
} >"$results/soak-$stamp.txt"
head -1 "$results/soak-$stamp.txt"
sed -n 2p "$results/soak-$stamp.txt"
echo "soak: summary in $results/soak-$stamp.json and .txt"
[ "$verdict" = pass ]
