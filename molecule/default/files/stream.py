#!/usr/bin/env python3
"""Client stream for the operations side effect, run on the client.

A request on a new connection every 0.1 s through VIP:80 until the stop file
exists; writes {"requests", "failed", "failures": [[t, error]...], "answered_by":
{real server: count}} as JSON, so verify can demand zero failed requests.
"""

import http.client
import json
import os
import sys
import time

VIP, OUT = sys.argv[1], sys.argv[2]
STOP = OUT.rsplit(".", 1)[0] + ".stop"


def main():
    start, started, answered, failures, count = time.monotonic(), time.time(), {}, [], 0
    while not os.path.exists(STOP):
        now = time.monotonic()
        conn = http.client.HTTPConnection(VIP, 80, timeout=2)
        try:
            conn.request("GET", "/")
            name = conn.getresponse().read().decode().strip()
            answered[name] = answered.get(name, 0) + 1
        except OSError as exc:
            failures.append([round(now - start, 2), type(exc).__name__])
        finally:
            conn.close()
        count += 1
        time.sleep(max(0.0, 0.1 - (time.monotonic() - now)))
    result = {"requests": count, "failed": len(failures), "failures": failures[:20],
              "answered_by": answered, "seconds": round(time.monotonic() - start, 1), "started": started}
    with open(OUT + ".tmp", "w") as handle:
        json.dump(result, handle)
    os.rename(OUT + ".tmp", OUT)


if __name__ == "__main__":
    main()
