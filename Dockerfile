# Runtime image for me-service: the production jar alone (its defaults are inside it; no embedded
# PostgreSQL, which only me-service-dev.jar carries). Build the jar first
# (`mvn -B -ntp package -DskipTests`), then:
#   podman build --isolation chroot --storage-driver vfs --format docker \
#     --build-arg BASE_IMAGE=<a JRE 17+ image with `java` on PATH> -t me-service .
# `.ci/image.sh` does both with a base image made locally from this machine's JDK (nothing pulled).
# No RUN step: the image builds on any base, including one without a shell (distroless, scratch).
ARG BASE_IMAGE=eclipse-temurin:17-jre
FROM ${BASE_IMAGE}

WORKDIR /app
# /app is the working directory: a /app/conf/config.json mounted there overrides the defaults.
# The jar stays root's (COPY's default owner): the service user can read and run it, never rewrite it.
COPY target/me-service.jar /app/me-service.jar

# A numeric user needs no passwd entry in the base image; never root.
USER 10001:10001
# 8080: the API and probes; 9090: /metrics and the probes again (MANAGEMENT_PORT), for the cluster only.
EXPOSE 8080 9090
ENV LOG_FORMAT=json

# Liveness only (never the database): a second JVM, small and short-lived, so no curl is needed.
# Kept in the image (docker format); Kubernetes ignores it and uses deploy/kubernetes' probes.
HEALTHCHECK --interval=30s --timeout=10s --start-period=40s --retries=3 \
  CMD ["java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx32m", "-jar", "/app/me-service.jar", "healthcheck"]

# exec form: java is PID 1 and receives SIGTERM itself, which starts the graceful shutdown.
# Memory for a small container (<= 2 CPUs, 768 MiB-2 GiB; measured with bench/rss.sh, see docs/operations.md;
# .ci/kubernetes.sh checks deploy/kubernetes' limit against these options):
#   heap 25% of the limit at start and at most 60% (the rest: ~110 MiB of metaspace, code cache,
#   threads and the JVM itself, plus direct buffers, capped at 64 MiB); Serial GC, which on <= 2
#   CPUs keeps no GC threads competing with the event loops and ~40 MiB less native memory than G1;
#   metaspace capped so a leak ends in an OutOfMemoryError, which exits (and gets restarted).
# Benchmarks read these options from here (bench/rss.sh does), so keep them in this ENTRYPOINT.
ENTRYPOINT ["java", "-XX:InitialRAMPercentage=25", "-XX:MaxRAMPercentage=60", "-XX:+UseSerialGC", \
  "-XX:MaxMetaspaceSize=128m", "-XX:MaxDirectMemorySize=64m", "-XX:+ExitOnOutOfMemoryError", \
  "-jar", "/app/me-service.jar"]
CMD ["serve"]
