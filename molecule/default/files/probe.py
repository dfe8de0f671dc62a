#!/usr/bin/env python3
"""Failover probe, run on the client by side_effect: probe.py OUT VIP [VIP...]

1. Opens one HTTP/1.1 keep-alive connection to each VIP:80 and sends a request.
2. Waits for the IPVS sync daemon to copy them to the backup, then signals ready.
3. Sends a request to each VIP on a new connection every 0.1 s until side_effect
   has killed the master (marker file) and every VIP has answered for 4 s since
   the kill and 3 s since its last failure (at most 90 s).
4. Sends a second request on each long-lived connection.
Writes {VIP: {"outage": seconds without answers, "longconn": {...}, ...}} as JSON.
"""

import http.client
import json
import os
import sys
import time

OUT, VIPS = sys.argv[1], sys.argv[2:]
READY = OUT.rsplit(".", 1)[0] + ".ready"
KILLED = OUT.rsplit(".", 1)[0] + ".killed"


def get(conn):
    conn.request("GET", "/")
    return conn.getresponse().read().decode().strip()


def probe(vip):
    conn = http.client.HTTPConnection(vip, 80, timeout=0.5)
    try:
        return get(conn)
    except OSError:
        return None
    finally:
        conn.close()


def calm(samples, now):
    fails = [t for t, answer in samples if answer is None]
    return not fails or now - fails[-1] > 3


def verdict(samples, long_conn, before):
    try:
        after = get(long_conn)
    except OSError as exc:
        after = "ERROR %s" % exc
    ok_times = [t for t, answer in samples if answer is not None]
    gaps = [b - a for a, b in zip(ok_times, ok_times[1:])]
    return {
        "outage": round(max(gaps, default=0.0), 2),
        "failed_probes": sum(1 for _, answer in samples if answer is None),
        "probes": len(samples),
        "answered_by": sorted({a for _, a in samples if a}),
        "longconn": {"before": before, "after": after},
    }


def main():
    long_conns = {vip: http.client.HTTPConnection(vip, 80, timeout=5) for vip in VIPS}
    before = {vip: get(conn) for vip, conn in long_conns.items()}
    time.sleep(3)  # the master's sync thread flushes every 1-2 s
    open(READY, "w").close()
    samples, start, killed_at = {vip: [] for vip in VIPS}, time.monotonic(), None
    while time.monotonic() - start < 90:
        now = time.monotonic()
        for vip in VIPS:
            samples[vip].append((time.monotonic() - start, probe(vip)))
        if killed_at is None and os.path.exists(KILLED):
            killed_at = now
        if killed_at is not None and now - killed_at > 4 and all(calm(s, now - start) for s in samples.values()):
            break
        time.sleep(max(0.0, 0.1 - (time.monotonic() - now)))
    result = {vip: verdict(samples[vip], long_conns[vip], before[vip]) for vip in VIPS}
    with open(OUT + ".tmp", "w") as handle:
        json.dump(result, handle)
    os.rename(OUT + ".tmp", OUT)


if __name__ == "__main__":
    main()
