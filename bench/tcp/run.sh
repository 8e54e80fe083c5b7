#!/usr/bin/env bash
# Idle TCP connections: N connections held open to the gateway's carrier port.
#   bash bench/tcp/run.sh [N]
# Reports the gateway's threads, resident memory and open files before and with the N connections
# held, whether OPTIONS are still answered (SIPp over UDP and over a new TCP connection, and on
# every 100th held connection), and how long opening them took.
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-10000}
JAVA=${JAVA:-java}
WORK=$(mktemp -d /tmp/mv-bench-tcp.XXXXXX)
ADMIN=18080; SIP_EXT=15060; SIP_INT=15080
export MINIVOICE_DATA_DIR=$WORK/data MINIVOICE_ADMIN_PORT=$ADMIN \
       MINIVOICE_SIP_EXTERNAL_PORT=$SIP_EXT MINIVOICE_SIP_INTERNAL_PORT=$SIP_INT \
       MINIVOICE_API_KEY=bench-key-0123456789abcdef
PIDS=()
# The gateway's database is gigabytes after a run: removed; logs and raw figures stay in $WORK.
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK/data"; }
trap cleanup EXIT
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

mvn -B -q -DskipTests package
wait_health() { for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$ADMIN/health" >/dev/null && return 0; sleep 0.25; done; return 1; }
state() { # threads rss_kb fds
  echo "$(awk '/^Threads/ {print $2}' /proc/"$1"/status) $(awk '/^VmRSS/ {print $2}' /proc/"$1"/status) $(ls /proc/"$1"/fd | wc -l)"
}
options() { # transport local_port -> exit code of 20 OPTIONS (0: all answered 200)
  sipp -sf sipp-scenarios/uac-options-expect-200.xml 127.0.0.1:$SIP_EXT -t "$1" -i 127.0.0.1 -p "$2" \
       -m 20 -r 20 -timeout 20s -nostdin > "$WORK/sipp-$1.out" 2>&1 && echo 0 || echo $?
}

$JAVA ${MINIVOICE_JAVA_OPTS:-} -jar target/minivoice-gateway.jar > "$WORK/gw.log" 2>&1 & GW=$!; PIDS+=("$GW")
wait_health
sleep 2
read -r T0 R0 F0 <<< "$(state $GW)"
python3 bench/tcp/hold.py $SIP_EXT "$N" "$WORK/ready" > "$WORK/hold.out" 2>&1 & HOLD=$!; PIDS+=("$HOLD")
for _ in $(seq 1 600); do [ -s "$WORK/ready" ] && break; kill -0 $HOLD 2>/dev/null || break; sleep 0.5; done
[ -s "$WORK/ready" ] || { echo "connections not opened:"; cat "$WORK/hold.out"; exit 1; }
sleep 5
read -r T1 R1 F1 <<< "$(state $GW)"
UDP=$(options u1 15101); TCP=$(options t1 15102)
kill -USR1 $HOLD; wait $HOLD || true
kill -TERM $GW; wait $GW || true
echo "connections: $(cat "$WORK/ready")"
echo "gateway_threads: before=$T0 with_connections=$T1"
echo "gateway_rss_kb: before=$R0 with_connections=$R1 (per connection ~$(( (R1 - R0) / N )) KB)"
echo "gateway_open_files: before=$F0 with_connections=$F1"
echo "options_while_held: udp_exit=$UDP tcp_exit=$TCP (0 = all 20 answered 200)"
echo "held_connections: $(cat "$WORK/hold.out")"
echo "work dir: $WORK"
