#!/usr/bin/env python3
"""Client stream for the operations side effect, run on the client: stream.py OUT VIP [VIP...]

A request on a new connection to each VIP:80 every 0.1 s until the stop file
exists; writes {VIP: {"requests", "failed", "failures": [[t, error]...],
"answered_by": {real server: count}, ...}} as JSON, so verify can demand zero
failed requests of each.
"""

import http.client
import json
import os
import sys
import time

OUT, VIPS = sys.argv[1], sys.argv[2:]
STOP = OUT.rsplit(".", 1)[0] + ".stop"


def request(vip, seen, now):
    conn = http.client.HTTPConnection(vip, 80, timeout=2)
    try:
        conn.request("GET", "/")
        name = conn.getresponse().read().decode().strip()
        seen["answered_by"][name] = seen["answered_by"].get(name, 0) + 1
    except OSError as exc:
        seen["failures"].append([now, type(exc).__name__])
    finally:
        conn.close()
    seen["requests"] += 1


def main():
    start, started = time.monotonic(), time.time()
    seen = {vip: {"requests": 0, "failures": [], "answered_by": {}} for vip in VIPS}
    while not os.path.exists(STOP):
        now = time.monotonic()
        for vip in VIPS:
            request(vip, seen[vip], round(time.monotonic() - start, 2))
        time.sleep(max(0.0, 0.1 - (time.monotonic() - now)))
    seconds = round(time.monotonic() - start, 1)
    result = {vip: {"requests": s["requests"], "failed": len(s["failures"]), "failures": s["failures"][:20],
                    "answered_by": s["answered_by"], "seconds": seconds, "started": started} for vip, s in seen.items()}
    with open(OUT + ".tmp", "w") as handle:
        json.dump(result, handle)
    os.rename(OUT + ".tmp", OUT)


if __name__ == "__main__":
    main()
