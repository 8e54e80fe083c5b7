#!/usr/bin/env bash
# Registration benchmark: N trunks registering against a SIPp registrar on loopback.
#   bash bench/registration/run.sh [N] [STEADY_SECONDS] [GRANTED_EXPIRES]
# Phase 1 creates N trunks (the registrar challenges every REGISTER and grants GRANTED_EXPIRES,
# default 3600 = the trunks' default; 60 is a stress case), then stops the
# gateway. Phase 2 restarts it and measures: seconds until all N are REGED, gateway CPU seconds
# and heap during start-up, then CPU over STEADY_SECONDS of steady refresh (every trunk refreshes
# every 0.765-0.85 × GRANTED_EXPIRES), and SIPp's count of retransmitted REGISTERs.
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-1000}
STEADY=${2:-120}
GRANT=${3:-3600}
JAVA=${JAVA:-java}
KEY=bench-key-0123456789abcdef
WORK=$(mktemp -d /tmp/mv-bench-reg.XXXXXX)
ADMIN=18080; SIP_EXT=15060; SIP_INT=15080; REG_PORT=15070
export MINIVOICE_SECURITY_ALLOWED_PRIVATE_CIDRS=127.0.0.0/8,::1/128
# One customer carries the whole load here: no per-customer quotas.
export MINIVOICE_QUOTAS_CONCURRENT_CALLS=0 MINIVOICE_QUOTAS_CALLS_PER_SECOND=0 MINIVOICE_QUOTAS_TRUNKS=0 MINIVOICE_QUOTAS_NUMBERS=0
export MINIVOICE_API_KEY=$KEY MINIVOICE_DATA_DIR=$WORK/data MINIVOICE_ADMIN_PORT=$ADMIN \
       MINIVOICE_SIP_EXTERNAL_PORT=$SIP_EXT MINIVOICE_SIP_INTERNAL_PORT=$SIP_INT
PIDS=()
# The gateway's database is gigabytes after a run: removed; logs and raw figures stay in $WORK.
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK/data"; }
trap cleanup EXIT

mvn -B -q -DskipTests package
clk=$(getconf CLK_TCK)
cpu_s() { awk -v t="$clk" '{print ($14+$15)/t}' /proc/"$1"/stat; }
wait_health() { for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$ADMIN/health" >/dev/null && return 0; sleep 0.25; done; return 1; }

sipp -sf bench/registration/registrar-401-200.xml -i 127.0.0.1 -p $REG_PORT -mp 15100 -cp 15090 \
     -nostdin -key grant "$GRANT" -buff_size 4194304 -trace_stat -stf "$WORK/sipp-stat.csv" -fd 1 > "$WORK/sipp.out" 2>&1 &
PIDS+=("$!")
sleep 1

# Phase 1: create the trunks.
$JAVA ${MINIVOICE_JAVA_OPTS:-} -jar target/minivoice-gateway.jar > "$WORK/gw1.log" 2>&1 & GW=$!; PIDS+=("$GW")
wait_health
python3 bench/registration/create_trunks.py $ADMIN $KEY "$N" $REG_PORT "$GRANT"
kill -TERM $GW; wait $GW || true

# Phase 2: the measured restart.
START=$(date +%s.%N)
$JAVA ${MINIVOICE_JAVA_OPTS:-} -jar target/minivoice-gateway.jar > "$WORK/gw2.log" 2>&1 & GW=$!; PIDS+=("$GW")
wait_health
ALL=""
for _ in $(seq 1 600); do
  s=$(python3 bench/registration/count_status.py $ADMIN $KEY)
  if [ "$s" = "REGED=$N" ]; then ALL=$(date +%s.%N); break; fi
  sleep 2   # each poll lists every trunk: poll gently, it costs the gateway CPU too
done
[ -n "$ALL" ] || { echo "not all REGED: $s"; exit 1; }
CPU_START=$(cpu_s $GW)
jcmd $GW GC.run >/dev/null
HEAP_START=$(jcmd $GW GC.heap_info | awk '/used/ {for(i=1;i<=NF;i++) if($i=="used") {print $(i+1); exit}}')
sleep "$STEADY"
CPU_STEADY_END=$(cpu_s $GW)
s_after=$(python3 bench/registration/count_status.py $ADMIN $KEY)
jcmd $GW GC.run >/dev/null
HEAP_STEADY=$(jcmd $GW GC.heap_info | awk '/used/ {for(i=1;i<=NF;i++) if($i=="used") {print $(i+1); exit}}')
kill -TERM $GW; wait $GW || true
sleep 1.5
RETRANS=$(awk -F';' 'NR==1{for(i=1;i<=NF;i++) if($i=="Retransmissions(C)") c=i; next} {last=$c} END{print last}' "$WORK/sipp-stat.csv")
FAILED_ANY=$(grep -c -e "-> FAILED" -e "-> FAIL_WAIT" -e "-> TIMEOUT" -e "-> EXPIRED" "$WORK/gw2.log" || true)

awk -v n="$N" -v t0="$START" -v t1="$ALL" -v c0="$CPU_START" -v c1="$CPU_STEADY_END" -v st="$STEADY" \
    -v h0="$HEAP_START" -v h1="$HEAP_STEADY" -v rt="$RETRANS" -v f="$FAILED_ANY" -v after="$s_after" -v g="$GRANT" 'BEGIN {
  printf "granted_expires=%s\ntrunks=%d\nseconds_to_all_reged=%.1f (includes JVM start and the %s s start-up spread)\n", g, n, t1-t0, "20";
  printf "cpu_seconds_startup=%.2f\nheap_used_after_startup=%s\n", c0, h0;
  printf "steady_cpu_share_of_one_core=%.2f%% over %d s\nheap_used_steady=%s\n", 100*(c1-c0)/st, st, h1;
  printf "status_after_steady=%s\nsipp_retransmissions=%s\nfailure_log_lines=%d\n", after, rt, f }'
echo "work dir: $WORK"
