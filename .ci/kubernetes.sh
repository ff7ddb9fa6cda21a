#!/usr/bin/env bash
# deploy/kubernetes, checked (deploy/kubernetes/test/manifests.test.mjs), run by .ci/run after
# `mvn -B -ntp verify` (it uses the jar and test classes that built):
#   1. the base and each overlay rendered by `kubectl kustomize`, every object validated against
#      Kubernetes' schemas (kubernetes-models) and compiled strictly as its typed model (tsc);
#   2. cross-checked against the service: every variable set is a setting the loader reads and
#      accepts, credentials only from the Secret, ports, probes and grace period agree with it;
#   3. the base's pod run as it describes: the jar with the Dockerfile's JVM options under the
#      container's limits, as uid 10001, read-only root, the emptyDir at /tmp, the manifest's
#      ports (in a network namespace of its own), probes, a session, SIGTERM, memory against the limit.
# Needs root (namespaces, mounts). Node/npm and the PostgreSQL server binaries come from Debian
# packages when missing; kubectl (with kustomize built in) comes with the machine.
set -euo pipefail
cd "$(dirname "$0")/.."

JDK=${JDK:-/usr/lib/jvm/java-17-openjdk-amd64}

missing=()
{ command -v node && command -v npm; } >/dev/null 2>&1 || missing+=(nodejs npm)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing ${missing[*]}"
  # The test starts its own PostgreSQL; the package must not create and start a system cluster.
  if [ ! -f /etc/postgresql-common/createcluster.conf ]; then
    mkdir -p /etc/postgresql-common
    echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.conf
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if ! command -v kubectl >/dev/null 2>&1; then
  echo "FAIL: kubectl (1.27+, kustomize built in) is not on PATH; Debian's kubernetes-client is too old to render these kustomizations"
  exit 1
fi
if [ ! -f target/me-service.jar ] || [ ! -f target/test-classes/meservice/support/SettingsRead.class ]; then
  mvn -B -ntp -q package -DskipTests
fi

# shellcheck source=../bench/lib/image.sh
source bench/lib/image.sh
export IMAGE_JAVA_OPTS; IMAGE_JAVA_OPTS=$(image_java_opts)
export JAVA=$JDK/bin/java

cd deploy/kubernetes/test
echo "== deploy/kubernetes: $(kubectl version --client 2>/dev/null | tr '\n' ' '), the image's JVM options: $IMAGE_JAVA_OPTS"
npm ci --no-audit --no-fund --loglevel=error
# A network namespace of its own: the pod's ports (8080, 9090) are free whatever else runs here.
unshare --net --fork -- sh -c 'ip link set lo up && exec node --test manifests.test.mjs'
