#!/usr/bin/env bash
# Scale-out benchmark (docs/scale-out.md): N trunks over two gateway nodes on one PostgreSQL.
#   bash bench/cluster/run.sh [N] [LEASE_SECONDS]
# Starts a throw-away PostgreSQL (Debian's binaries, temp dir, port 15432), a SIPp registrar that
# challenges every REGISTER, node-a, then node-b; creates N trunks through node-a and measures the
# seconds until node-b's API shows all N REGED (and how they are split). Then kill -9 of node-a:
# the seconds until node-b shows all N REGED and owned by node-b (the takeover), and SIPp's
# retransmissions. Then a cold start of both nodes with the N trunks stored: seconds until all
# REGED. Each node is a JVM of its own (2 cores shared by both, PostgreSQL and SIPp).
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-10000}
LEASE=${2:-10}
JAVA=${JAVA:-java}
KEY=bench-key-0123456789abcdef
WORK=$(mktemp -d /tmp/mv-bench-cluster.XXXXXX)
chmod 755 "$WORK"
PG_PORT=15432; REG_PORT=15070
PIDS=()
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  as_pg "$PG_BIN/pg_ctl" -D "$WORK/pg" -m immediate stop >/dev/null 2>&1 || true
  wait 2>/dev/null || true
  # The database and the nodes' data directories: removed; logs and raw figures stay in $WORK.
  find "$WORK" -mindepth 1 -maxdepth 1 -type d -exec rm -rf {} +
}
trap cleanup EXIT

mvn -B -q -DskipTests package
mkdir -p "$WORK/pg" && [ "$(id -u)" != 0 ] || chown postgres "$WORK/pg"
as_pg "$PG_BIN/initdb" -D "$WORK/pg" -U minivoice --auth=trust >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$WORK/pg" -o "-p $PG_PORT -k $WORK/pg -c listen_addresses=127.0.0.1" -l "$WORK/pg/log" -w start >/dev/null
"$PG_BIN/psql" -h 127.0.0.1 -p $PG_PORT -U minivoice -d postgres -qc "CREATE DATABASE minivoice" 

clk=$(getconf CLK_TCK)
cpu_s() { awk -v t="$clk" '{print ($14+$15)/t}' /proc/"$1"/stat; }
wait_health() { for _ in $(seq 1 240); do curl -sf "http://127.0.0.1:$1/health" >/dev/null && return 0; sleep 0.25; done; return 1; }

export MINIVOICE_SECURITY_ALLOWED_PRIVATE_CIDRS=127.0.0.0/8 MINIVOICE_API_KEY=$KEY
export MINIVOICE_QUOTAS_CONCURRENT_CALLS=0 MINIVOICE_QUOTAS_CALLS_PER_SECOND=0 MINIVOICE_QUOTAS_TRUNKS=0 MINIVOICE_QUOTAS_NUMBERS=0
export MINIVOICE_DATABASE_URL=jdbc:postgresql://127.0.0.1:$PG_PORT/minivoice MINIVOICE_DATABASE_USER=minivoice
export MINIVOICE_SECRET_KEY=$(head -c 32 /dev/urandom | base64) MINIVOICE_NODE_LEASE_SECONDS=$LEASE
node() { # id admin sip-ext sip-int
  MINIVOICE_NODE_ID=$1 MINIVOICE_DATA_DIR=$WORK/$1 MINIVOICE_ADMIN_PORT=$2 MINIVOICE_SIP_EXTERNAL_PORT=$3 \
  MINIVOICE_SIP_INTERNAL_PORT=$4 $JAVA ${MINIVOICE_JAVA_OPTS:-} -Xmx1g -jar target/minivoice-gateway.jar > "$WORK/$1.log" 2>&1 &
  echo $!
}

sipp -sf bench/registration/registrar-401-200.xml -i 127.0.0.1 -p $REG_PORT -mp 15100 -cp 15090 \
     -nostdin -key grant 3600 -buff_size 4194304 -trace_stat -stf "$WORK/sipp-stat.csv" -fd 1 > "$WORK/sipp.out" 2>&1 &
PIDS+=("$!")
A=$(node node-a 18081 15061 15081); PIDS+=("$A"); wait_health 18081
B=$(node node-b 18082 15062 15082); PIDS+=("$B"); wait_health 18082
sleep 3
START=$(date +%s.%N)
python3 bench/registration/create_trunks.py 18081 $KEY "$N" $REG_PORT 3600
CREATED=$(date +%s.%N)
ALL=""
for _ in $(seq 1 900); do
  s=$(python3 bench/registration/count_status.py 18082 $KEY owners)
  case "$s" in "REGED=$N |"*) ALL=$(date +%s.%N); break;; esac
  sleep 1
done
[ -n "$ALL" ] || { echo "not all REGED: $s"; exit 1; }
SPLIT=$s
CPU_A=$(cpu_s "$A"); CPU_B=$(cpu_s "$B")

KILL=$(date +%s.%N)
kill -9 "$A"
OVER=""
for _ in $(seq 1 600); do
  s=$(python3 bench/registration/count_status.py 18082 $KEY owners)
  if [ "$s" = "REGED=$N | node-b=$N" ]; then OVER=$(date +%s.%N); break; fi
  sleep 0.5
done
[ -n "$OVER" ] || { echo "no full takeover: $s"; exit 1; }
sleep 1.5
RETRANS1=$(awk -F';' 'NR==1{for(i=1;i<=NF;i++) if($i=="Retransmissions(C)") c=i; next} {last=$c} END{print last}' "$WORK/sipp-stat.csv")

# Phase 3: a cold start of both nodes with the N trunks stored (node-b stopped with SIGTERM: it
# un-REGISTERs and hands its leases back), measured from the start of both JVMs.
kill -TERM "$B"; while kill -0 "$B" 2>/dev/null; do sleep 0.2; done  # (not this shell's child: no wait)
COLD=$(date +%s.%N)
A=$(node node-a 18081 15061 15081); PIDS+=("$A")
B=$(node node-b 18082 15062 15082); PIDS+=("$B")
wait_health 18081; wait_health 18082
COLD_ALL=""
for _ in $(seq 1 600); do
  s=$(python3 bench/registration/count_status.py 18082 $KEY owners)
  case "$s" in "REGED=$N |"*node-a=*node-b=*) COLD_ALL=$(date +%s.%N); break;; esac
  sleep 1
done
[ -n "$COLD_ALL" ] || { echo "cold start: not all REGED: $s"; exit 1; }
COLD_SPLIT=$s
CPU_A2=$(cpu_s "$A"); CPU_B2=$(cpu_s "$B")
sleep 1.5
RETRANS=$(awk -F';' 'NR==1{for(i=1;i<=NF;i++) if($i=="Retransmissions(C)") c=i; next} {last=$c} END{print last}' "$WORK/sipp-stat.csv")
awk -v n="$N" -v t0="$START" -v tc="$CREATED" -v t1="$ALL" -v tk="$KILL" -v to="$OVER" -v sp="$SPLIT" \
    -v ca="$CPU_A" -v cb="$CPU_B" -v rt="$RETRANS" -v lease="$LEASE" \
    -v t2="$COLD" -v tc2="$COLD_ALL" -v sp2="$COLD_SPLIT" -v ca2="$CPU_A2" -v cb2="$CPU_B2" 'BEGIN {
  printf "trunks=%d lease_seconds=%s\ncreate_seconds=%.1f (API, one connection, node-a)\n", n, lease, tc-t0;
  printf "seconds_to_all_reged_from_first_create=%.1f\nsplit_when_all_reged=%s\n", t1-t0, sp;
  printf "cpu_seconds_until_then node-a=%.1f node-b=%.1f\n", ca, cb;
  printf "takeover_seconds_after_kill9=%.1f (all %d REGED and owned by node-b)\n", to-tk, n;
  printf "cold_start_seconds_to_all_reged=%.1f (both JVMs started together; includes JVM start and the start-up spread)\n", tc2-t2;
  printf "cold_start_split=%s\ncold_start_cpu_seconds node-a=%.1f node-b=%.1f\nsipp_retransmissions_total=%s\n", sp2, ca2, cb2, rt }'
echo "work dir: $WORK"
