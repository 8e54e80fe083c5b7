#!/usr/bin/env bash
# Inbound benchmark: a carrier (SIPp uac from 127.0.0.2, the trunk's inbound_ip) calls a
# DID; the gateway asks the application's webhook (a local responder answering "forward" to the
# platform) and relays the call to the platform (SIPp built-in uas). Per rate: calls asked/ok/
# failed, retransmissions, achieved rate, INVITE→200 p50/p99 (SIPp rtd, includes the webhook round
# trip), gateway CPU per call. Baseline in the same run: the same uac straight to the uas.
# Then the flood step: real calls at FLOOD_CALLS cps while a scanner (127.0.0.9, no trunk) sends
# INVITEs at FLOOD_RATE; both are reported (the scanner's "ok" = 403s received).
#   bash bench/inbound/run.sh [SECONDS_PER_STEP] [RATE...]      (env FLOOD_RATE, FLOOD_CALLS)
set -euo pipefail
cd "$(dirname "$0")/../.."
STEP=${1:-15}; shift || true
RATES=${*:-"100 200 400"}
FLOOD_RATE=${FLOOD_RATE:-2000}
FLOOD_CALLS=${FLOOD_CALLS:-100}
JAVA=${JAVA:-java}
KEY=bench-key-0123456789abcdef
WORK=$(mktemp -d /tmp/mv-bench-inbound.XXXXXX)
ADMIN=18091; GW_EXT=15360; GW_INT=15380; UAS=15370; RESP=18092
PIDS=()
# The gateway's database is gigabytes after a run: removed; logs and raw figures stay in $WORK.
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK/data"; }
trap cleanup EXIT
command -v sipp >/dev/null || { apt-get update -qq && apt-get install -y -qq sip-tester; }
mvn -B -q -DskipTests package
clk=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14+$15}' /proc/"$1"/stat; }

run_uac() { # name rate calls target src-ip scenario extra...
  local name=$1 rate=$2 n=$3 target=$4 src=$5 sf=$6; shift 6
  sipp "$target" -sf "$sf" -i "$src" -p 16001 -mp 16400 -cp 16490 -r "$rate" -m "$n" -d 0 -nostdin \
       -buff_size 4194304 -timeout $(( STEP + 40 ))s -trace_stat -stf "$WORK/$name.csv" -fd 1 \
       -trace_rtt -rtt_freq 1 "$@" > "$WORK/$name.out" 2>&1 || true
  mv -f "$(ls -t "$(basename "$sf" .xml)"_*_rtt.csv 2>/dev/null | head -1)" "$WORK/$name-rtt.csv" 2>/dev/null || true
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $($JAVA -version 2>&1 | head -1), $(sipp -v 2>&1 | grep -o 'SIPp v[0-9.]*' | head -1)"
echo "path rate asked ok failed retrans achieved_cps inv200_p50_ms inv200_p99_ms cpu_ms_per_call clean"

echo '{"actions":[{"type":"forward","to":"sip:agent@127.0.0.1:'$UAS'","timeout":10}]}' > "$WORK/actions.json"
$JAVA bench/inbound/Responder.java $RESP "$WORK/actions.json" > "$WORK/responder.log" 2>&1 & PIDS+=("$!")

export MINIVOICE_SECURITY_ALLOWED_PRIVATE_CIDRS=127.0.0.0/8,::1/128
# One customer carries the whole load here: no per-customer quotas.
export MINIVOICE_QUOTAS_CONCURRENT_CALLS=0 MINIVOICE_QUOTAS_CALLS_PER_SECOND=0 MINIVOICE_QUOTAS_TRUNKS=0 MINIVOICE_QUOTAS_NUMBERS=0
export MINIVOICE_API_KEY=$KEY MINIVOICE_DATA_DIR=$WORK/data MINIVOICE_ADMIN_PORT=$ADMIN \
       MINIVOICE_SIP_EXTERNAL_PORT=$GW_EXT MINIVOICE_SIP_INTERNAL_PORT=$GW_INT MINIVOICE_LOG_LEVEL=WARN
$JAVA ${MINIVOICE_JAVA_OPTS:-} -jar target/minivoice-gateway.jar > "$WORK/gw.log" 2>&1 & GW=$!; PIDS+=("$GW")
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$ADMIN/health" >/dev/null && break; sleep 0.25; done
for _ in $(seq 1 40); do curl -sf -o /dev/null "http://127.0.0.1:$RESP/" -d '{}' && break; sleep 0.25; done
api() { curl -sf -X POST "http://127.0.0.1:$ADMIN$1" -H "Authorization: Bearer $KEY" -d "$2"; }
APP=$(api /v1/applications '{"name":"bench","webhook_url":"http://127.0.0.1:'$RESP'/actions"}' \
      | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["id"])')
api /v1/numbers '{"number":"+15551230020","application_id":"'$APP'"}' > /dev/null
api /v1/trunks '{"name":"bench-carrier","proxy":"127.0.0.2","inbound_ip":"127.0.0.2","direction":"inbound"}' > /dev/null

sipp -sn uas -i 127.0.0.1 -p $UAS -mp 16300 -cp 16390 -nostdin -buff_size 4194304 > "$WORK/uas.out" 2>&1 &
PIDS+=("$!"); sleep 0.5
# warm-up of the gateway's JIT (not reported)
run_uac warmup 100 2000 "127.0.0.1:$GW_EXT" 127.0.0.2 bench/inbound/uac.xml
for r in $RATES; do
  n=$(( r * STEP ))
  run_uac "direct-$r" "$r" "$n" "127.0.0.1:$UAS" 127.0.0.2 bench/inbound/uac.xml
  python3 bench/relay/summarise.py direct "$r" "$n" "$WORK/direct-$r.csv" "$WORK/direct-$r-rtt.csv" 0 "$clk"
  c0=$(cpu_ticks "$GW")
  run_uac "gateway-$r" "$r" "$n" "127.0.0.1:$GW_EXT" 127.0.0.2 bench/inbound/uac.xml
  c1=$(cpu_ticks "$GW")
  python3 bench/relay/summarise.py gateway "$r" "$n" "$WORK/gateway-$r.csv" "$WORK/gateway-$r-rtt.csv" \
      "$(( c1 - c0 ))" "$clk"
done

# Flood: scanner and real calls at once.
nf=$(( FLOOD_RATE * STEP )); nc=$(( FLOOD_CALLS * STEP ))
sipp "127.0.0.1:$GW_EXT" -sf bench/inbound/scanner.xml -i 127.0.0.9 -p 16002 -mp 16500 -cp 16590 -r "$FLOOD_RATE" \
     -m "$nf" -nostdin -buff_size 4194304 -timeout $(( STEP + 40 ))s -trace_stat -stf "$WORK/scanner.csv" -fd 1 \
     -key to +15551230020 > "$WORK/scanner.out" 2>&1 & SCAN=$!; PIDS+=("$SCAN")
sleep 1
c0=$(cpu_ticks "$GW")
run_uac "flood-calls" "$FLOOD_CALLS" "$nc" "127.0.0.1:$GW_EXT" 127.0.0.2 bench/inbound/uac.xml
wait "$SCAN" || true
c1=$(cpu_ticks "$GW")
python3 bench/relay/summarise.py "calls-under-flood" "$FLOOD_CALLS" "$nc" "$WORK/flood-calls.csv" \
    "$WORK/flood-calls-rtt.csv" 0 "$clk"
python3 bench/relay/summarise.py "scanner-403s" "$FLOOD_RATE" "$nf" "$WORK/scanner.csv" /dev/null \
    "$(( c1 - c0 ))" "$clk"
echo "raw files: $WORK"
