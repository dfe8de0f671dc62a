"""Verify of the default scenario (DR, two directors, two real servers), shared
by the tun and nat scenarios: everything expected comes from the running
scenario's molecule.yml.

Runs before and after side_effect: afterwards the first director is dead and
the second must hold the VIP, balance, and have kept the long-lived connection.
"""

import json
import re

import pytest
import docker
from conftest import (ADDRESS, ADDRESS6, ADVERT, CLIENTS, DIRECTORS, DIRECTOR_VARS, EXPORTER_PORT, FORWARDING, GROUP_VARS, OWN6,
                      PROMETHEUS, PROMETHEUS_INTERVAL, REALS, VIP, VIPS, bracketed, epoch, expected_ipvs, host, in_pool, ipvs_save,
                      metric, prometheus, python_command, real_address, requests_from, scrape, seconds, transition_lines,
                      vip_holders, wait_until)

# The backup's promise: 3 x advert + skew (< 1 advert), plus the lab's noise
# (TCG VM, shared); the speed itself is measured by the failover benchmark.
FAILOVER_BOUND = 3 * ADVERT + ADVERT + 3.0
CLIENT = CLIENTS[0]


@pytest.mark.parametrize("vip", VIPS)
def test_vip_on_the_master_only(alive, master_killed, vip):
    expected = DIRECTORS[1] if master_killed else DIRECTORS[0]
    holders, _ = wait_until(lambda: vip_holders(alive, vip), 10)
    assert holders == [expected]


def test_ipvs_table_matches_inventory(master):
    expected = expected_ipvs()
    table, _ = wait_until(lambda: ipvs_save(master) == expected and ipvs_save(master), 20)
    assert table == expected, f"{master}: ipvsadm -S -n = {sorted(ipvs_save(master))}, expected {sorted(expected)}"


def test_both_sync_daemons_run_on_every_director(alive):
    # Whatever the VRRP state: a director that steps down must still send its last connections.
    for director in alive:
        daemons = host(director).check_output("ipvsadm -L -n --daemon")
        roles = sorted(re.findall(r"^(master|backup) sync daemon .*syncid=(\d+)", daemons, re.M))
        assert [r for r, _ in roles] == ["backup", "master"] and len({i for _, i in roles}) == 1, f"{director}: {daemons}"
        assert "lvs_sync_daemon" not in host(director).file("/etc/keepalived/keepalived.conf").content_string


@pytest.mark.parametrize("vip", VIPS)
def test_hundred_requests_reach_both_real_servers(master, vip):
    answers = requests_from(CLIENT, 100, vip=vip)
    errors = [a for a in answers if a.startswith("ERROR")]
    assert not errors, f"{len(errors)} of 100 requests to {vip} failed: {errors[:5]}"
    assert set(answers) == set(REALS)


@pytest.mark.skipif(len(VIPS) < 2, reason="an IPv4-only scenario")
def test_no_host_picks_an_ipv6_vip_as_source(master):
    # The answers above came from the VIP (DR: the client took no other); here the
    # other way: a host's own traffic (health checks, a real server's own
    # connections) leaves from its own address, the VIP being deprecated (NAT:
    # the real servers hold none; the master's inside VIP is deprecated too).
    vip6 = VIPS[1]
    holders = [master] + ([] if FORWARDING == {"NAT"} else REALS)
    for name, peer in [(r, CLIENT) for r in REALS] + [(master, r) for r in REALS]:
        route = host(name).check_output(f"ip -6 route get {ADDRESS6[peer]}")
        source = re.search(r" src (\S+)", route)
        assert source and source.group(1) in OWN6[name], f"{name}: {route}"
    for name in holders:
        assert "deprecated" in host(name).check_output(f"ip -6 addr show to {vip6}/128"), name


def test_real_server_leaves_and_rejoins_the_pool(master):
    real, other = REALS[0], REALS[1]
    # Its entry in every service, of each family.
    entries = [f"-r {bracketed(real_address(real, vip))}:80 " for vip in VIPS]
    web = host(real)
    stopped = float(web.check_output("systemctl stop lab-web; date +%s.%N"))
    try:
        gone, left_after = wait_until(lambda: not any(e in line for line in in_pool(master) for e in entries), 30)
        assert gone, f"{real} still in {master}'s pool 30 s after its web service stopped"
        # The exporter says so at the next scrape, for each family's service; the other one is up.
        samples = scrape(master)
        for vip in VIPS:
            assert metric(samples, "lvs_ha_real_server_up", vip=vip, real_server=real_address(real, vip)) == [0.0], vip
            assert metric(samples, "lvs_ha_real_server_up", vip=vip, real_server=real_address(other, vip)) == [1.0], vip
        if PROMETHEUS:
            # Prometheus's first sample of it down (every family's service): within the check's bound plus one scrape.
            query = (f'lvs_ha_real_server_up{{instance="{master}:{EXPORTER_PORT}",'
                     f'real_server=~"{"|".join(real_address(real, vip) for vip in VIPS)}"}}[2m]')

            def down_in_prometheus():
                series = prometheus("query", query=query)["result"]
                firsts = [min([float(t) for t, v in s["values"] if float(t) >= stopped and v == "0"], default=None)
                          for s in series]
                return len(series) == len(VIPS) and None not in firsts and max(firsts)

            seen, _ = wait_until(down_in_prometheus, 20, interval=1)
            assert seen, f"{real} not down in Prometheus 20 s after {left_after:.1f} s: {prometheus('query', query=query)}"
            prometheus_after = seen - stopped
            print(f"{real} down in Prometheus {prometheus_after:.1f} s after its web service stopped")
        for vip in VIPS:
            answers = requests_from(CLIENT, 20, vip=vip)
            assert answers == [other] * 20, f"while {real} is down, through {vip}: {answers}"
    finally:
        web.check_output("systemctl start lab-web")
    back, rejoined_after = wait_until(lambda: all(any(e in line for line in in_pool(master)) for e in entries), 30)
    assert back, f"{real} not back in {master}'s pool 30 s after its web service started"
    print(f"{real} left the pool after {left_after:.1f} s, rejoined after {rejoined_after:.1f} s")
    # Health-check window: delay_loop + retry x (connect_timeout + delay_before_retry), plus noise.
    check = GROUP_VARS["directors"]["director_virtual_servers"][0]["check"]
    window = 2 + check["retry"] * (check["connect_timeout"] + check["delay_before_retry"]) + 5
    assert left_after <= window
    if PROMETHEUS:
        assert prometheus_after <= window + PROMETHEUS_INTERVAL


@pytest.mark.parametrize("instance", [i["name"] for i in DIRECTOR_VARS["director_vrrp_instances"]])
def test_no_spurious_vrrp_transitions(alive, master_killed, instance):
    states = {d: [f[3] for f in transition_lines(d) if f[2] == instance] for d in alive}
    for director, seen in states.items():
        assert "FAULT" not in seen, f"{director}: {seen}"
    first, second = DIRECTORS
    if not master_killed:
        assert states[first].count("MASTER") == 1, f"{first} {instance}: {states[first]}"
        assert states[second].count("MASTER") == 0, f"{second} {instance} became master without a failure: {states[second]}"
    else:
        assert states[second].count("MASTER") == 1, f"{second} {instance}: {states[second]}"


def test_failover_within_bound_and_long_connection_survives(master_killed):
    if not master_killed:
        pytest.skip("runs after side_effect")
    verdicts = json.loads(host(CLIENT).file("/var/tmp/lvs-failover.json").content_string)
    assert sorted(verdicts) == sorted(VIPS), verdicts
    # Each instance's takeover (one per family), on the lab VM's one clock: the
    # kill (Docker's FinishedAt of the master) to the backup's MASTER notification.
    killed = docker.from_env().containers.get(DIRECTORS[0]).attrs["State"]["FinishedAt"]
    for instance in (i["name"] for i in DIRECTOR_VARS["director_vrrp_instances"]):
        became_master = [f[0] for f in transition_lines(DIRECTORS[1]) if f[3] == "MASTER" and f[2] == instance][-1]
        takeover = seconds(became_master) - seconds(killed)
        print(f"failover: {instance} MASTER on the backup {takeover:.2f} s after the kill (bound {FAILOVER_BOUND:.1f} s)")
        assert 0 <= takeover <= FAILOVER_BOUND, f"{instance}: takeover {takeover:.2f} s, bound {FAILOVER_BOUND:.1f} s"
        if PROMETHEUS:
            # Prometheus's first sample of the backup as MASTER: within two scrapes of its notification.
            series = prometheus("query", query=f'keepalived_vrrp_state{{instance="{DIRECTORS[1]}:{EXPORTER_PORT}",'
                                               f'iname="{instance}"}}[5m]')["result"]
            samples = [(t, float(v)) for t, v in series[0]["values"]] if series else []
            first = [t for t, v in samples if v == 2 and t >= epoch(killed)]
            assert first, f"{instance}: no sample of {DIRECTORS[1]} as MASTER in Prometheus since the kill: {samples[-10:]}"
            seen = first[0] - epoch(became_master)
            print(f"failover: {instance} MASTER in Prometheus {seen:.2f} s after the notification")
            assert seen <= 2 * PROMETHEUS_INTERVAL, f"{instance}: Prometheus saw MASTER {seen:.2f} s after the notification"
    for vip, verdict in verdicts.items():
        print(f"failover through {vip}: client verdict {verdict}")
        assert verdict["outage"] <= FAILOVER_BOUND, (vip, verdict)
        long_conn = verdict["longconn"]
        assert long_conn["before"] in REALS, (vip, verdict)
        assert long_conn["after"] == long_conn["before"], f"long-lived connection to {vip} lost across the failover: {verdict}"
        assert re.fullmatch(r"\d+(\.\d+)?", str(verdict["outage"]))


def nft_counter(director, comment):
    """Packets counted by the lvs_ha input rules carrying `comment` (one per family for VRRP)."""
    found = [int(re.search(r"counter packets (\d+)", line).group(1))
             for line in host(director).check_output("nft list chain inet lvs_ha input").splitlines() if comment in line]
    assert found, f"{director}: no rule '{comment}' in table inet lvs_ha"
    return sum(found)


@pytest.mark.forwarding_independent
def test_vrrp_and_sync_accepted_from_the_peer_only(alive):
    # A forged advert (of each family) and a forged sync message from the client: dropped and counted.
    forge = ("python3 -c \"import socket; d='{ip}'; "
             "socket.socket(socket.AF_INET, socket.SOCK_RAW, 112).sendto(bytes(40), (d, 0)); "
             "socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(bytes(40), (d, 8848))\"")
    forge6 = "python3 -c \"import socket; socket.socket(socket.AF_INET6, socket.SOCK_RAW, 112).sendto(bytes(40), ('{ip}', 0))\""
    for director in alive:
        peers = host(director).check_output("nft list set inet lvs_ha peers")
        assert [ADDRESS[d] for d in DIRECTORS if d != director] == re.findall(r"\d+\.\d+\.\d+\.\d+", peers)
        vrrp, sync = nft_counter(director, "VRRP from a non-peer"), nft_counter(director, "IPVS sync from a non-peer")
        host(CLIENT).check_output(forge.format(ip=ADDRESS[director]))
        forged = 1
        if len(VIPS) > 1:
            peers6 = host(director).check_output("nft list set inet lvs_ha peers6")
            assert [ADDRESS6[d] for d in DIRECTORS if d != director] == re.findall(r"fd77::\w+", peers6), peers6
            host(CLIENT).check_output(forge6.format(ip=ADDRESS6[director]))
            forged += 1
        assert nft_counter(director, "VRRP from a non-peer") == vrrp + forged
        assert nft_counter(director, "IPVS sync from a non-peer") == sync + 1


# Runs on the client: a bare TCP ACK to VIP:80 that no director has a connection
# for; prints RST if the director answered it with a reset, NONE if nothing came.
# IPv4: the TCP checksum is ours and replies come with their IP header; IPv6:
# the kernel sums it (IPV6_CHECKSUM) and hands replies over without one.
_STRAY_ACK = r"""
import random, select, socket, struct, sys, time
vip, port = sys.argv[1], int(sys.argv[2])
six = ":" in vip
family = socket.AF_INET6 if six else socket.AF_INET
probe = socket.socket(family, socket.SOCK_DGRAM)
probe.connect((vip, 9))
src = probe.getsockname()[0]
raw = socket.socket(family, socket.SOCK_RAW, socket.IPPROTO_TCP)
# Below the client's ephemeral range: no earlier flow of the tests (whose
# IPVS entries the new master holds through sync) can share the port.
low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
sport = random.randint(1025, low - 1)
def checksum(data):
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    total = (total >> 16) + (total & 0xFFFF)
    return ~(total + (total >> 16)) & 0xFFFF
hdr = struct.pack("!HHIIBBHHH", sport, port, random.getrandbits(32), random.getrandbits(32), 5 << 4, 0x10, 64240, 0, 0)
if six:
    raw.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_CHECKSUM, 16)
    raw.sendto(hdr, (vip, 0))
else:
    pseudo = socket.inet_aton(src) + socket.inet_aton(vip) + struct.pack("!BBH", 0, 6, len(hdr))
    raw.sendto(hdr[:16] + struct.pack("!H", checksum(pseudo + hdr)) + hdr[18:], (vip, 0))
end = time.time() + 1.5
while select.select([raw], [], [], max(0, end - time.time()))[0]:
    pkt, peer = raw.recvfrom(65535)
    ihl = 0 if six else (pkt[0] & 15) * 4
    if socket.inet_pton(family, peer[0]) == socket.inet_pton(family, vip) and struct.unpack("!HH", pkt[ihl:ihl + 4]) == (port, sport):
        print("RST" if pkt[ihl + 13] & 4 else "OTHER")
        sys.exit(0)
print("NONE")
"""


def stray_drops(director):
    """Segments dropped by the stray chain's rules of the lvs_ha table."""
    out = host(director).check_output("nft list chain inet lvs_ha stray")
    return sum(int(n) for n in re.findall(r"counter packets (\d+) bytes \d+ drop", out))


@pytest.mark.parametrize("vip", VIPS)
def test_stray_tcp_segment_is_dropped_not_reset(master, vip):
    # What the new master of a VIP sees of a flow the old one has not synced yet.
    before = stray_drops(master)
    answer = host(CLIENT).check_output(python_command(_STRAY_ACK, vip, 80))
    assert answer == "NONE", f"{master} answered a stray ACK to {vip}:80 with {answer}"
    # At least: a late segment of an earlier test's flow may be dropped too
    # (tun in CI of 12-03: 22 for 20 + 1). Without the drop the answer is RST.
    assert stray_drops(master) >= before + 1


@pytest.mark.forwarding_independent
def test_security_sensitive_files_are_root_owned_with_tight_modes(alive):
    # keepalived runs the depool guard as root: nobody else may write it.
    expected = {"/etc/keepalived/keepalived.conf": 0o640, "/etc/keepalived/lvs-ha-notify.sh": 0o700,
                "/etc/lvs-ha.nft": 0o644, "/usr/local/sbin/lvs-ha-depool-guard": 0o755}
    for director in alive:
        # One stat for the four files: testinfra's file() costs an exec per attribute (23 s in a slow lab).
        out = host(director).check_output("stat -c '%n %U %G %a' " + " ".join(expected))
        found = {path: (user, group, int(mode, 8)) for path, user, group, mode in (line.split() for line in out.splitlines())}
        assert found == {path: ("root", "root", mode) for path, mode in expected.items()}, f"{director}: {out}"
        conf = host(director).check_output("cat /etc/keepalived/keepalived.conf")
        assert "enable_script_security" in conf and "script_user root" in conf
