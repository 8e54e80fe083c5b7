#!/usr/bin/env bash
# Relay benchmark: SIPp uac → X → SIPp uas at each rate, X = nothing (direct, the
# harness limit), Kamailio (stateful record-routing proxy, tuned: -x tlsf -n 2), the gateway.
#   [WARMUP=60000] bash bench/relay/run.sh [SECONDS_PER_STEP] [RATE...]
# Prints, per path and rate: calls asked/succeeded/failed, retransmissions, achieved rate,
# INVITE→200 p50/p99 (SIPp rtd), and for the relays CPU ms per call (utime+stime of the process)
# and the INVITE-in → INVITE-out delay p50/p99 on the wire (tcpdump on lo, bench/relay/delay.py).
# HOLD_RATE=R (optional): afterwards, R calls/s held 30 s each through Kamailio and the gateway;
# prints the memory per held call (gateway: Java heap after a full GC; Kamailio: PSS).
# Last, for each gateway step, its CPU and context switches by thread name (SIP workers, writers,
# GC, JIT compiler), per asked call.
# "Clean": failed < 0.1 %, retransmissions < 1 % of calls, achieved >= 95 %.
# out_of_order: responses a call got when it expected none (a 180 overtaken by the 200 and
# arriving between our ACK and BYE: Kamailio forwards on parallel workers; or 200 retransmissions
# from a relay that fell behind). A UA ignores them, so SIPp does too (-abortunexp off) instead
# of failing the call; they are counted here.
# JAVA=/path/to/java [MINIVOICE_JAVA_OPTS="-XX:+UseZGC"]: the gateway's JVM and its options, as
# scripts/run.sh takes them (JAVA may carry options of its own, e.g. a GC log).
set -euo pipefail
cd "$(dirname "$0")/../.."
STEP=${1:-15}; shift || true
RATES=${*:-"500 1000 2000 3000 4000"}
JAVA=${JAVA:-java}
KEY=bench-key-0123456789abcdef
WORK=$(mktemp -d /tmp/mv-bench-relay.XXXXXX)
ADMIN=18090; GW_EXT=15260; GW_INT=15280; UAS=15270; KAM=15290
PIDS=()
# Waits for them to exit: a gateway still stopping would hold the ports of the next run.
# The gateway's database is gigabytes after a run: removed; logs and raw figures stay in $WORK.
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK/data"; }
trap cleanup EXIT
command -v sipp >/dev/null || { apt-get update -qq && apt-get install -y -qq sip-tester; }
command -v kamailio >/dev/null || { apt-get update -qq && apt-get install -y -qq kamailio; }
command -v tcpdump >/dev/null || { apt-get update -qq && apt-get install -y -qq tcpdump; }
mvn -B -q -DskipTests package
clk=$(getconf CLK_TCK)
# CPU of a process and its children (Kamailio works in forked children): utime+stime ticks.
cpu_ticks() {
  local total=0 p
  for p in "$1" $(awk -v pp="$1" '$4 == pp {print $1}' /proc/[0-9]*/stat 2>/dev/null); do
    [ -r /proc/"$p"/stat ] && total=$(( total + $(awk '{print $14+$15}' /proc/"$p"/stat) ))
  done
  echo "$total"
}

# CPU ticks and context switches of each thread of a process by name (digits folded: "GC
# Thread#0" and "#1" add up). comm may hold spaces: stat's fields are counted after its ")".
thread_ticks() { # pid
  local t
  for t in /proc/"$1"/task/*; do
    [ -r "$t/stat" ] || continue
    printf '%s\t%s\t%s\n' "$(tr -d '\n' < "$t/comm" | sed 's/[0-9][0-9]*/N/g')" \
      "$(sed 's/.*) //' "$t/stat" | awk '{print $12 + $13}')" \
      "$(awk '/ctxt_switches/ {n += $2} END {print n + 0}' "$t/status")"
  done 2>/dev/null | awk -F'\t' '{a[$1] += $2; w[$1] += $3} END {for (k in a) print k "\t" a[k] "\t" w[k]}'
}

uas_start() {
  sipp -sn uas -i 127.0.0.1 -p $UAS -mp 16100 -cp 16090 -nostdin -buff_size 4194304 > "$WORK/uas.out" 2>&1 &
  UAS_PID=$!; PIDS+=("$UAS_PID")
  sleep 0.5
}
uas_stop() { kill "$UAS_PID" 2>/dev/null || true; }

# One step: uac at RATE for STEP seconds against TARGET; prints the summary line.
step() { # path rate target pid-or-0
  local path=$1 rate=$2 target=$3 pid=$4 n=$(( $2 * STEP )) cap=""
  if [ "$pid" != 0 ]; then
    tcpdump -i lo -n -s 1500 -B 32768 -w "$WORK/$path-$rate.pcap" \
      "udp and (dst port ${target##*:} or dst port $UAS) and not src port $UAS" > /dev/null 2>&1 & cap=$!; PIDS+=("$cap")
    sleep 0.5
  fi
  local c0=0; [ "$pid" != 0 ] && c0=$(cpu_ticks "$pid")
  [ "$path" = gateway ] && thread_ticks "$pid" > "$WORK/$path-$rate.threads0"
  # SIPp's own -timeout did not end a collapsed step once unexpected messages no longer abort
  # calls (the relay's backlog kept them alive for 15 min): timeout(1) bounds it for sure.
  timeout -k 10 $(( STEP + 60 )) \
  sipp "$target" -sf bench/relay/uac.xml -i 127.0.0.1 -p 16000 -mp 16200 -cp 16080 -r "$rate" -m "$n" -d 0 \
       -default_behaviors all,-abortunexp -trace_err -error_file "$WORK/$path-$rate.err" \
       -nostdin -buff_size 4194304 -timeout $(( STEP + 40 ))s -trace_stat -stf "$WORK/$path-$rate.csv" -fd 1 \
       -trace_rtt -rtt_freq 1 > "$WORK/$path-$rate.out" 2>&1 || true
  local c1=0; [ "$pid" != 0 ] && c1=$(cpu_ticks "$pid")
  if [ "$path" = gateway ]; then # where the gateway's CPU went in this step, ms per call by thread
    thread_ticks "$pid" | awk -F'\t' -v n="$n" -v clk="$clk" 'NR == FNR {b[$1] = $2; w[$1] = $3; next}
      {d = $2 - b[$1]; if (d > 0) printf "%8.3f ms/call %6.2f switches/call  %s\n", d * 1000 / clk / n, ($3 - w[$1]) / n, $1}' \
      "$WORK/$path-$rate.threads0" - \
      | sort -rn > "$WORK/$path-$rate.threads"
  fi
  local delay="- - -"
  if [ -n "$cap" ]; then
    kill -INT "$cap" 2>/dev/null || true; wait "$cap" 2>/dev/null || true
    delay=$(python3 bench/relay/delay.py "$WORK/$path-$rate.pcap" "${target##*:}" "$UAS")
    rm -f "$WORK/$path-$rate.pcap"
  fi
  mv -f uac_*_rtt.csv "$WORK/$path-$rate-rtt.csv" 2>/dev/null || true
  echo "$(python3 bench/relay/summarise.py "$path" "$rate" "$n" "$WORK/$path-$rate.csv" "$WORK/$path-$rate-rtt.csv" \
       "$(( c1 - c0 ))" "$clk" "$(awk '$1 == "503" && $2 ~ /^<-/ {n = $3} END {print n + 0}' "$WORK/$path-$rate.out")") $delay $(cat "$WORK/$path-$rate.err" 2>/dev/null | grep -c 'Continuing call on unexpected message' || true)"
}

# Memory of a relay in KiB: the gateway's Java heap after a full GC, Kamailio's PSS (all processes).
memory_kib() { # path pid
  if [ "$1" = gateway ]; then
    jcmd "$2" GC.run > /dev/null
    jcmd "$2" GC.heap_info | awk '/used/ {for (i = 1; i <= NF; i++) if ($i == "used") {v = $(i+1); sub("K,?", "", v); print v; exit}}'
  else
    local total=0 p
    for p in "$2" $(awk -v pp="$2" '$4 == pp {print $1}' /proc/[0-9]*/stat 2>/dev/null); do
      [ -r /proc/"$p"/smaps_rollup ] && total=$(( total + $(awk '/^Pss:/ {print $2}' /proc/"$p"/smaps_rollup) ))
    done
    echo "$total"
  fi
}

# Held calls: RATE calls/s for 20 s, each held 30 s; memory read at 25 s (all 20*RATE calls up).
hold() { # path rate target pid
  local path=$1 rate=$2 target=$3 pid=$4 n=$(( $2 * 20 ))
  local m0; m0=$(memory_kib "$path" "$pid")
  sipp "$target" -sf bench/relay/uac-hold.xml -i 127.0.0.1 -p 16000 -mp 16200 -cp 16080 -r "$rate" -m "$n" -d 30000 \
       -nostdin -buff_size 4194304 -timeout 90s -trace_stat -stf "$WORK/hold-$path.csv" -fd 1 \
       > "$WORK/hold-$path.out" 2>&1 & local s=$!; PIDS+=("$s")
  sleep 25
  local held; held=$(awk -F';' 'NR == 1 {for (i = 1; i <= NF; i++) if ($i == "CurrentCall") c = i} END {print $c}' \
                      "$WORK/hold-$path.csv")
  local m1; m1=$(memory_kib "$path" "$pid")
  wait "$s" || true
  echo "hold $path held=$held memory_before_kib=$m0 memory_held_kib=$m1 per_call_bytes=$(( (m1 - m0) * 1024 / (held > 0 ? held : 1) ))"
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $($JAVA -version 2>&1 | head -1), $(sipp -v 2>&1 | grep -o 'SIPp v[0-9.]*' | head -1), $(kamailio -v 2>&1 | head -1), gateway JVM options: [${MINIVOICE_JAVA_OPTS:-}]"
echo "path rate asked ok failed retrans achieved_cps inv200_p50_ms inv200_p99_ms cpu_ms_per_call clean delay_matched delay_p50_ms delay_p99_ms delay_max_ms out_of_order"

# Gateway: one trunk to the UAS, the caller ID as a number.
export MINIVOICE_SECURITY_ALLOWED_PRIVATE_CIDRS=127.0.0.0/8,::1/128
# One customer carries the whole load here: no per-customer quotas.
export MINIVOICE_QUOTAS_CONCURRENT_CALLS=0 MINIVOICE_QUOTAS_CALLS_PER_SECOND=0 MINIVOICE_QUOTAS_TRUNKS=0 MINIVOICE_QUOTAS_NUMBERS=0
export MINIVOICE_API_KEY=$KEY MINIVOICE_DATA_DIR=$WORK/data MINIVOICE_ADMIN_PORT=$ADMIN \
       MINIVOICE_SIP_EXTERNAL_PORT=$GW_EXT MINIVOICE_SIP_INTERNAL_PORT=$GW_INT MINIVOICE_LOG_LEVEL=WARN \
       MINIVOICE_SHUTDOWN_DRAIN_SECONDS=0
$JAVA ${MINIVOICE_JAVA_OPTS:-} -jar target/minivoice-gateway.jar > "$WORK/gw.log" 2>&1 & GW=$!; PIDS+=("$GW")
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$ADMIN/health" >/dev/null && break; sleep 0.25; done
curl -sf -X POST "http://127.0.0.1:$ADMIN/v1/numbers" -H "Authorization: Bearer $KEY" -d '{"number":"+15551230001"}' >/dev/null
curl -sf -X POST "http://127.0.0.1:$ADMIN/v1/trunks" -H "Authorization: Bearer $KEY" \
     -d "{\"name\":\"bench\",\"proxy\":\"127.0.0.1:$UAS\"}" >/dev/null

sed "s/KPORT/$KAM/; s#\"UAS\"#\"sip:127.0.0.1:$UAS\"#g" bench/relay/kamailio.cfg > "$WORK/kamailio.cfg"
kamailio -f "$WORK/kamailio.cfg" -DD -E -n 2 -m 2048 -x tlsf -P "$WORK/kam.pid" > "$WORK/kam.log" 2>&1 & KPID=$!; PIDS+=("$KPID")
sleep 1

uas_start
# warm-up of the gateway's JIT (not reported): WARMUP calls at 500/s (2 min by default: with the
# old 10 s the JIT was still compiling in the first steps and doubled their CPU per call)
WARMUP=${WARMUP:-60000}
sipp "127.0.0.1:$GW_INT" -sf bench/relay/uac.xml -i 127.0.0.1 -p 16000 -mp 16200 -cp 16080 -r 500 -m "$WARMUP" -d 0 \
     -nostdin -buff_size 4194304 -timeout $(( WARMUP / 500 + 60 ))s > /dev/null 2>&1 || true
for r in $RATES; do
  step direct "$r" "127.0.0.1:$UAS" 0
  step kamailio "$r" "127.0.0.1:$KAM" "$KPID"
  step gateway "$r" "127.0.0.1:$GW_INT" "$GW"
done
if [ -n "${HOLD_RATE:-}" ]; then
  hold kamailio "$HOLD_RATE" "127.0.0.1:$KAM" "$KPID"
  hold gateway "$HOLD_RATE" "127.0.0.1:$GW_INT" "$GW"
fi
uas_stop
for f in "$WORK"/gateway-*.threads; do
  [ -e "$f" ] || continue
  echo "$(basename "$f" .threads): the gateway's CPU and context switches by thread, per asked call (JVM threads included)"
  head -12 "$f"
done
echo "raw files: $WORK"
