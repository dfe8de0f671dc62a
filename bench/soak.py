#!/usr/bin/env python3
"""Soak benchmark (issue 17): which VRRP advert interval survives a loaded host.

Against the soak cluster (bench/soak.sh: the default scenario converged with
bench/soak_vars.yml, one VRRP instance per interval, each with its own VIP):

  soak   for --minutes, every VIP loaded by bench/failover_client.py (new
         connections and long-lived ones), CPU hogs on both directors, and the
         operations playbooks (status, drain, return) run in a loop from the host;
         every VRRP transition in that time is spurious.
  kill   then `docker kill` of the master, loaded and unloaded: the takeover of
         each instance from a capture on the backup (that VRID's last advert to
         the first gratuitous ARP for its VIP), and the requests failed around it.

  python3 bench/soak.py --minutes 30 --out docs/soak-results.jsonl
"""

import argparse
import base64
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import threading
import time

import yaml
from failover import CAPTURE, GARP_RE, LOG, Cluster, percentile, start_capture

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = "/var/tmp/lvs-soak"
ADVERT_RE = re.compile(r"^(?P<t>\d+\.\d+) .*: (?P<src>[\d.]+) > [\d.]+: VRRPv\d, Advertisement, vrid (?P<vrid>\d+),")


def instances():
    with open(os.path.join(HERE, "soak_vars.yml"), encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    return [{"name": i["name"], "vrid": i["virtual_router_id"], "advert": i["advert_int"], "vip": i["vips"][0].split("/")[0]}
            for i in data["director_vrrp_instances"]]


def log_lines(cluster):
    return {d: cluster.sh(d, f"cat {LOG} 2>/dev/null || true", False).splitlines() for d in cluster.directors}


def new_lines(before, after):
    """Transition lines written between two reads: [(director, [stamp, kind, name, state, prio])]."""
    return [(d, line.split()) for d in after for line in after[d][len(before[d]):] if len(line.split()) >= 4]


def hogs(cluster, count, seconds):
    for director in cluster.directors:
        for _ in range(count):
            cluster.background(director, f"timeout {int(seconds)} sh -c 'while :; do :; done'")


def stop_hogs(cluster):
    for director in cluster.directors:
        cluster.sh(director, "pkill -f 'while :; do :; done' || true", False)


class Operations(threading.Thread):
    """status.yml, then drain.yml's drain and return of one real server, over and over until stopped."""

    def __init__(self, real):
        super().__init__(daemon=True)
        self.real, self.stop, self.runs = real, threading.Event(), []
        inventory = subprocess.run("ls -td /root/.ansible/tmp/molecule.*.default", shell=True, capture_output=True,
                                   text=True, check=True).stdout.split()[0]
        # The soak's variables too: drain.yml re-renders keepalived.conf, from the inventory alone it would
        # replace the soak's instances with the scenario's.
        self.base = ["ansible-playbook", "-i", inventory + "/inventory", "-e", "@" + os.path.join(HERE, "soak_vars.yml")]

    def play(self, *args):
        started = time.monotonic()
        # A loaded lab answers slowly: ansible's default 10 s connection timeout would count as a failure.
        done = subprocess.run(self.base + list(args), capture_output=True, text=True, check=False,
                              env=dict(os.environ, ANSIBLE_TIMEOUT="120"))
        self.runs.append({"play": " ".join(a for a in args if not a.startswith("-")), "rc": done.returncode,
                          "seconds": round(time.monotonic() - started, 1),
                          "tail": done.stdout.splitlines()[-3:] if done.returncode else []})

    def run(self):
        while not self.stop.is_set():
            self.play("lvs.ha.status")
            for action in ("drain", "return"):
                if self.stop.is_set():
                    break
                self.play("lvs.ha.drain", "-e", f"drain_hosts={self.real}", "-e", f"drain_action={action}",
                          "-e", "director_drain_timeout=10")


def start_clients(cluster, vips, rate, long):
    with open(os.path.join(HERE, "failover_client.py"), "rb") as handle:
        code = base64.b64encode(handle.read()).decode()
    # A client left by an interrupted run would write into this run's files.
    cluster.sh(cluster.client, f"pkill -f lvs-bench-client.py; echo {code} | base64 -d > /var/tmp/lvs-bench-client.py; "
                               f"rm -f {OUT}.*", check=False)
    for vip in vips:
        cluster.background(cluster.client, f"python3 /var/tmp/lvs-bench-client.py {vip} {rate} {long} {OUT}.{vip}")


def stop_clients(cluster, vips):
    for vip in vips:
        cluster.sh(cluster.client, f"touch {OUT}.{vip}.stop")
    loads = {}
    for vip in vips:
        for _ in range(90):
            if cluster.sh(cluster.client, f"test -f {OUT}.{vip} && echo yes || true") == "yes":
                break
            time.sleep(1)
        loads[vip] = json.loads(read_file(cluster, cluster.client, f"{OUT}.{vip}"))
    return loads


def read_file(cluster, name, path):
    """A file of a lab container through Docker's archive API: `cat` through exec came back cut for ~0.5 MB."""
    bits, _ = cluster.docker.containers.get(name).get_archive(path)
    with tarfile.open(fileobj=io.BytesIO(b"".join(bits))) as tar:
        return tar.extractfile(tar.getmembers()[0]).read().decode()


def takeovers(cluster, old, new, soak):
    """Per instance, from the capture on new: old's last advert of its VRID to new's first GARP for its VIP."""
    cluster.sh(new, "pkill tcpdump || true")
    text = cluster.sh(new, f"cat {CAPTURE} 2>/dev/null || true")
    found = {}
    for i in soak:
        last, garp_at = None, None
        for line in text.splitlines():
            advert, garp = ADVERT_RE.match(line), GARP_RE.match(line)
            if advert and garp_at is None and advert["src"] == cluster.address[old] and int(advert["vrid"]) == i["vrid"]:
                last = float(advert["t"])
            elif garp and garp_at is None and i["vip"] in (garp["a"], garp["b"], garp["c"]) \
                    and (garp["a"] is None or garp["a"] == garp["b"]):
                garp_at = float(garp["t"])
        found[i["name"]] = round(garp_at - last, 3) if last and garp_at else None
    return found


def holders(cluster, vip):
    return [d for d in cluster.directors if cluster.running(d) and f" {vip}/" in cluster.sh(d, "ip -o -4 addr show", False)]


def wait_all(cluster, soak, director, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            if all(holders(cluster, i["vip"]) == [director] for i in soak):
                return True
        except Exception:  # a container on its way up
            pass
        time.sleep(0.3)
    return False


def kill(cluster, soak, label):
    """docker kill of the master of every instance; its return (rejoin hold, then preemption)."""
    master = holders(cluster, soak[0]["vip"])[0]
    backup = next(d for d in cluster.directors if d != master)
    start_capture(cluster, backup)
    at = cluster.now()
    cluster.docker.containers.get(master).kill()
    moved = wait_all(cluster, soak, backup, 30)
    seen = cluster.now()
    result = {"label": label, "at": at, "seen": seen, "moved": moved, "takeover": takeovers(cluster, master, backup, soak)}
    time.sleep(5)
    cluster.docker.containers.get(master).start()
    result["back"] = wait_all(cluster, soak, master, 120)
    time.sleep(5)
    print(f"  kill ({label}): takeover {result['takeover']}, back {result['back']}", flush=True)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", default=os.path.join(HERE, "..", "molecule", "default"))
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--hogs", type=int, default=2, help="busy loops per director")
    parser.add_argument("--rate", type=float, default=5.0, help="new connections per second per VIP")
    parser.add_argument("--long", type=int, default=10, help="long-lived connections per VIP")
    parser.add_argument("--out", default=None, help="append the result as one JSON line to this file")
    args = parser.parse_args()
    cluster, soak = Cluster(args.scenario), instances()
    vips = [i["vip"] for i in soak]
    reals = [p for p in cluster.address if p.startswith("real")] or ["real1"]
    for i in soak:
        if len(holders(cluster, i["vip"])) != 1:
            raise SystemExit(f"{i['name']}: VIP {i['vip']} held by {holders(cluster, i['vip'])}; converge first")

    start_clients(cluster, vips, args.rate, args.long)
    time.sleep(5)
    before, started = log_lines(cluster), cluster.now()
    seconds = args.minutes * 60
    hogs(cluster, args.hogs, seconds)
    operations = Operations(reals[0])
    operations.start()
    print(f"[soak] {args.minutes} min: {args.hogs} hogs per director, operations on {reals[0]}", flush=True)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        time.sleep(min(60, max(0, end - time.monotonic())))
        spurious = new_lines(before, log_lines(cluster))
        print(f"  {time.strftime('%H:%M:%S')}: {len(spurious)} transitions, {len(operations.runs)} playbook runs", flush=True)
    operations.stop.set()
    operations.join()
    soaked = cluster.now()
    spurious = new_lines(before, log_lines(cluster))
    hogs(cluster, args.hogs, 120)
    kills = [kill(cluster, soak, "loaded")]
    stop_hogs(cluster)
    kills.append(kill(cluster, soak, "unloaded"))
    loads = stop_clients(cluster, vips)

    rows = []
    for i in soak:
        load = loads[i["vip"]]
        in_soak = [r for r in load["new"] if started <= r[0] <= soaked]
        per_kill = []
        for k in kills:
            window = [r for r in load["new"] if k["at"] - 1 <= r[0] <= k["seen"] + 3]
            per_kill.append({"label": k["label"], "takeover": k["takeover"][i["name"]],
                             "failed": sum(1 for r in window if r[2]), "sent": len(window)})
        rows.append({
            "instance": i["name"], "advert": i["advert"],
            "spurious": sum(1 for _, f in spurious if f[2] == i["name"]),
            "soak_failed": sum(1 for r in in_soak if r[2]), "soak_sent": len(in_soak),
            "soak_p99": percentile([r[1] for r in in_soak if r[1] is not None], 0.99),
            "long_broken": sum(1 for c in load["long"] if c[1] and c[1] <= soaked), "long": len(load["long"]),
            "kills": per_kill,
        })
    result = {"minutes": args.minutes, "hogs": args.hogs, "rate": args.rate, "operations": operations.runs,
              "transitions": [[d] + f for d, f in spurious], "rows": rows}
    failed_plays = sum(1 for r in operations.runs if r["rc"])
    print(f"\n[soak] {args.minutes} min, {args.hogs} hogs per director, {len(operations.runs)} playbook runs "
          f"({failed_plays} failed)")
    print("| advert s | spurious transitions | failed / sent in the soak | p99 s | long-lived broken | "
          "kill loaded: takeover s, failed | kill unloaded: takeover s, failed |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        kl, ku = r["kills"]
        print(f"| {r['advert']} | {r['spurious']} | {r['soak_failed']} / {r['soak_sent']} | {r['soak_p99']} | "
              f"{r['long_broken']} of {r['long']} | {kl['takeover']}, {kl['failed']} / {kl['sent']} | "
              f"{ku['takeover']}, {ku['failed']} / {ku['sent']} |")
    if args.out:
        with open(args.out, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
