#!/usr/bin/env python3
"""Prints how many trunks are in each registration_status (every page of /v1/trunks);
with a third argument "owners", also how many each gateway node owns (owner_node, "-" for none)."""
import http.client, json, sys, collections, urllib.parse

admin_port, key = int(sys.argv[1]), sys.argv[2]
owners_too = len(sys.argv) > 3 and sys.argv[3] == "owners"
conn = http.client.HTTPConnection("127.0.0.1", admin_port, timeout=30)
c, owners = collections.Counter(), collections.Counter()
cursor = None
while True:
    path = "/v1/trunks?limit=1000" + (f"&cursor={urllib.parse.quote(cursor)}" if cursor else "")
    conn.request("GET", path, headers={"Authorization": "Bearer " + key})
    page = json.loads(conn.getresponse().read())
    c.update(t["registration_status"] for t in page["data"])
    owners.update(t.get("owner_node") or "-" for t in page["data"])
    cursor = page.get("next_cursor")
    if not cursor:
        break
line = " ".join(f"{k}={v}" for k, v in sorted(c.items()))
if owners_too:
    line += " | " + " ".join(f"{k}={v}" for k, v in sorted(owners.items()))
print(line)
