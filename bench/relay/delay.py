"""INVITE-in → INVITE-out delay of a relay, from a loopback capture (tcpdump -w, UDP/IPv4).

    python3 delay.py CAPTURE.pcap INGRESS_PORT EGRESS_DST_PORT

An INVITE sent to INGRESS_PORT (the relay's listening port) and the INVITE the relay sends to
EGRESS_DST_PORT (the UAS) are paired by the SDP session name (uac.xml puts the call's SIPp
Call-ID in "s="; relays pass the SDP unchanged). Prints: matched p50_ms p99_ms max_ms.
Wire to wire, so it includes the relay's socket queue and parsing, not only its own code.
"""
import struct
import sys


def packets(path):
    with open(path, 'rb') as f:
        head = f.read(24)
        magic = struct.unpack('<I', head[:4])[0]
        endian = '<' if magic in (0xa1b2c3d4, 0xa1b23c4d) else '>'
        nano = magic in (0xa1b23c4d, 0x4d3cb2a1)
        link = struct.unpack(endian + 'I', head[20:24])[0]
        while True:
            rec = f.read(16)
            if len(rec) < 16:
                return
            sec, frac, incl, _ = struct.unpack(endian + 'IIII', rec)
            data = f.read(incl)
            ts = sec + frac / (1e9 if nano else 1e6)
            off = {1: 14, 113: 16, 276: 20}.get(link, 0)  # Ethernet (lo), Linux cooked v1/v2
            ip = data[off:]
            if len(ip) < 20 or ip[0] >> 4 != 4 or ip[9] != 17:
                continue
            ihl = (ip[0] & 15) * 4
            sport, dport = struct.unpack('>HH', ip[ihl:ihl + 4])
            yield ts, sport, dport, ip[ihl + 8:]


def session(payload):
    i = payload.find(b'\ns=')
    if i < 0:
        return None
    j = payload.find(b'\n', i + 1)
    return payload[i + 3:j].strip()


def main():
    path, ingress, egress = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    came, delays = {}, []
    for ts, sport, dport, payload in packets(path):
        if not payload.startswith(b'INVITE '):
            continue
        key = session(payload)
        if key is None:
            continue
        if dport == ingress:
            came.setdefault(key, ts)  # first copy; retransmissions keep the original time
        elif dport == egress and key in came and key not in (d[0] for d in delays[-1:]):
            delays.append((key, (ts - came.pop(key)) * 1000))
    values = sorted(d for _, d in delays)
    if not values:
        print('0 nan nan nan')
        return
    pick = lambda p: values[min(len(values) - 1, int(p / 100 * len(values)))]
    print(f'{len(values)} {pick(50):.3f} {pick(99):.3f} {values[-1]:.3f}')


if __name__ == '__main__':
    main()
