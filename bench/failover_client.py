#!/usr/bin/env python3
"""Load of bench/failover.py, run on the lab's client until the stop file exists.

- RATE requests per second, each on a new connection to VIP:80 (several
  threads, so a slow request does not hold the next one back; 2 s timeout);
- LONG keep-alive connections, each sending a request every second; the first
  error breaks it for good (no reconnect), as it would an SSH session.

Writes {"new": [[epoch, latency or null, error or null]...], "long": [[opened,
broken epoch or null, error or null, requests]...]} as JSON to OUT.
"""

import http.client
import json
import os
import sys
import threading
import time

VIP, RATE, LONG, OUT = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
STOP = OUT + ".stop"
WORKERS = 5
new, long_conns, lock = [], [], threading.Lock()


def stopped():
    return os.path.exists(STOP)


def new_connections(offset):
    period, due = WORKERS / RATE, time.monotonic() + offset
    while not stopped():
        start, stamp = time.monotonic(), time.time()
        conn = http.client.HTTPConnection(VIP, 80, timeout=2)
        try:
            conn.request("GET", "/")
            conn.getresponse().read()
            record = [stamp, round(time.monotonic() - start, 4), None]
        except OSError as exc:
            record = [stamp, None, type(exc).__name__]
        finally:
            conn.close()
        with lock:
            new.append(record)
        due += period
        time.sleep(max(0.0, due - time.monotonic()))


def long_lived(index):
    state = [time.time(), None, None, 0]
    with lock:
        long_conns.append(state)
    conn = http.client.HTTPConnection(VIP, 80, timeout=5)
    time.sleep(index * 1.0 / max(LONG, 1))   # spread their requests over the second
    while not stopped():
        try:
            conn.request("GET", "/")
            conn.getresponse().read()
            state[3] += 1
        except OSError as exc:
            state[1], state[2] = time.time(), type(exc).__name__
            return
        time.sleep(1.0)
    conn.close()


def main():
    threads = [threading.Thread(target=long_lived, args=(i,)) for i in range(LONG)]
    threads += [threading.Thread(target=new_connections, args=(i / RATE,)) for i in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with open(OUT + ".tmp", "w", encoding="utf-8") as handle:
        json.dump({"new": new, "long": long_conns}, handle)
    os.rename(OUT + ".tmp", OUT)


if __name__ == "__main__":
    main()
