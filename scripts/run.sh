#!/usr/bin/env bash
# Builds the gateway and runs it on the embedded database (./data), with config/gateway.yml.
# Extra arguments go to the gateway (e.g. --config other.yml). JAVA=/path/to/java picks the JVM,
# MINIVOICE_JAVA_OPTS adds JVM options (docs/operations.md, "JVM and garbage collector").
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests package
# shellcheck disable=SC2086 # the options are separate words
exec "${JAVA:-java}" ${MINIVOICE_JAVA_OPTS:-} -jar target/minivoice-gateway.jar "$@"
