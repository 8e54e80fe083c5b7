#!/usr/bin/env bash
# Webhook dispatcher benchmark: events/s through the durable outbox on the embedded H2
# database (or, with DATABASE=postgres, a throw-away local PostgreSQL server) to local HTTP
# receivers, and enqueue-to-delivery latency.
#   [DATABASE=postgres] [EVENTS_PER_CALL=1..4] bash bench/webhooks/run.sh [RATE_PER_S] [SECONDS] [ENDPOINTS]
# EVENTS_PER_CALL (default 4): events of one call, published back to back, go out one after another
# (per-call order); 1 gives each event its own call.
# Runs eu.minivoice.gateway.bench.OutboxBench (src/test/java) with the real gateway in-process.
# JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java picks another JDK.
set -euo pipefail
cd "$(dirname "$0")/../.."
RATE=${1:-5000}
SECONDS_=${2:-20}
ENDPOINTS=${3:-4}
JAVA=${JAVA:-java}
mvn -B -q -DskipTests test-compile
mvn -B -q dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >/dev/null
CP="target/classes:target/test-classes:$(cat target/bench.classpath)"
echo "machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $($JAVA -version 2>&1 | head -1)"
export MINIVOICE_LOG_LEVEL=${MINIVOICE_LOG_LEVEL:-WARN}
DB_OPT=""
# PostgreSQL as operators run it: fsync and synchronous commit on (the tests turn them off).
if [ "${DATABASE:-h2}" = postgres ]; then DB_OPT="-Dminivoice.test.database=postgres -Dminivoice.test.postgres.durable=true"; fi
exec $JAVA ${BENCH_JVM_OPTS:-} $DB_OPT -Dbench.eventsPerCall=${EVENTS_PER_CALL:-4} -Xmx2g -Djava.util.concurrent.ForkJoinPool.common.parallelism=2 -cp "$CP" eu.minivoice.gateway.bench.OutboxBench "$RATE" "$SECONDS_" "$ENDPOINTS"
