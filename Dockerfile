# Build stage: the same Maven build as scripts/run.sh.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src ./src
RUN mvn -B -q -DskipTests package

FROM eclipse-temurin:17-jre
WORKDIR /opt/minivoice
COPY --from=build /src/target/minivoice-gateway.jar ./minivoice-gateway.jar
COPY config ./config
# Inside a container the gateway must listen on all interfaces; the data lives on a volume.
ENV MINIVOICE_ADMIN_BIND=0.0.0.0 \
    MINIVOICE_SIP_BIND=0.0.0.0 \
    MINIVOICE_DATA_DIR=/var/lib/minivoice
VOLUME /var/lib/minivoice
EXPOSE 5060/udp 5060/tcp 5080/udp 5080/tcp 8080/tcp
STOPSIGNAL SIGTERM
ENTRYPOINT ["java", "-jar", "/opt/minivoice/minivoice-gateway.jar"]
