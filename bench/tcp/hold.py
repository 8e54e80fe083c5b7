#!/usr/bin/env python3
"""Holds N idle TCP connections to the gateway, then checks they are still served.

    hold.py PORT N READY_FILE

Connections come from 127.0.10.1, 127.0.10.2, ... (250 per source address, under the
gateway's default sip.tcp_max_connections_per_address of 256). When all are open it writes
"open=N" to READY_FILE and waits for SIGUSR1; then it sends an OPTIONS on every 100th
connection, counts the 200s and the connections the gateway closed, prints them and exits.
"""
import signal
import socket
import sys
import time

port, n, ready = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
PER_ADDRESS = 250
socks = []
t0 = time.time()
for i in range(n):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.10.%d" % (i // PER_ADDRESS + 1), 0))
    s.connect(("127.0.0.1", port))
    socks.append(s)
with open(ready, "w") as f:
    f.write("open=%d seconds=%.1f\n" % (len(socks), time.time() - t0))

go = []
signal.signal(signal.SIGUSR1, lambda *_: go.append(1))
while not go:
    time.sleep(0.2)

answered = closed = 0
for k, s in enumerate(socks[::100]):
    local = "%s:%d" % s.getsockname()
    msg = ("OPTIONS sip:127.0.0.1:%d;transport=tcp SIP/2.0\r\n"
           "Via: SIP/2.0/TCP %s;branch=z9hG4bK-hold-%d\r\nMax-Forwards: 70\r\n"
           "From: <sip:hold@%s>;tag=%d\r\nTo: <sip:gw@127.0.0.1>\r\nCall-ID: hold-%d@bench\r\n"
           "CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n") % (port, local, k, local, k, k)
    try:
        s.settimeout(5)
        s.sendall(msg.encode())
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                closed += 1
                break
            data += chunk
        if data.lstrip().startswith(b"SIP/2.0 200"):
            answered += 1
    except OSError:
        closed += 1
print("probed=%d answered_200=%d closed=%d" % (len(socks[::100]), answered, closed))
