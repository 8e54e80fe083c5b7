#!/usr/bin/env bash
# Builds the gateway and runs it on the embedded database (./data), with config/gateway.yml.
# Extra arguments go to the gateway (e.g. --config other.yml).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests package
exec java -jar target/minivoice-gateway.jar "$@"
