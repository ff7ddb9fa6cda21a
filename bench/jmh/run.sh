#!/usr/bin/env bash
# Hot-path micro-benchmarks (JMH): authentication (AuthBenchmark) and PATCH body validation
# (PatchBenchmark). Builds the service jar and the benchmarks, then runs them; extra arguments go
# to JMH (e.g. `bench/jmh/run.sh -f 1 -wi 3 -i 5 warm`, `RESULT=bench/results/jmh-patch.json
# bench/jmh/run.sh PatchBenchmark`). SKIP_BUILD=1 takes the built service jars (bench/lib/jar.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/lib/jar.sh
jar_build
mvn -B -ntp -q -f bench/jmh/pom.xml package
CP="bench/jmh/target/classes:$(cat bench/jmh/target/classpath.txt):target/me-service.jar:target/me-service-dev.jar"
# Run from the repository root: the verifier's config comes from conf/config.json like the service's.
exec java -cp "$CP" org.openjdk.jmh.Main -rf json -rff "${RESULT:-bench/results/jmh-auth.json}" "$@"
