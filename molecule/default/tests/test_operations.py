"""Verify of the operations side effect (drain roll, switchover, status).

Runs after it, in the verify that follows the kill: the evidence was copied to
the client, because the first director is dead by then. Scenarios that share
these tests without running operations.yml (tun, nat) skip them.
"""

import json

import pytest
from conftest import (CLIENTS, CONFIG, DIRECTOR_VARS, DIRECTORS, REALS, VIPS, bracketed, host, parse_transitions,
                      real_address, seconds)

CLIENT = CLIENTS[0]
RUNS_OPERATIONS = any("operations.yml" in step for step in CONFIG["scenario"]["test_sequence"])
INSTANCES = [i["name"] for i in DIRECTOR_VARS["director_vrrp_instances"]]


def instance_of(vip):
    """The VRRP instance that moves vip."""
    return next(i["name"] for i in DIRECTOR_VARS["director_vrrp_instances"] if any(v.split("/")[0] == vip for v in i["vips"]))


@pytest.fixture(scope="module")
def evidence(master_killed):
    if not RUNS_OPERATIONS:
        pytest.skip("this scenario does not run the operations side effect")
    if not master_killed:
        pytest.skip("runs after the operations side effect")
    stream = json.loads(host(CLIENT).file("/var/tmp/lvs-operations.json").content_string)
    switched = json.loads(host(CLIENT).file("/var/tmp/lvs-switchover.json").content_string)
    collected = json.loads(host(CLIENT).file("/var/tmp/lvs-operations-evidence.json").content_string)
    print(f"operations: stream {stream}; after switchover {switched}")
    return dict(stream=stream, switched=switched, **collected)


@pytest.mark.parametrize("vip", VIPS)
def test_drain_roll_fails_no_request_and_a_vip_move_resets_none(evidence, vip):
    stream = evidence["stream"][vip]
    # No director resets a flow it does not know (chain stray drops the segment,
    # the client retransmits until the sync message arrives), and both sync
    # daemons keep running on a director that steps down. Left: a connection
    # whose SYN reached the old master and whose request reached the new one,
    # one round trip wide, is never synced (IPVS syncs from its 3rd packet) and
    # times out. Allowed: one such timeout per VIP move, of a request started
    # from 1 s before to 3 s after it. A reset, anything else, and any failure
    # during the drain roll fail the test.
    # Both clocks as seconds since UTC midnight (the stream's start is epoch seconds);
    # differences wrapped into ±12 h, so a run across midnight compares right.
    moves = [seconds(f[0]) for log in evidence["transitions"].values() for f in parse_transitions(log)
             if f[3] == "MASTER" and f[2] == instance_of(vip)]
    start = stream["started"] % 86400
    at_moves = [f for f in stream["failures"] if f[1] in ("TimeoutError", "timeout")
                and any(-1 <= (start + f[0] - move + 43200) % 86400 - 43200 <= 3 for move in moves)]
    # Those of the broken checks' phase: test_every_check_broken_at_once_keeps_the_service_serving.
    others = [f for f in stream["failures"] if f not in at_moves and not broken_phase(evidence, stream, f)]
    print(f"\nstream to {vip}: {stream['failed']} of {stream['requests']} failed; timed out at a VIP move: {at_moves}")
    guarded = [f for f in stream["failures"] if broken_phase(evidence, stream, f)]
    assert not others and stream["failed"] == len(at_moves) + len(guarded) and len(at_moves) <= len(moves), \
        f"{stream['failed']} of {stream['requests']} requests failed: {stream['failures']} (VIP moves at {moves})"
    # At 10 requests/s over a roll of two real servers and two switchovers: minutes of traffic.
    assert stream["requests"] >= 300, stream
    assert set(stream["answered_by"]) == set(REALS), stream


def broken_phase(evidence, stream, failure):
    broken = evidence["broken_checks"]
    return broken["broken_at"] <= stream["started"] + failure[0] <= broken["mended_at"]


def journal_times(journal, *needles):
    """When (s since the epoch) the lines of a `journalctl -o short-unix` text holding every needle were logged."""
    return [float(line.split(" ", 1)[0]) for line in journal.splitlines() if all(n in line for n in needles)]


def guard_window(evidence, vip):
    """Where requests may fail while every check fails, as the master's journal timed it: from keepalived disabling
    the service's last real server (weight 0 in IPVS: no destination, a refused connection) to the depool guard
    having put them back (it logs after its ipvsadm edits). 0.2 s either side for a request's own time."""
    journal = evidence["broken_checks"]["journal"][DIRECTORS[0]]
    held = journal_times(journal, f"depool guard: {vip} 80 (", "holds its failed real servers in")
    assert len(held) == 1, f"the guard held {vip} {len(held)} times in the phase:\n{journal}"
    disabled = [t for t in journal_times(journal, "Disabling service", f"of VS [{vip}]:tcp:80") if t <= held[0]]
    assert disabled, f"keepalived disabled no real server of {vip} before the guard held it:\n{journal}"
    return disabled[-1] - 0.2, held[0] + 0.2


@pytest.mark.parametrize("vip", VIPS)
def test_every_check_broken_at_once_keeps_the_service_serving(evidence, vip):
    stream, broken = evidence["stream"][vip], evidence["broken_checks"]
    low, high = guard_window(evidence, vip)
    failures = [f for f in stream["failures"] if broken_phase(evidence, stream, f)]
    outside = [f for f in failures if not low <= stream["started"] + f[0] <= high]
    held_for = broken["mended_at"] - broken["held"][DIRECTORS[0]]["services"][f"{vip} 80"]["since"]
    print(f"\n{vip}: every check failing, held {held_for:.1f} s until mended: {len(failures)} failed requests "
          f"{failures}, window {high - low:.1f} s around the guard's act")
    assert not outside, (f"requests failed outside the guard's window {low:.2f}-{high:.2f} (stream started "
                         f"{stream['started']:.2f}): {outside}\n{broken['journal'][DIRECTORS[0]]}")
    assert held_for >= 8, "the guard held the service less than the phase's 8 s pause"


def test_every_check_broken_the_guard_holds_both_real_servers_in_on_both_directors(evidence):
    held = evidence["broken_checks"]["held"]
    for director in DIRECTORS:
        for vip in VIPS:
            service = held[director]["services"][f"{vip} 80"]
            assert service["holding"] and service["live_weight"] == 0 and service["min_weight"] == 1, (director, service)
            assert sorted(service["down"]) == sorted(f"{real_address(r, vip)} 80" for r in REALS), (director, service)
        table = evidence["broken_checks"]["tables"][director]
        weights = [line.split()[3] for line in table.splitlines() if line.strip().startswith("->") and "Weight" not in line]
        assert weights and set(weights) == {"1"}, table


def test_every_check_broken_status_says_why(evidence):
    status = evidence["broken_checks"]["status"]
    text = "\n".join(status)
    print(text)
    assert text.count("depool guard HOLDING since") == len(VIPS), text
    for real in REALS:
        for vip in VIPS:
            address = bracketed(real_address(real, vip))
            assert any(line.split()[:4] == [f"{address}:80", "weight", "1", "held"] for line in status), text
    assert "WARNINGS" in text and "the depool guard keeps" in text, text


def test_checks_mended_the_guard_releases_everything(evidence):
    for director, state in evidence["broken_checks"]["mended"].items():
        for key, service in state["services"].items():
            assert not service["holding"] and service["down"] == [], (director, key, service)


def test_every_real_server_was_maintained_while_drained(evidence):
    for real in REALS:
        log = host(real).file("/var/tmp/lvs-maintenance.log")
        assert log.exists and f"{real} maintained" in log.content_string, f"{real}: maintenance hook did not run"


def test_roll_leaves_nothing_drained(evidence):
    assert evidence["drained"] == {d: [] for d in DIRECTORS}, evidence["drained"]


def test_switchover_moved_the_vip_to_the_backup(evidence):
    first, second = DIRECTORS
    assert evidence["switched"] == {first: "BACKUP", second: "MASTER"}


def test_switchover_away_and_back_are_the_only_transitions(evidence):
    first, second = DIRECTORS
    for instance in INSTANCES:
        states = {d: [f[3] for f in parse_transitions(log) if f[2] == instance] for d, log in evidence["transitions"].items()}
        for director, seen in states.items():
            assert "FAULT" not in seen, f"{director} {instance}: {seen}"
        # The log starts after the fault tests of the first verify (test_faults.py sets theirs apart):
        # director1 BACKUP when it hands over, MASTER when it takes back; director2 MASTER once, then BACKUP.
        assert states[first] == ["BACKUP", "MASTER"], f"{first} {instance}: {states[first]}"
        assert states[second].count("MASTER") == 1 and states[second][-1] == "BACKUP", f"{second} {instance}: {states[second]}"


def test_status_shows_one_master_and_every_real_server_up(evidence):
    status = evidence["status"]
    text = "\n".join(status)
    print(text)
    first, second = DIRECTORS
    for instance in INSTANCES:
        assert any(line.split()[:3] == [first, instance, "MASTER"] for line in status), text
        assert any(line.split()[:3] == [second, instance, "BACKUP"] for line in status), text
    for real in REALS:
        for vip in VIPS:
            address = bracketed(real_address(real, vip))
            assert any(line.split()[:4] == [f"{address}:80", "weight", "1", "up"] for line in status), text
    assert "No warnings" in text
