#!/usr/bin/env python3
"""Failover benchmark of director_mode ecmp (issue 20): what clients see when a
director goes, with the same load as bench/failover.py gives a VRRP pair.

Against a converged `ecmp` scenario (bench/modes.sh makes one), with
bench/failover_client.py loading the VIP from the client, one director at a time:

  kill   `docker kill` (no goodbye: BFD detects it), then `docker start`
  stop   `systemctl stop keepalived` (the announce unit withdraws the VIP by BGP), then start

Per move, from the router (the lab's one clock): "away" is the withdrawal of
the director's path, from its last BFD packet (kill) or from the action (stop);
"back" is its path installed again, from the action (boot or start, checks,
the announce hold). New requests failed, long-lived connections broken and
p99 latency around each move are counted as bench/failover.py counts them.

  python3 bench/failover_ecmp.py --label ecmp --events kill,stop
"""

import argparse
import calendar
import os
import re
import sys
import time

import yaml
from failover import Cluster, collect_load, load_result, report, start_load, stop_load

HERE = os.path.dirname(os.path.abspath(__file__))
ROUTES = "/var/tmp/lvs-bench-routes.log"
BFD_LOG = "/var/tmp/lvs-bench-bfd.log"
# `ip -ts monitor` line: "[2026-12-05T11:39:36.803153] 10.85.0.10 nhid 23 ..." (UTC in the lab).
STAMP_RE = re.compile(r"^\[(\d{4}-\d\d-\d\dT\d\d:\d\d:[\d.]+)\]")


class Fabric(Cluster):
    """The ecmp scenario: Cluster's directors and client, and the router whose paths say who serves."""

    def __init__(self, scenario):
        super().__init__(scenario)
        with open(os.path.join(scenario, "molecule.yml"), encoding="utf-8") as handle:
            config = yaml.safe_load(handle)
        self.router = next(p["name"] for p in config["platforms"] if "routers" in p.get("groups", []))

    def next_hops(self):
        return sorted(re.findall(r"via (\S+)", self.sh(self.router, f"ip route show {self.vip}", False)))

    def wait_hops(self, predicate, timeout):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if predicate(self.next_hops()):
                return True
            time.sleep(0.2)
        return False

    def watch(self, director):
        """Record the router's route changes and the director's BFD packets from now on."""
        self.sh(self.router, f"pkill -f 'ip -ts [m]onitor' || true; pkill tcpdump || true; rm -f {ROUTES} {BFD_LOG}")
        self.background(self.router, f"exec ip -ts monitor route nexthop > {ROUTES}")
        self.background(self.router, f"exec tcpdump -i any -n -tt -l udp dst port 3784 and src host "
                                     f"{self.address[director]} > {BFD_LOG} 2>/dev/null")
        time.sleep(1.0)

    def first_change(self, after):
        """The lab time of the first change of the VIP's route (or of a next-hop group) after `after`."""
        self.sh(self.router, "pkill -f 'ip -ts [m]onitor' || true; pkill tcpdump || true")
        for line in self.sh(self.router, f"cat {ROUTES}", False).splitlines():
            m = STAMP_RE.match(line)
            if m and (self.vip in line or re.search(r"\] (Deleted )?id \d+ ", line)):
                whole, _, fraction = m.group(1).partition(".")
                stamp = calendar.timegm(time.strptime(whole, "%Y-%m-%dT%H:%M:%S")) + float("0." + (fraction or "0"))
                if stamp > after:
                    return stamp
        return None

    def last_bfd(self):
        stamps = [float(line.split()[0]) for line in self.sh(self.router, f"cat {BFD_LOG}", False).splitlines()
                  if line.strip() and line.split()[0].replace(".", "").isdigit()]
        return max(stamps) if stamps else None


ACTIONS = {
    "kill": (lambda f, d: f.docker.containers.get(d).kill(), lambda f, d: f.docker.containers.get(d).start()),
    "stop": (lambda f, d: f.sh(d, "systemctl stop keepalived"), lambda f, d: f.sh(d, "systemctl start keepalived")),
}


def run_events(fabric, events, hold):
    """Each event takes a director's path away and gives it back; one record per move."""
    moves, everyone = [], sorted(fabric.address[d] for d in fabric.directors)
    for n, (kind, count) in enumerate((k, c) for k, c in events for _ in range(c)):
        victim = fabric.directors[n % len(fabric.directors)]
        if fabric.next_hops() != everyone:
            raise RuntimeError(f"before {kind}: next hops {fabric.next_hops()}, not {everyone}")
        fabric.watch(victim)
        at = fabric.now()
        ACTIONS[kind][0](fabric, victim)
        gone = fabric.wait_hops(lambda hops: fabric.address[victim] not in hops, 30)
        seen = fabric.now()
        changed, last = fabric.first_change(at), fabric.last_bfd()
        start = last if kind == "kill" and last else at
        moves.append(dict(event=kind, phase="away", director=victim, at=at, seen=seen, moved=gone,
                          detected=round(changed - start, 3) if changed else None,
                          from_action=round(changed - at, 3) if changed else None))
        time.sleep(hold)
        fabric.watch(victim)
        back_at = fabric.now()
        ACTIONS[kind][1](fabric, victim)
        back = fabric.wait_hops(lambda hops: hops == everyone, 180)
        changed = fabric.first_change(back_at)
        moves.append(dict(event=kind, phase="back", director=victim, at=back_at, seen=fabric.now(), moved=back,
                          detected=None, from_action=round(changed - back_at, 3) if changed else None))
        time.sleep(hold)
        print(f"  {kind} {victim}: withdrawn {moves[-2]['detected']} s after its "
              f"{'last BFD packet' if kind == 'kill' else 'stop'}; back {moves[-1]['from_action']} s after the "
              f"{'start' if kind == 'kill' else 'keepalived start'}", flush=True)
    return moves


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", default=os.path.join(HERE, "..", "molecule", "ecmp"))
    parser.add_argument("--label", default="ecmp")
    parser.add_argument("--events", default="kill,stop", help="kind[:count],… (kill, stop)")
    parser.add_argument("--rate", type=float, default=50.0, help="new connections per second")
    parser.add_argument("--long", type=int, default=50, help="long-lived connections")
    parser.add_argument("--hold", type=float, default=8.0, help="seconds between moves")
    parser.add_argument("--out", default=None, help="append the result as one JSON line to this file")
    args = parser.parse_args()
    events = [(e.split(":")[0], int(e.split(":")[1]) if ":" in e else 1) for e in args.events.split(",")]

    fabric = Fabric(args.scenario)
    started = start_load(fabric, args.rate, args.long)
    try:
        moves = run_events(fabric, events, args.hold)
    finally:
        stop_load(fabric)
        for director in fabric.directors:
            if not fabric.running(director):
                fabric.docker.containers.get(director).start()
            else:
                fabric.sh(director, "systemctl start keepalived", False)
    ended = fabric.now()
    result = dict(load_result(args, collect_load(fabric), moves, started, ended), mode="ecmp",
                  directors=len(fabric.directors))
    report(result, [("withdrawn s (kill: after the last BFD packet)", "detected"),
                    ("route change after the action s", "from_action")], args.out)
    return 0 if all(m["moved"] for m in moves) else 1


if __name__ == "__main__":
    sys.exit(main())
