#!/usr/bin/env python3
"""Creates N registering trunks pointing at a local registrar, over one keep-alive connection."""
import http.client, json, sys

admin_port, key, n, registrar_port = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
expires = int(sys.argv[5]) if len(sys.argv) > 5 else 3600
conn = http.client.HTTPConnection("127.0.0.1", admin_port, timeout=30)
for i in range(n):
    body = json.dumps({"name": f"bench-{i}", "proxy": f"127.0.0.1:{registrar_port}", "username": f"u{i}",
                       "password": "bench-pw", "realm": "bench.example", "register_expires": expires})
    conn.request("POST", "/v1/trunks", body, {"Authorization": "Bearer " + key, "Content-Type": "application/json"})
    r = conn.getresponse()
    data = r.read()
    if r.status != 201:
        sys.exit(f"trunk {i}: HTTP {r.status} {data[:200]!r}")
print(f"created {n} trunks")
