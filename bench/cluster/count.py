#!/usr/bin/env python3
"""Prints registration_status counts and owner_node counts over every page of /v1/trunks."""
import http.client, json, sys, collections, urllib.parse

admin_port, key = int(sys.argv[1]), sys.argv[2]
conn = http.client.HTTPConnection("127.0.0.1", admin_port, timeout=30)
status, owners = collections.Counter(), collections.Counter()
cursor = None
while True:
    path = "/v1/trunks?limit=1000" + (f"&cursor={urllib.parse.quote(cursor)}" if cursor else "")
    conn.request("GET", path, headers={"Authorization": "Bearer " + key})
    page = json.loads(conn.getresponse().read())
    status.update(t["registration_status"] for t in page["data"])
    owners.update(t["owner_node"] or "-" for t in page["data"])
    cursor = page.get("next_cursor")
    if not cursor:
        break
print(" ".join(f"{k}={v}" for k, v in sorted(status.items())), "|",
      " ".join(f"{k}={v}" for k, v in sorted(owners.items())))
