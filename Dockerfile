# Runtime image for me-service. Build the jar first (`mvn -B -ntp package -DskipTests`), then:
#   podman build --isolation chroot --storage-driver vfs --build-arg BASE_IMAGE=<a JRE 17+ image> -t me-service .
ARG BASE_IMAGE=eclipse-temurin:17-jre
FROM ${BASE_IMAGE}

ARG APP_UID=10001
WORKDIR /app
RUN (getent group app || groupadd --system --gid ${APP_UID} app) \
 && (getent passwd app || useradd --system --uid ${APP_UID} --gid app --home-dir /app --shell /usr/sbin/nologin app)

COPY --chown=app:app target/me-service.jar /app/me-service.jar
COPY --chown=app:app conf/ /app/conf/

USER app
EXPOSE 8080
ENV LOG_FORMAT=json \
    JAVA_TOOL_OPTIONS="-XX:+UseContainerSupport -XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"

# exec form: the JVM is PID 1's direct child of nothing, so it receives SIGTERM itself.
ENTRYPOINT ["java", "-jar", "/app/me-service.jar"]
CMD ["serve"]
