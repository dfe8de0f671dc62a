"""Verify of the persistence scenario: ports 80 and 443 share firewall mark 1
with persistence, so one client's connections to both ports land on the same
real server, while different clients spread over the real servers."""

import base64
import json
import os
import re

import testinfra
import yaml

SCENARIO = os.environ.get("MOLECULE_SCENARIO_DIRECTORY", os.path.dirname(os.path.dirname(__file__)))
INVENTORY = os.environ.get("MOLECULE_INVENTORY_FILE", "")
with open(os.path.join(SCENARIO, "molecule.yml"), encoding="utf-8") as _f:
    CONFIG = yaml.safe_load(_f)
VIP = CONFIG["provisioner"]["inventory"]["group_vars"]["all"]["lab_vip"]
NAMES = {g: [p["name"] for p in CONFIG["platforms"] if g in p["groups"]] for g in ("directors", "real_servers", "clients")}
ADDRESS = {p["name"]: p["networks"][0]["ipv4_address"] for p in CONFIG["platforms"]}

# Runs on a client: one new connection per port in `ports`, answers in order.
_REQUESTS = r"""
import http.client, json, sys
out = []
for port in sys.argv[2:]:
    c = http.client.HTTPConnection(sys.argv[1], int(port), timeout=3)
    try:
        c.request("GET", "/")
        out.append(c.getresponse().read().decode().strip())
    except OSError as exc:
        out.append("ERROR " + type(exc).__name__)
    finally:
        c.close()
print(json.dumps(out))
"""


def host(name):
    return testinfra.get_host(f"ansible://{name}?ansible_inventory={INVENTORY}")


def answers(client, ports):
    code = base64.b64encode(_REQUESTS.encode()).decode()
    cmd = f"python3 -c \"import base64; exec(base64.b64decode('{code}'))\" {VIP} {' '.join(map(str, ports))}"
    return json.loads(host(client).check_output(cmd))


def test_fwmark_service_with_persistence():
    table = host(NAMES["directors"][0]).check_output("ipvsadm -S -n")
    assert re.search(r"^-A -f 1 -s rr -p 300\b", table, re.M), table
    for real in NAMES["real_servers"]:
        assert re.search(rf"^-a -f 1 -r {re.escape(ADDRESS[real])}:0 -g -w 1$", table, re.M), table


def test_one_client_sticks_to_one_real_server_on_both_ports():
    ports = [80, 443] * 5
    seen = {}
    for client in NAMES["clients"]:
        got = answers(client, ports)
        assert not [a for a in got if a.startswith("ERROR")], f"{client}: {got}"
        assert len(set(got)) == 1, f"{client} was spread over {set(got)} across ports 80/443: {got}"
        seen[client] = got[0]
    assert set(seen.values()) == set(NAMES["real_servers"]), f"clients not spread over the real servers: {seen}"
