#!/usr/bin/env python3
"""Failover benchmark (issue 6): what clients see when the master director goes.

Against a converged cluster of a molecule scenario (bench/failover.sh makes
one), with bench/failover_client.py loading the VIP from the client:

  switchover  the master's priority lowered through the switchover file, then reset
  kill        `docker kill` of the master (no goodbye), then `docker start`
  stop        `systemctl stop keepalived` on the master (priority-0 advert), then start

Per move of the VIP: the takeover from a capture on the new master (the old
master's last VRRP advert to the new master's first gratuitous ARP for the
VIP), new requests failed, long-lived connections broken, p99 latency of the
new requests around the move, and VRRP transitions outside the moves.

  python3 bench/failover.py --label defaults --events switchover:5,stop,kill
"""

import argparse
import base64
import json
import os
import re
import sys
import time

import docker
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
LOG = "/var/log/keepalived-transitions.log"
OUT = "/var/tmp/lvs-bench"
CAPTURE = "/var/tmp/lvs-bench.cap"
# A tcpdump -tt -e line: "1764612345.123456 02:42:0a:4d:00:0c > ... ethertype IPv4 (0x0800), length 54: 10.77.0.11 > 10.77.0.12: VRRPv3, Advertisement, ..."
ADVERT_RE = re.compile(r"^(?P<t>\d+\.\d+) .*: (?P<src>[\d.]+) > [\d.]+: VRRPv\d, Advertisement")
# "1764612345.234567 02:42:0a:4d:00:0c > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 10.77.0.10 (ff:ff:ff:ff:ff:ff) tell 10.77.0.10, length 28"
GARP_RE = re.compile(r"^(?P<t>\d+\.\d+) (?P<mac>\S+) > .*ARP.*"
                     r"(?:who-has (?P<a>[\d.]+)(?: \([^)]*\))? tell (?P<b>[\d.]+)|Reply (?P<c>[\d.]+) is-at)")


class Cluster:
    def __init__(self, scenario):
        with open(os.path.join(scenario, "molecule.yml"), encoding="utf-8") as handle:
            config = yaml.safe_load(handle)
        group_vars = config["provisioner"]["inventory"]["group_vars"]
        groups = {}
        for platform in config["platforms"]:
            for group in platform.get("groups", []):
                groups.setdefault(group, []).append(platform["name"])
        self.address = {p["name"]: p["networks"][0]["ipv4_address"] for p in config["platforms"]}
        self.directors, self.client = groups["directors"], groups["clients"][0]
        self.vip = group_vars["all"]["lab_vip"]
        self.docker = docker.from_env()

    def sh(self, name, command, check=True):
        code, out = self.docker.containers.get(name).exec_run(["sh", "-c", command])
        if check and code != 0:
            raise RuntimeError(f"{name}: {command}: {out.decode()}")
        return out.decode().strip()

    def background(self, name, command):
        self.docker.containers.get(name).exec_run(["sh", "-c", command], detach=True)

    def running(self, name):
        return self.docker.containers.get(name).status == "running"

    def holders(self):
        return [d for d in self.directors if self.running(d) and f" {self.vip}/" in self.sh(d, "ip -o -4 addr show", False)]

    def wait_holder(self, director, timeout):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                if self.holders() == [director]:
                    return True
            except (docker.errors.APIError, RuntimeError):
                pass
            time.sleep(0.2)
        return False

    def now(self):
        """The lab's clock (the capture and the client stamp with it, not the host's)."""
        return float(self.sh(self.client, "date +%s.%N"))

    def interface(self, director):
        return self.sh(director, f"ip -o -4 addr show | awk '$4 ~ /^{re.escape(self.address[director])}\\// {{print $2}}'")


def start_capture(cluster, director):
    iface = cluster.interface(director)
    cluster.sh(director, f"rm -f {CAPTURE}; pkill tcpdump || true")
    cluster.background(director, f"tcpdump -i {iface} -n -tt -e -l 'ip proto 112 or arp' > {CAPTURE} 2>/dev/null")
    time.sleep(1.0)


def takeover(cluster, old, new):
    """From the capture on `new`: seconds from `old`'s last advert to `new`'s first
    gratuitous ARP for the VIP, and that ARP's time (None when not captured)."""
    cluster.sh(new, "pkill tcpdump || true")
    text = cluster.sh(new, f"cat {CAPTURE} 2>/dev/null || true")
    last_advert, first_garp = None, None
    for line in text.splitlines():
        advert, garp = ADVERT_RE.match(line), GARP_RE.match(line)
        if advert and advert["src"] == cluster.address[old] and first_garp is None:
            last_advert = float(advert["t"])
        elif garp and first_garp is None and cluster.vip in (garp["a"], garp["b"], garp["c"]) \
                and (garp["a"] is None or garp["a"] == garp["b"]):
            first_garp = float(garp["t"])
    if last_advert is None or first_garp is None:
        return None, first_garp
    return round(first_garp - last_advert, 3), first_garp


def captured(cluster, old, new, at, moved):
    """The move's takeover (last advert to first GARP) and its first GARP after the action."""
    gap, garp = takeover(cluster, old, new) if moved else (None, None)
    return {"takeover": gap, "after_action": round(garp - at, 3) if garp else None}


# Each event: how it takes the VIP off the master ("away") and gives it back ("back").
ACTIONS = {
    "switchover": (lambda c, d, f: c.sh(d, f"echo -253 > {f}"), lambda c, d, f: c.sh(d, f"echo 0 > {f}")),
    "kill": (lambda c, d, f: c.docker.containers.get(d).kill(), lambda c, d, f: c.docker.containers.get(d).start()),
    "stop": (lambda c, d, f: c.sh(d, "systemctl stop keepalived"), lambda c, d, f: c.sh(d, "systemctl start keepalived")),
}


def act(cluster, kind, phase, master, switch_file):
    """Run the event's `phase` (0 away, 1 back) on `master`; return the lab time just before it."""
    stamp = cluster.now()
    ACTIONS[kind][phase](cluster, master, switch_file)
    return stamp


def healthy(cluster):
    """Exactly one VIP holder, keepalived running on every director."""
    holders = cluster.holders()
    active = all(cluster.sh(d, "systemctl is-active keepalived", False) == "active" for d in cluster.directors)
    return holders[0] if len(holders) == 1 and active else None


def heal(cluster, switch_file):
    """Undo whatever an interrupted event left: every director up, priorities as configured."""
    for director in cluster.directors:
        if not cluster.running(director):
            cluster.docker.containers.get(director).start()
    for director in cluster.directors:
        cluster.sh(director, f"echo 0 > {switch_file}; systemctl start keepalived", False)


def run_events(cluster, events, switch_file, hold):
    """Each event moves the VIP twice (away, back); one record per move."""
    moves = []
    for kind, count in events:
        for _ in range(count):
            master = healthy(cluster)
            if master is None:
                raise RuntimeError(f"before {kind}: VIP held by {cluster.holders()}, or keepalived down")
            backup = next(d for d in cluster.directors if d != master)
            start_capture(cluster, backup)
            at = act(cluster, kind, 0, master, switch_file)
            moved = cluster.wait_holder(backup, 20)
            moves.append(dict(event=kind, phase="away", at=at, seen=cluster.now(), to=backup, moved=moved,
                              **captured(cluster, master, backup, at, moved)))
            time.sleep(hold)
            if kind != "kill":
                start_capture(cluster, master)
            back_at = act(cluster, kind, 1, master, switch_file)
            if kind == "kill":   # the capture starts as the container runs, before keepalived does
                started = time.monotonic()
                while not cluster.running(master) and time.monotonic() - started < 60:
                    time.sleep(0.2)
                start_capture(cluster, master)
            # The old master comes back and preempts.
            back = cluster.wait_holder(master, 90)
            moves.append(dict(event=kind, phase="back", at=back_at, seen=cluster.now(), to=master, moved=back,
                              **captured(cluster, backup, master, back_at, back)))
            time.sleep(hold)
            print(f"  {kind}: away to {backup} {'' if moved else 'NOT MOVED, '}takeover {moves[-2]['takeover']} s, "
                  f"back to {master} {'' if back else 'NOT MOVED, '}takeover {moves[-1]['takeover']} s", flush=True)
    return moves


def percentile(values, share):
    values = sorted(values)
    return values[min(len(values) - 1, int(share * len(values)))] if values else None


def summarise(moves, load, window):
    """Per move: what happened from 1 s before the action to `window` s after the VIP was seen moved."""
    rows = []
    for item in moves:
        lo, hi = item["at"] - 1.0, item["seen"] + window
        requests = [r for r in load["new"] if lo <= r[0] <= hi]
        failed = [r for r in requests if r[2]]
        broken = [c for c in load["long"] if c[1] and lo <= c[1] <= hi + 5]
        rows.append(dict(item, requests=len(requests), failed=len(failed),
                         errors=sorted({r[2] for r in failed} | {"long " + c[2] for c in broken}), broken=len(broken),
                         p99=percentile([r[1] for r in requests if r[1] is not None], 0.99)))
    return rows


def start_load(cluster, rate, long):
    """bench/failover_client.py on the client, loading the VIP until finish_load; the lab time it starts."""
    with open(os.path.join(HERE, "failover_client.py"), "rb") as handle:
        code = base64.b64encode(handle.read()).decode()
    cluster.sh(cluster.client, f"echo {code} | base64 -d > /var/tmp/lvs-bench-client.py; rm -f {OUT} {OUT}.stop")
    cluster.background(cluster.client, f"python3 /var/tmp/lvs-bench-client.py {cluster.vip} {rate} {long} {OUT}")
    time.sleep(5)   # long-lived connections open, their state synced (batches leave within 3 s)
    return cluster.now()


def stop_load(cluster):
    cluster.sh(cluster.client, f"touch {OUT}.stop")


def collect_load(cluster):
    """What the load saw, once it has written it."""
    for _ in range(60):
        if cluster.sh(cluster.client, f"test -f {OUT} && echo yes || true") == "yes":
            break
        time.sleep(1)
    return json.loads(cluster.sh(cluster.client, f"cat {OUT}"))


def load_result(args, load, moves, started, ended):
    """The figures of a run every mode shares, its moves summarised."""
    steady = [r[1] for r in load["new"] if r[1] is not None and not any(m["at"] - 1 <= r[0] <= m["seen"] + 3 for m in moves)]
    return {
        "label": args.label, "rate": args.rate, "long": args.long, "seconds": round(ended - started, 1),
        "requests": len(load["new"]), "failed": sum(1 for r in load["new"] if r[2]),
        "long_broken": sum(1 for c in load["long"] if c[1]), "p99_steady": percentile(steady, 0.99),
        "moves": summarise(moves, load, 3.0),
    }


def report(result, columns, out, extra=""):
    """Print the result and its moves as a Markdown table (columns: (title, key)); append it to `out` as JSON."""
    print(f"\n{result['label']}: {result['requests']} new requests, {result['failed']} failed; "
          f"{result['long_broken']} of {result['long']} long-lived broken; p99 steady {result['p99_steady']} s{extra}")
    columns = [("event", "event"), ("move", "phase")] + columns + [("new failed / sent", None), ("errors", None),
                                                                   ("long-lived broken", "broken"), ("p99 s", "p99")]
    print("| " + " | ".join(title for title, _ in columns) + " |")
    print("|" + "---|" * len(columns))
    for r in result["moves"]:
        cells = {"new failed / sent": f"{r['failed']} / {r['requests']}", "errors": ", ".join(r["errors"]) or "-"}
        print("| " + " | ".join(cells[title] if key is None else str(r[key]) for title, key in columns) + " |")
    if out:
        with open(out, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(result) + "\n")


def transitions(cluster):
    found = {}
    for director in cluster.directors:
        text = cluster.sh(director, f"cat {LOG} 2>/dev/null || true", False)
        found[director] = [line.split() for line in text.splitlines() if len(line.split()) >= 4]
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", default=os.path.join(HERE, "..", "molecule", "default"))
    parser.add_argument("--label", default="defaults", help="name of this configuration in the results")
    parser.add_argument("--events", default="switchover:5,stop,kill", help="kind[:count],… (switchover, stop, kill)")
    parser.add_argument("--rate", type=float, default=50.0, help="new connections per second")
    parser.add_argument("--long", type=int, default=50, help="long-lived connections")
    parser.add_argument("--hold", type=float, default=8.0, help="seconds between moves")
    parser.add_argument("--switch-file", default="/etc/keepalived/lvs-ha-switchover")
    parser.add_argument("--out", default=None, help="append the result as one JSON line to this file")
    args = parser.parse_args()
    events = [(e.split(":")[0], int(e.split(":")[1]) if ":" in e else 1) for e in args.events.split(",")]

    cluster = Cluster(args.scenario)
    before = transitions(cluster)
    started = start_load(cluster, args.rate, args.long)
    try:
        moves = run_events(cluster, events, args.switch_file, args.hold)
    finally:
        stop_load(cluster)
        heal(cluster, args.switch_file)
    ended = cluster.now()
    load = collect_load(cluster)
    after = transitions(cluster)
    expected = 2 * sum(count for _, count in events)
    masters = sum(1 for d in cluster.directors for f in after[d][len(before[d]):] if f[3] == "MASTER")
    result = dict(load_result(args, load, moves, started, ended), master_transitions=masters,
                  expected_master_transitions=expected)
    report(result, [("takeover s", "takeover"), ("GARP after the action s", "after_action")], args.out,
           f"; MASTER transitions {masters} (moves {expected})")
    return 0 if all(m["moved"] for m in moves) else 1


if __name__ == "__main__":
    sys.exit(main())
