"""Verify of the persistence scenario: ports 80 and 443 share a firewall mark
with persistence (mark 1 on the IPv4 VIP, mark 2 on the IPv6 one), so one
client's connections to both ports land on the same real server, while
different clients spread over the real servers. Each test runs once per VIP."""

import base64
import json
import os
import re

import pytest
import testinfra
import yaml

SCENARIO = os.environ.get("MOLECULE_SCENARIO_DIRECTORY", os.path.dirname(os.path.dirname(__file__)))
INVENTORY = os.environ.get("MOLECULE_INVENTORY_FILE", "")
with open(os.path.join(SCENARIO, "molecule.yml"), encoding="utf-8") as _f:
    CONFIG = yaml.safe_load(_f)
GROUP_VARS = CONFIG["provisioner"]["inventory"]["group_vars"]
VIP = GROUP_VARS["all"]["lab_vip"]
# Dual-stack: the IPv6 VIP beside the IPv4 one (as in the default scenario).
VIP6 = GROUP_VARS["all"].get("lab_vip6")
VIPS = [VIP] + ([VIP6] if VIP6 else [])
NAMES = {g: [p["name"] for p in CONFIG["platforms"] if g in p["groups"]] for g in ("directors", "real_servers", "clients")}
ADDRESS = {p["name"]: p["networks"][0]["ipv4_address"] for p in CONFIG["platforms"]}
ADDRESS6 = {p["name"]: p["networks"][0].get("ipv6_address") for p in CONFIG["platforms"]}
# Each VIP's fwmark service, as the inventory defines it.
SERVICE = {vs["ip"]: vs for vs in GROUP_VARS["directors"]["director_virtual_servers"] if "fwmark" in vs}

# Runs on a client: one new connection per port in `ports`, answers in order.
# http.client takes a bare IPv6 address (fd79::10) with the port apart, connects
# over IPv6 and brackets it in the Host header itself.
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


def real_address(real, vip):
    """A real server's address of the VIP's family, as `ipvsadm -S -n` writes it before a port."""
    return f"[{ADDRESS6[real]}]" if ":" in vip else ADDRESS[real]


def answers(client, ports, vip):
    code = base64.b64encode(_REQUESTS.encode()).decode()
    cmd = f"python3 -c \"import base64; exec(base64.b64decode('{code}'))\" {vip} {' '.join(map(str, ports))}"
    return json.loads(host(client).check_output(cmd))


@pytest.mark.parametrize("vip", VIPS)
def test_fwmark_service_with_persistence(vip):
    vs = SERVICE[vip]
    # ipvsadm names an IPv6 fwmark service "-f <mark> -6".
    key = f"-f {vs['fwmark']}" + (" -6" if ":" in vip else "")
    table = host(NAMES["directors"][0]).check_output("ipvsadm -S -n")
    assert re.search(rf"^-A {re.escape(key)} -s {vs['scheduler']} -p {vs['persistence_timeout']}\b", table, re.M), table
    for real in NAMES["real_servers"]:
        assert re.search(rf"^-a {re.escape(key)} -r {re.escape(real_address(real, vip))}:0 -g -w 1$", table, re.M), table


@pytest.mark.parametrize("vip", VIPS)
def test_one_client_sticks_to_one_real_server_on_both_ports(vip):
    ports = [80, 443] * 5
    seen = {}
    for client in NAMES["clients"]:
        got = answers(client, ports, vip)
        assert not [a for a in got if a.startswith("ERROR")], f"{client} through {vip}: {got}"
        assert len(set(got)) == 1, f"{client} was spread over {set(got)} across ports 80/443 of {vip}: {got}"
        seen[client] = got[0]
    assert set(seen.values()) == set(NAMES["real_servers"]), f"clients not spread over the real servers ({vip}): {seen}"
