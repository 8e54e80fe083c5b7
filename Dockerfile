# The runtime image: Java 17 bytecode runs on any later JRE; for generational ZGC build with
# --build-arg JRE_IMAGE=eclipse-temurin:25-jre and set JDK_JAVA_OPTIONS=-XX:+UseZGC
# (docs/operations.md, "JVM and garbage collector").
ARG JRE_IMAGE=eclipse-temurin:17-jre

# Build stage: the same Maven build as scripts/run.sh.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src ./src
RUN mvn -B -q -DskipTests package

FROM ${JRE_IMAGE}
# The gateway runs as an unprivileged user of its own (docs/security.md): SIP and admin ports
# are above 1024, and only the data directory is writable.
RUN groupadd --system --gid 10001 minivoice \
    && useradd --system --uid 10001 --gid minivoice --home-dir /var/lib/minivoice --shell /usr/sbin/nologin minivoice \
    && mkdir -p /var/lib/minivoice && chown minivoice:minivoice /var/lib/minivoice && chmod 0700 /var/lib/minivoice
WORKDIR /opt/minivoice
COPY --from=build /src/target/minivoice-gateway.jar ./minivoice-gateway.jar
COPY config ./config
# Inside a container the gateway listens on all interfaces; what reaches which port is decided by
# docker-compose.yml (published ports, networks) and sip.trusted_cidrs. The data lives on a volume.
ENV MINIVOICE_ADMIN_BIND=0.0.0.0 \
    MINIVOICE_SIP_BIND=0.0.0.0 \
    MINIVOICE_DATA_DIR=/var/lib/minivoice
VOLUME /var/lib/minivoice
USER minivoice:minivoice
EXPOSE 5060/udp 5060/tcp 5080/udp 5080/tcp 8080/tcp
STOPSIGNAL SIGTERM
ENTRYPOINT ["java", "-jar", "/opt/minivoice/minivoice-gateway.jar"]
