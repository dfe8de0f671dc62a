"""Verify of the directors' metrics (default, tun, nat): the role's lvs-ha-exporter
and Debian's node-exporter, scraped from the client as Prometheus would."""

import re

import pytest
from conftest import (CLIENTS, DIRECTOR_VARS, EXPORTER_PORT, NODE_EXPORTER_PORT, PROMETHEUS, REALS, VIPS, host, metric,
                      prometheus, real_address, scrape, wait_until)

CLIENT = CLIENTS[0]
INSTANCES = [i["name"] for i in DIRECTOR_VARS["director_vrrp_instances"]]
IPVSADM_REAL = re.compile(r"\s+-> \[?([0-9a-f.:]+?)\]?:(\d+)\s+\w+\s+(\d+)\s+(\d+)\s+(\d+)")


def test_vrrp_state_of_every_instance_and_every_source_up(alive, master):
    for director in alive:
        samples = scrape(director)
        for instance in INSTANCES:
            want = 2.0 if director == master else 1.0  # MASTER, BACKUP
            assert metric(samples, "keepalived_vrrp_state", iname=instance) == [want], (director, instance, samples)
        sources = {dict(ls)["source"]: v for (n, ls), v in samples.items() if n == "lvs_ha_exporter_source_up"}
        assert "keepalived" in sources and "ipvs" in sources and set(sources.values()) == {1.0}, f"{director}: {sources}"


def test_every_real_server_up_in_every_service(master):
    samples = scrape(master)
    for vip in VIPS:
        for real in REALS:
            up = metric(samples, "lvs_ha_real_server_up", vip=vip, real_server=real_address(real, vip))
            assert up == [1.0], f"{master}: {real} through {vip}: {up}"


def backends(director):
    """node-exporter's IPVS backends and ipvsadm's, read back to back: {(address, port): (weight, active, inactive)}."""
    samples = scrape(director, NODE_EXPORTER_PORT, "?collect[]=ipvs")
    live = {}
    for line in host(director).check_output("ipvsadm -L -n").splitlines():
        found = IPVSADM_REAL.match(line)
        if found:
            address, port, weight, active, inactive = found.groups()
            live[(address, port)] = (float(weight), float(active), float(inactive))
    exported = {}
    for (name, labels), value in samples.items():
        if name.startswith("node_ipvs_backend_"):
            ls = dict(labels)
            exported.setdefault((ls["remote_address"], ls["remote_port"]), {})[name] = value
    exported = {k: (v.get("node_ipvs_backend_weight"), v.get("node_ipvs_backend_connections_active"),
                    v.get("node_ipvs_backend_connections_inactive")) for k, v in exported.items()}
    return exported, live


def test_node_exporter_ipvs_backends_match_ipvsadm(master):
    # Closed connections linger as inactive for a while: counts to compare that are not all 0.
    host(CLIENT).check_output(f"for i in $(seq 10); do curl -s -o /dev/null --max-time 2 http://{VIPS[0]}/; done")

    def equal():
        exported, live = backends(master)
        return (exported, live) if exported == live else None

    # The counts move between the two reads: equal in one of a few tries.
    found, _ = wait_until(equal, 15, interval=1)
    exported, live = found or backends(master)
    assert exported == live, f"node-exporter {exported} != ipvsadm {live}"
    assert len(live) == len(REALS) * len(VIPS) and sum(v[2] for v in live.values()) > 0, live


@pytest.mark.skipif(not PROMETHEUS, reason="no Prometheus server in this scenario")
def test_prometheus_scrapes_both_exporters_of_every_live_director(alive, master):
    want = {(job, f"{d}:{port}") for d in alive for job, port in (("lvs_ha", EXPORTER_PORT), ("node", NODE_EXPORTER_PORT))}

    def up():
        result = prometheus("query", query="up == 1")["result"]
        return want <= {(r["metric"]["job"], r["metric"]["instance"]) for r in result}

    scraped, _ = wait_until(up, 30, interval=1)
    assert scraped, prometheus("query", query="up")["result"]
    # What the operator's dashboard shows: this master's instances as MASTER, no alert about VRRP firing.
    states = prometheus("query", query=f'keepalived_vrrp_state{{instance="{master}:{EXPORTER_PORT}"}}')["result"]
    assert sorted(r["metric"]["iname"] for r in states if r["value"][1] == "2") == sorted(INSTANCES), states
