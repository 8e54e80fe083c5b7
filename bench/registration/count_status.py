#!/usr/bin/env python3
"""Prints how many trunks are in each registration_status."""
import http.client, json, sys, collections

admin_port, key = int(sys.argv[1]), sys.argv[2]
conn = http.client.HTTPConnection("127.0.0.1", admin_port, timeout=30)
conn.request("GET", "/v1/trunks", headers={"Authorization": "Bearer " + key})
r = conn.getresponse()
trunks = json.loads(r.read())["data"]
c = collections.Counter(t["registration_status"] for t in trunks)
print(" ".join(f"{k}={v}" for k, v in sorted(c.items())))
