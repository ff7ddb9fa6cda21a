#!/usr/bin/env bash
# The TypeScript client's checks and the /docs browser test, run by .ci/run after
# `mvn -B -ntp verify` (they use the jar it built, target/me-service.jar):
#   1. src/generated/openapi.ts is what the jar's OpenAPI generates (fails when stale);
#   2. tsc --noEmit in strict mode;
#   3. node --test: the typed client against the real service on a PostgreSQL the test starts;
#   4. node --test: the package as a dashboard installs it (npm pack, the tarball in a scratch
#      project with a strict tsc that must reject a misspelt key, a call from there);
#   5. node --test: /docs in headless Chromium ("Try it out" included), screenshots in target/.
# Node/npm, Chromium and the PostgreSQL server binaries come from Debian packages when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
{ command -v node && command -v npm; } >/dev/null 2>&1 || missing+=(nodejs npm)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing ${missing[*]}"
  # The tests start their own PostgreSQL; the package must not create and start a system cluster.
  if [ ! -f /etc/postgresql-common/createcluster.conf ]; then
    mkdir -p /etc/postgresql-common
    echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.conf
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if [ ! -f target/me-service.jar ]; then
  mvn -B -ntp -q package -DskipTests
fi

cd clients/typescript
echo "== TypeScript client: node $(node --version), npm $(npm --version)"
npm ci --no-audit --no-fund --loglevel=error
npm run --silent check:generated
npm run --silent typecheck
npm test
echo "== the packed client installed into a scratch project"
npm run test:package
echo "== /docs in $(chromium --version 2>/dev/null | head -1)"
npm run test:browser
