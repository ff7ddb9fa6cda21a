# Sourced by every bench script that runs the service: which build it measures. Run from the
# repository root.
#
#   jar_build       builds target/me-service.jar and target/me-service-dev.jar (tests skipped),
#                   unless SKIP_BUILD=1 and both are there: a harness measures the tree it runs from
#   jar_copy DIR    private copies in DIR, named by JAR (the production jar: `serve`, `migrate` and
#                   the CLI run it alone) and DEV_JAR (LocalIssuer, for minting tokens), so a rebuild
#                   of target/ during a run cannot pull classes from under a running JVM

jar_build() {
  [[ ${SKIP_BUILD:-0} == 1 && -f target/me-service.jar && -f target/me-service-dev.jar ]] && return 0
  printf '[jar %s] building the jars (SKIP_BUILD=1 takes the built ones)\n' "$(date -u +%H:%M:%S)" >&2
  mvn -B -ntp -q package -DskipTests
}

jar_copy() {
  JAR=$1/me-service.jar
  DEV_JAR=$1/me-service-dev.jar
  cp target/me-service.jar "$JAR"
  cp target/me-service-dev.jar "$DEV_JAR"
}
