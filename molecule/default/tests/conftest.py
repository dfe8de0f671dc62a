"""Helpers of the default scenario's verify: hosts by name, the scenario's
inventory (molecule.yml) as the expected state, traffic from the client."""

import base64
import datetime
import json
import os
import re
import time

import docker
import pytest
import testinfra
import yaml

SCENARIO = os.environ.get("MOLECULE_SCENARIO_DIRECTORY", os.path.dirname(os.path.dirname(__file__)))
INVENTORY = os.environ.get("MOLECULE_INVENTORY_FILE", "")

with open(os.path.join(SCENARIO, "molecule.yml"), encoding="utf-8") as _f:
    CONFIG = yaml.safe_load(_f)

GROUP_VARS = CONFIG["provisioner"]["inventory"]["group_vars"]
VIP = GROUP_VARS["all"]["lab_vip"]
# Every scenario (default, tun, nat) is dual stack: an IPv6 VIP beside the IPv4 one; lab_vip6 says so.
VIP6 = GROUP_VARS["all"].get("lab_vip6")
VIPS = [VIP] + ([VIP6] if VIP6 else [])
ADDRESS = {p["name"]: p["networks"][0]["ipv4_address"] for p in CONFIG["platforms"]}
ADDRESS6 = {p["name"]: p["networks"][0].get("ipv6_address") for p in CONFIG["platforms"]}
# Every IPv6 address of a host, on any of its networks (nat's directors have two).
OWN6 = {p["name"]: {n["ipv6_address"] for n in p["networks"] if n.get("ipv6_address")} for p in CONFIG["platforms"]}
GROUPS = {}
for _p in CONFIG["platforms"]:
    for _g in _p.get("groups", []):
        GROUPS.setdefault(_g, []).append(_p["name"])
DIRECTORS = GROUPS["directors"]
REALS = GROUPS["real_servers"]
CLIENTS = GROUPS["clients"]
TRANSITIONS_LOG = "/var/log/keepalived-transitions.log"

with open(os.path.join(SCENARIO, "..", "..", "roles", "director", "defaults", "main.yml"), encoding="utf-8") as _f:
    ROLE_DEFAULTS = yaml.safe_load(_f)
DIRECTOR_VARS = {**ROLE_DEFAULTS, **GROUP_VARS["directors"]}
ADVERT = float(DIRECTOR_VARS["director_vrrp_advert_int"])
# How `ipvsadm -S -n` writes each forwarding method (TUN: the kernel's default tunnel type, ipip).
METHOD_FLAG = {"DR": "-g", "TUN": "-i", "NAT": "-m"}
METHOD_SUFFIX = {"TUN": " --tun-type ipip"}
FORWARDING = {{**DIRECTOR_VARS["director_virtual_server_defaults"], **vs}["forwarding"].upper()
              for vs in DIRECTOR_VARS["director_virtual_servers"]}

# Runs on the client: n requests through the VIP, each on a new connection.
_REQUESTS = r"""
import http.client, json, sys
vip, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
out = []
for _ in range(n):
    c = http.client.HTTPConnection(vip, port, timeout=3)
    try:
        c.request("GET", "/")
        out.append(c.getresponse().read().decode().strip())
    except OSError as exc:
        out.append("ERROR " + type(exc).__name__)
    finally:
        c.close()
print(json.dumps(out))
"""

# Runs on a client (start_load): LONG keep-alive connections (a request each
# every 0.5 s) and a new connection every 0.1 s, until the stop file exists;
# writes JSON: "new" [start, host name or ERROR], "long" each connection's
# local port (to find the directors it crossed), the hosts that served it in
# order, and when and how it broke.
_LOAD = r"""
import http.client, json, os, sys, threading, time
vip, out, long_count = sys.argv[1], sys.argv[2], int(sys.argv[3])
stop = out + ".stop"
new, longs, lock = [], [], threading.Lock()
def get(conn):
    conn.request("GET", "/")
    return conn.getresponse().read().decode().strip()
def long_lived(i):
    state = {"port": None, "served_by": [], "broken": None, "requests": 0}
    with lock:
        longs.append(state)
    conn = http.client.HTTPConnection(vip, 80, timeout=5)
    while not os.path.exists(stop):
        try:
            name = get(conn)
            state["port"] = state["port"] or conn.sock.getsockname()[1]
            if name not in state["served_by"]:
                state["served_by"].append(name)
            state["requests"] += 1
        except OSError as exc:
            state["broken"] = [time.time(), type(exc).__name__]
            return
        time.sleep(0.5)
threads = [threading.Thread(target=long_lived, args=(i,)) for i in range(long_count)]
for t in threads:
    t.start()
open(out + ".ready", "w").close()
while not os.path.exists(stop):
    start = time.time()
    conn = http.client.HTTPConnection(vip, 80, timeout=2)
    try:
        new.append([start, get(conn)])
    except OSError as exc:
        new.append([start, "ERROR " + type(exc).__name__])
    finally:
        conn.close()
    time.sleep(max(0.0, 0.1 - (time.time() - start)))
for t in threads:
    t.join()
json.dump({"new": new, "long": longs}, open(out + ".tmp", "w"))
os.rename(out + ".tmp", out)
"""


def expected_ipvs():
    lines = set()
    defaults = DIRECTOR_VARS["director_virtual_server_defaults"]
    for vs in DIRECTOR_VARS["director_virtual_servers"]:
        vs = {**defaults, **vs}
        proto = {"TCP": "-t", "UDP": "-u"}[vs["protocol"].upper()]
        ipv6 = ":" in vs["ip"]
        key = f"{proto} {bracketed(vs['ip'])}:{vs['port']}"
        persistence = f" -p {vs['persistence_timeout']}" if vs.get("persistence_timeout") else ""
        lines.add(f"-A {key} -s {vs['scheduler']}{persistence}")
        for real in REALS:
            method = vs["forwarding"].upper()
            address = bracketed(ADDRESS6[real]) if ipv6 else ADDRESS[real]
            lines.add(f"-a {key} -r {address}:{vs['port']} {METHOD_FLAG[method]} -w 1{METHOD_SUFFIX.get(method, '')}")
    return lines


def bracketed(address):
    """An address as ipvsadm writes it before a port: IPv6 in brackets."""
    return f"[{address}]" if ":" in address else address


def real_address(real, vip):
    """A real server's address of the VIP's family."""
    return ADDRESS6[real] if ":" in vip else ADDRESS[real]


# The directors' exporters (role defaults): the role's, and Debian's node-exporter.
EXPORTER_PORT = int(DIRECTOR_VARS["director_exporter_port"])
NODE_EXPORTER_PORT = 9100
_SAMPLE = re.compile(r'^(\w+)(?:\{(.*)\})? (\S+)$')
_LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def scrape(director, port=None, query=""):
    """{(name, ((label, value), ...)): value} of a director's exporter, fetched from the client as Prometheus would."""
    url = f"http://{ADDRESS[director]}:{port or EXPORTER_PORT}/metrics{query}"
    text = host(CLIENTS[0]).check_output(f"curl -sf --max-time 10 '{url}'")
    samples = {}
    for line in text.splitlines():
        found = _SAMPLE.match(line)
        if found and not line.startswith("#"):
            name, labels, value = found.groups()
            samples[(name, tuple(sorted(_LABEL.findall(labels or ""))))] = float(value)
    return samples


# A scenario's Prometheus server (lab/prometheus/lab_prometheus.yml) on its hosts of group prometheus.
PROMETHEUS = GROUPS.get("prometheus", [])
PROMETHEUS_INTERVAL = 5.0  # seconds: lab_prometheus_interval


def prometheus(path, **params):
    """The data of a Prometheus API call (path: query, query_range, ...), made on the Prometheus host."""
    args = " ".join(f"--data-urlencode {k}={json.dumps(str(v))}" for k, v in params.items())
    out = host(PROMETHEUS[0]).check_output(f"curl -sfG --max-time 10 http://127.0.0.1:9090/api/v1/{path} {args}")
    answer = json.loads(out)
    assert answer["status"] == "success", answer
    return answer["data"]


def metric(samples, name, **labels):
    """The values of metric `name` whose labels include `labels`."""
    return [v for (n, ls), v in samples.items() if n == name and set(labels.items()) <= set(ls)]


def host(name):
    return testinfra.get_host(f"ansible://{name}?ansible_inventory={INVENTORY}")


def running(name):
    try:
        return docker.from_env().containers.get(name).status == "running"
    except docker.errors.NotFound:
        return False


def python_command(code, *args):
    """A shell command running Python `code` with `args`, immune to quoting."""
    encoded = base64.b64encode(code.encode()).decode()
    return " ".join([f"python3 -c \"import base64; exec(base64.b64decode('{encoded}'))\"", *map(str, args)])


def requests_from(client, count, port=80, vip=VIP):
    """Answers (host names or ERROR ...) to `count` requests from `client`."""
    return json.loads(host(client).check_output(python_command(_REQUESTS, vip, port, count)))


def start_load(client, out, count, vip=VIP):
    """Traffic from client through vip (_LOAD, count long-lived connections) until stop_load(client, out)."""
    c = host(client)
    c.check_output(f"rm -f {out} {out}.stop {out}.ready")
    c.check_output(f"systemd-run --unit=lvs-load --collect {python_command(_LOAD, vip, out, count)}")
    ready, _ = wait_until(lambda: c.file(out + ".ready").exists, 30)
    assert ready, f"the load on {client} did not start"


def stop_load(client, out):
    """The JSON start_load's traffic wrote, once it has stopped."""
    c = host(client)
    c.check_output(f"touch {out}.stop")
    done, _ = wait_until(lambda: c.file(out).exists, 60)
    assert done, f"the load on {client} did not finish"
    return json.loads(c.file(out).content_string)


def ipvs_save(name):
    """`ipvsadm -S -n` of a director, as a set of lines."""
    return {line.strip() for line in host(name).check_output("ipvsadm -S -n").splitlines() if line.strip()}


def in_pool(name):
    """The lines of `ipvsadm -S -n` a new connection can go to: a real server whose check fails stays at weight 0
    (inhibit_on_failure, which the depool guard's policy keep sets)."""
    return {line for line in ipvs_save(name) if not line.endswith(" -w 0") and " -w 0 " not in line}


def wait_until(predicate, timeout, interval=0.5):
    """Poll `predicate` until it is truthy; return (value, seconds waited)."""
    start = time.monotonic()
    while True:
        value = predicate()
        if value or time.monotonic() - start > timeout:
            return value, time.monotonic() - start
        time.sleep(interval)


def vip_holders(directors, vip=VIP):
    """The directors with vip on an interface other than lo (a node that is also a real server has it there too)."""
    return [d for d in directors if any(f" {vip}/" in line and line.split()[1] != "lo"
                                        for line in host(d).check_output("ip -o addr show").splitlines())]


def parse_transitions(text):
    """The notify script's log as fields: [stamp, INSTANCE, name, STATE, priority] per change."""
    return [line.split() for line in text.splitlines() if len(line.split()) >= 4]


def transition_lines(director):
    log = host(director).file(TRANSITIONS_LOG)
    return parse_transitions(log.content_string) if log.exists else []


def transitions(director):
    return [fields[3] for fields in transition_lines(director)]


def epoch(stamp):
    """Seconds since the epoch of an RFC 3339 UTC stamp with up to 9 fraction digits (the notify log's, Docker's)."""
    day = datetime.datetime.strptime(stamp[:10], "%Y-%m-%d").replace(tzinfo=datetime.timezone.utc).timestamp()
    return day + seconds(stamp)


def seconds(stamp):
    """Seconds since midnight of an RFC 3339 UTC stamp with up to 9 fraction digits."""
    clock = stamp.rstrip("Z").split("T")[1]
    whole, _, fraction = clock.partition(".")
    hours, minutes, secs = (int(x) for x in whole.split(":"))
    return hours * 3600 + minutes * 60 + secs + float("0." + (fraction or "0"))


def pytest_configure(config):
    config.addinivalue_line("markers", "forwarding_independent: proven once per change, in the DR cluster (default): "
                            "nothing it asserts depends on how the director forwards")


def pytest_collection_modifyitems(items):
    """The tun and nat scenarios share these tests; a fault whose path never
    touches the forwarding method (VRRP, keepalived's own checks, systemd) is
    injected in the DR cluster only: ~5 min of verify saved per scenario."""
    if "DR" in FORWARDING:
        return
    skip = pytest.mark.skip(reason=f"forwarding-independent: proven in the DR scenario (this one: {sorted(FORWARDING)})")
    for item in items:
        if item.get_closest_marker("forwarding_independent"):
            item.add_marker(skip)


@pytest.fixture(scope="module")
def alive():
    return [d for d in DIRECTORS if running(d)]


@pytest.fixture(scope="module")
def master_killed():
    """True after side_effect: the first director (the master) is dead."""
    return not running(DIRECTORS[0])


@pytest.fixture(scope="module")
def master(alive):
    holders, _ = wait_until(lambda: vip_holders(alive), 10)
    assert len(holders) == 1, f"VIP {VIP} held by {holders}, expected exactly one director"
    return holders[0]
