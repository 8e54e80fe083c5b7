"""One summary line for a benchmark step, from SIPp's -trace_stat CSV and -trace_rtt CSV."""
import csv
import sys

path, rate, asked, stat_file, rtt_file, ticks, clk = sys.argv[1:8]
# Calls the relay refused with 503 (overload): the scenario ends them normally after the ACK, so
# SIPp counts them as successful; they are failures here.
refused = int(sys.argv[8]) if len(sys.argv) > 8 and sys.argv[8].isdigit() else 0
asked, rate, ticks, clk = int(asked), int(rate), int(ticks), int(clk)
rows = list(csv.reader(open(stat_file), delimiter=';'))
head, last = rows[0], rows[-1]
col = {name: i for i, name in enumerate(head)}


def value(name):
    return int(float(last[col[name]])) if name in col else 0


ok = value('SuccessfulCall(C)') - refused
failed = value('FailedCall(C)') + refused
retrans = value('Retransmissions(C)')
elapsed = last[col['ElapsedTime(C)']]
h, m, s = elapsed.split(':')[:3]
seconds = int(h) * 3600 + int(m) * 60 + float(s)
achieved = ok / seconds if seconds else 0
rtts = []
try:
    for r in csv.reader(open(rtt_file), delimiter=';'):
        try:
            rtts.append(float(r[1]))
        except (ValueError, IndexError):
            pass
except FileNotFoundError:
    pass
rtts.sort()


def pct(p):
    return rtts[min(len(rtts) - 1, int(p / 100 * len(rtts)))] if rtts else float('nan')


cpu = ticks * 1000.0 / clk / ok if ok and ticks else 0
clean = failed < 0.001 * asked and retrans < 0.01 * asked and ok >= 0.95 * asked
print(f"{path} {rate} {asked} {ok} {failed} {retrans} {achieved:.0f} {pct(50):.2f} {pct(99):.2f} "
      f"{cpu:.3f} {'clean' if clean else 'NOT-clean'}")
