# Runtime image for me-service. Build the jar first (`mvn -B -ntp package -DskipTests`), then:
#   podman build --isolation chroot --storage-driver vfs --format docker \
#     --build-arg BASE_IMAGE=<a JRE 17+ image with `java` on PATH> -t me-service .
# `.ci/image.sh` does both with a base image made locally from this machine's JDK (nothing pulled).
# No RUN step: the image builds on any base, including one without a shell (distroless, scratch).
ARG BASE_IMAGE=eclipse-temurin:17-jre
FROM ${BASE_IMAGE}

WORKDIR /app
COPY --chown=10001:10001 target/me-service.jar /app/me-service.jar
COPY --chown=10001:10001 conf/ /app/conf/

# A numeric user needs no passwd entry in the base image; never root.
USER 10001:10001
EXPOSE 8080
ENV LOG_FORMAT=json

# Liveness only (never the database): a second JVM, small and short-lived, so no curl is needed.
# Kept in the image (docker format); Kubernetes ignores it and uses the probes in the README.
HEALTHCHECK --interval=30s --timeout=10s --start-period=40s --retries=3 \
  CMD ["java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx32m", "-jar", "/app/me-service.jar", "healthcheck"]

# exec form: java is PID 1 and receives SIGTERM itself, which starts the graceful shutdown.
# Heap from the container's memory limit, not the host's; die (and get restarted) on OOM.
ENTRYPOINT ["java", "-XX:+UseContainerSupport", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", \
  "-jar", "/app/me-service.jar"]
CMD ["serve"]
