#!/usr/bin/env bash
# Builds the me-service container image with nothing pulled from a registry:
#   1. a base image made here: a jlink'ed Java 17 runtime from this machine's JDK plus the shared
#      libraries it links, FROM scratch;
#   2. the Dockerfile on it (podman build --isolation chroot --storage-driver vfs);
#   3. checks of the result: entrypoint, user, exposed ports, healthcheck, the jar read-only and
#      root's (the service user cannot rewrite its own code), that the image's own
#      filesystem runs the jar (chroot into the mounted image; `podman run` does not work here),
#      and the sizes: production jar under 20 MB, image under 100 MB (MB = 10^6 bytes).
# Usage: .ci/image.sh            (TAG=me-service:local by default; builds the jar if missing)
set -euo pipefail
cd "$(dirname "$0")/.."

TAG=${TAG:-localhost/me-service:local}
BASE_TAG=${BASE_TAG:-localhost/me-service-base:jre17}
JDK=${JDK:-/usr/lib/jvm/java-17-openjdk-amd64}
# What the shaded jar uses at run time (netty: jdk.unsupported; JVM metrics: jdk.management;
# TLS to Clerk and PostgreSQL: jdk.crypto.ec; healthcheck: java.net.http). Not java.desktop: only
# Micrometer's Log4j2 binder refers to it (java.beans), and nothing here loads that binder.
MODULES=java.base,java.logging,java.management,java.naming,java.net.http,java.sql,java.xml,jdk.crypto.ec,jdk.management,jdk.unsupported,jdk.zipfs
MAX_JAR_BYTES=${MAX_JAR_BYTES:-20000000}
MAX_IMAGE_BYTES=${MAX_IMAGE_BYTES:-100000000}
PODMAN=(podman --storage-driver vfs)
BUILD=(build --isolation chroot --format docker --quiet)

if ! command -v podman >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman >/dev/null
fi
if [ ! -f target/me-service.jar ]; then
  mvn -B -ntp -q package -DskipTests
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rootfs=$work/rootfs
runtime=$rootfs/opt/java/openjdk

# Runs java inside a root filesystem the way a container would see it: the loader resolves
# the launcher's $ORIGIN and the JVM finds its home through /proc/self/exe, so /proc is mounted.
in_root() {
  local root=$1 user=$2; shift 2
  mount -t proc proc "$root/proc"
  local status=0
  chroot --userspec="$user" "$root" /opt/java/openjdk/bin/java "$@" || status=$?
  umount "$root/proc"
  return $status
}
in_chroot() { in_root "$rootfs" 0:0 "$@"; }

echo "== base image $BASE_TAG from $JDK"
"$JDK/bin/jlink" --module-path "$JDK/jmods" --add-modules "$MODULES" --output "$runtime" \
  --strip-debug --no-header-files --no-man-pages
# Debian's JDK keeps the CA bundle outside the JDK; the runtime needs its own copy.
cp -L "$JDK/lib/security/cacerts" "$runtime/lib/security/cacerts"
for binary in "$runtime/bin/java" $(find "$runtime/lib" -name '*.so'); do
  ldd "$binary" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}'
done | grep -v "^$runtime" | sort -u | while read -r lib; do cp -L --parents "$lib" "$rootfs"; done
mkdir -p "$rootfs/etc" "$rootfs/tmp" "$rootfs/proc"
chmod 1777 "$rootfs/tmp"
printf 'root:x:0:0:root:/root:/sbin/nologin\napp:x:10001:10001:me-service:/app:/sbin/nologin\n' > "$rootfs/etc/passwd"
printf 'root:x:0:\napp:x:10001:\n' > "$rootfs/etc/group"
in_chroot -version 2>&1 | head -1
cat > "$work/Containerfile" <<'BASE'
FROM scratch
COPY rootfs/ /
ENV JAVA_HOME=/opt/java/openjdk PATH=/opt/java/openjdk/bin LANG=C.UTF-8
BASE
"${PODMAN[@]}" "${BUILD[@]}" -t "$BASE_TAG" "$work" >/dev/null

echo "== image $TAG"
"${PODMAN[@]}" "${BUILD[@]}" --build-arg BASE_IMAGE="$BASE_TAG" -t "$TAG" . >/dev/null

# Rebuilds leave the previous layers untagged; vfs stores each one as a full copy.
"${PODMAN[@]}" image prune -f >/dev/null

echo "== checks"
inspect() { "${PODMAN[@]}" image inspect "$TAG" --format "$1"; }
expect() {
  if [ "$2" != "$3" ]; then echo "FAIL: $1: expected $3, got $2"; exit 1; fi
  echo "ok: $1 = $2"
}
expect entrypoint "$(inspect '{{json .Config.Entrypoint}}')" \
  '["java","-XX:InitialRAMPercentage=25","-XX:MaxRAMPercentage=60","-XX:+UseSerialGC","-XX:MaxMetaspaceSize=128m","-XX:MaxDirectMemorySize=64m","-XX:+ExitOnOutOfMemoryError","-jar","/app/me-service.jar"]'
expect cmd "$(inspect '{{json .Config.Cmd}}')" '["serve"]'
expect user "$(inspect '{{.Config.User}}')" '10001:10001'
expect exposed "$(inspect '{{json .Config.ExposedPorts}}')" '{"8080/tcp":{},"9090/tcp":{}}'
expect healthcheck "$(inspect '{{json .Config.Healthcheck.Test}}')" \
  '["CMD","java","-XX:TieredStopAtLevel=1","-XX:+UseSerialGC","-Xmx32m","-jar","/app/me-service.jar","healthcheck"]'

mounted=$("${PODMAN[@]}" image mount "$TAG")
trap '"${PODMAN[@]}" image unmount "$TAG" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
# The jar is root's and nobody may write it: the service user cannot replace the code it runs.
expect "jar owner" "$(stat -c '%u:%g' "$mounted/app/me-service.jar")" '0:0'
expect "jar's group and other write bits" "$(( 0$(stat -c '%a' "$mounted/app/me-service.jar") & 022 ))" 0
expect "/app owner" "$(stat -c '%u:%g' "$mounted/app")" '0:0'
usage=$(in_root "$mounted" 10001:10001 -jar /app/me-service.jar help)
expect "jar runs in the image as 10001" "$(echo "$usage" | head -1)" 'usage: java -jar me-service.jar COMMAND'
status=0
PORT=9 in_root "$mounted" 10001:10001 -XX:+UseSerialGC -jar /app/me-service.jar healthcheck 2>/dev/null || status=$?
expect "healthcheck exit status with nothing listening (defaults from the jar, no conf/)" "$status" 1
# serve as the image starts it, on a database that refuses: every class it loads at start-up
# (logging, metrics, epoll, the pool) resolves in the jlinked runtime; it stops naming the cause.
status=0
served=$(DATABASE_URL=postgresql://u:p@127.0.0.1:9/db CLERK_JWKS_URL=http://127.0.0.1:9/jwks.json PORT=0 \
  CLERK_ISSUER=https://clerk.example.com CLERK_AUTHORIZED_PARTIES=https://dashboard.example.com \
  in_root "$mounted" 10001:10001 $(inspect '{{range .Config.Entrypoint}}{{.}} {{end}}' | cut -d' ' -f2-) serve 2>&1) || status=$?
expect "serve exit status with the database refusing" "$status" 1
echo "   serve said: $(echo "$served" | tail -1 | cut -c1-200)"
if echo "$served" | grep -q -e NoClassDefFoundError -e ClassNotFoundException -e UnsatisfiedLinkError; then
  echo "FAIL: serve in the image misses a class or library:"; echo "$served" | tail -20; exit 1
fi

echo "== sizes"
jar_bytes=$(stat -c %s target/me-service.jar)
image_bytes=$(inspect '{{.Size}}')
mb() { awk -v b="$1" 'BEGIN {printf "%.1f MB", b / 1e6}'; }
echo "production jar: $(mb "$jar_bytes") (target/me-service.jar; limit $(mb "$MAX_JAR_BYTES"))"
echo "image:          $(mb "$image_bytes") ($TAG; limit $(mb "$MAX_IMAGE_BYTES"); base $(mb "$("${PODMAN[@]}" image inspect "$BASE_TAG" --format '{{.Size}}')"))"
[ "$jar_bytes" -lt "$MAX_JAR_BYTES" ] || { echo "FAIL: the production jar is over $(mb "$MAX_JAR_BYTES")"; exit 1; }
[ "$image_bytes" -lt "$MAX_IMAGE_BYTES" ] || { echo "FAIL: the image is over $(mb "$MAX_IMAGE_BYTES")"; exit 1; }
echo "image $TAG built and checked"
