# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The depool guard (roles/director/files/lvs-ha-depool-guard.py): the events keepalived sends it, the weights it
sets with ipvsadm, its state across events and keepalived restarts. The services come from the director model of
the role's own edge inventory, as the role writes them; ipvsadm is recorded, not run (the lab runs the real one)."""

from __future__ import annotations

import importlib.util
import json
import os

import pytest

HERE = os.path.dirname(__file__)
PATH = os.path.join(HERE, '..', '..', '..', 'roles', 'director', 'files', 'lvs-ha-depool-guard.py')
SPEC = importlib.util.spec_from_file_location('lvs_ha_depool_guard', PATH)
guard = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(guard)


def rs(ip, weight=1, port=80, forwarding='DR'):
    return {'ip': ip, 'port': port, 'weight': weight, 'configured_weight': weight, 'forwarding': forwarding}


def service(key='10.0.0.10 80', servers=None, min_weight=1, policy='keep', **over):
    servers = servers if servers is not None else [rs('10.0.0.21'), rs('10.0.0.22')]
    live = [{'protocol': 'tcp', 'address': key.split()[0], 'port': int(key.split()[1])}] if key[0].isdigit() else []
    return dict({'key': key, 'name': 'web', 'group': None, 'family': 4, 'real_servers': servers, 'live': live,
                 'depool_guard': {'policy': policy, 'threshold': 0.5, 'weight': sum(r['weight'] for r in servers),
                                  'min_weight': min_weight}}, **over)


def event(kind, server='10.0.0.21 80', key='10.0.0.10 80'):
    return {'kind': kind, 'server': server, 'service': key}


def fresh():
    return {'keepalived_pid': 1, 'services': {}}


def edit(ip, weight, service='10.0.0.10:80'):
    return ['ipvsadm', '-e', '-t', service, '-r', ip + ':80', '-g', '-w', str(weight)]


def test_one_failed_check_of_two_is_left_to_keepalived():
    state = fresh()
    commands, logs = guard.update(state, [service()], event('down'), 100.0)
    # keepalived set it to weight 0 (inhibit_on_failure): the guard sets what keepalived set, nothing held.
    assert commands == [edit('10.0.0.21', 0), edit('10.0.0.22', 1)]
    assert logs == [] and state['services']['10.0.0.10 80']['holding'] is False


def test_every_check_failing_keeps_the_failed_servers_in_and_the_first_mended_releases():
    state, services = fresh(), [service()]
    guard.update(state, services, event('down'), 100.0)
    commands, logs = guard.update(state, services, event('down', '10.0.0.22 80'), 101.0)
    assert commands == [edit('10.0.0.21', 1), edit('10.0.0.22', 1)]
    entry = state['services']['10.0.0.10 80']
    assert entry['holding'] and entry['since'] == 101.0 and entry['live_weight'] == 0
    assert 'holds its failed real servers in: live weight 0 of 2 is below 1' in logs[0]
    assert '10.0.0.21 80, 10.0.0.22 80' in logs[0]
    # One check passes again: live weight 1 reaches 1, the other failed server goes back to 0.
    commands, logs = guard.update(state, services, event('up', '10.0.0.21 80'), 130.0)
    assert commands == [edit('10.0.0.21', 1), edit('10.0.0.22', 0)]
    assert 'released' in logs[0] and not entry['holding'] and entry['since'] is None and entry['down'] == ['10.0.0.22 80']


def test_a_reload_enabling_every_server_ends_with_every_weight_back():
    """Seen in the lab: the checks mended by a reload, keepalived enabled both servers at once, and the first up
    event released the service while the second server's own up event still waited: that one went to 0. Its up
    event must set it back."""
    state, services = fresh(), [service()]
    guard.update(state, services, event('down'), 1.0)
    guard.update(state, services, event('down', '10.0.0.22 80'), 2.0)
    first, _logs = guard.update(state, services, event('up', '10.0.0.22 80'), 3.0)
    assert edit('10.0.0.21', 0) in first
    second, _logs = guard.update(state, services, event('up', '10.0.0.21 80'), 3.1)
    assert second == [edit('10.0.0.21', 1), edit('10.0.0.22', 1)]


def test_events_of_another_service_or_policy_change_nothing():
    state = fresh()
    services = [service(), service('10.0.0.11 80', policy='sorry')]
    assert guard.update(state, services, event('down', key='10.0.0.11 80'), 1.0) == ([], [])
    assert guard.update(state, services, event('down', key='10.0.0.99 80'), 1.0) == ([], [])


def test_apply_after_a_reload_puts_held_weights_back_only_while_holding():
    state, services = fresh(), [service()]
    guard.update(state, services, event('down'), 1.0)
    assert guard.update(state, services, {'kind': 'apply'}, 2.0) == ([], [])
    guard.update(state, services, event('down', '10.0.0.22 80'), 3.0)
    commands, _logs = guard.update(state, services, {'kind': 'apply'}, 4.0)
    assert len(commands) == 2 and all(c[-1] == '1' for c in commands)


def test_a_drained_server_stays_at_0_when_the_other_fails():
    servers = [rs('10.0.0.21', weight=0), rs('10.0.0.22')]
    state, services = fresh(), [service(servers=servers, min_weight=1)]
    commands, _logs = guard.update(state, services, event('down', '10.0.0.22 80'), 1.0)
    assert commands == [edit('10.0.0.21', 0), edit('10.0.0.22', 1)]


@pytest.mark.parametrize('vs, server, expected', [
    (service('fwmark 1', servers=[rs('10.0.0.21', port=None)], live=[{'fwmark': 1}]), rs('10.0.0.21', port=None),
     [['ipvsadm', '-e', '-f', '1', '-r', '10.0.0.21', '-g', '-w', '3']]),
    (service('fwmark 2', family=6, live=[{'fwmark': 2}]), rs('fd77::21', port=None),
     [['ipvsadm', '-e', '-f', '2', '-6', '-r', 'fd77::21', '-g', '-w', '3']]),
    (service('fd77::10 80', live=[{'protocol': 'tcp', 'address': 'fd77::10', 'port': 80}]), rs('fd77::21', forwarding='TUN'),
     [['ipvsadm', '-e', '-t', '[fd77::10]:80', '-r', '[fd77::21]:80', '-i', '-w', '3']]),
    (service('10.0.0.10 80'), rs('10.0.0.21', port=8080, forwarding='NAT'),
     [['ipvsadm', '-e', '-t', '10.0.0.10:80', '-r', '10.0.0.21:8080', '-m', '-w', '3']]),
    # A group: every member; a DR real server listens on the member's port.
    (service('group g', group='g', live=[{'protocol': 'udp', 'address': '10.0.0.10', 'port': 53},
                                         {'protocol': 'udp', 'address': '10.0.0.11', 'port': 53}]),
     rs('10.0.0.21', port=None),
     [['ipvsadm', '-e', '-u', '10.0.0.10:53', '-r', '10.0.0.21:53', '-g', '-w', '3'],
      ['ipvsadm', '-e', '-u', '10.0.0.11:53', '-r', '10.0.0.21:53', '-g', '-w', '3']]),
], ids=['fwmark', 'fwmark6', 'ipv6_tun', 'nat_port', 'group'])
def test_ipvsadm_names_the_service_and_server_as_keepalived_made_them(vs, server, expected):
    assert guard.ipvsadm_edits(vs, server, 3) == expected


@pytest.mark.parametrize('argv, expected', [
    (['g', 'down', '10.0.0.21', '80', '10.0.0.10', '80'], event('down')),
    (['g', 'up', 'fd77::21', '-', 'fwmark', '2'], {'kind': 'up', 'server': 'fd77::21 -', 'service': 'fwmark 2'}),
    (['g', 'apply'], {'kind': 'apply'}),
])
def test_keepalived_arguments(argv, expected):
    assert guard.parse(argv) == expected


def test_bad_arguments_name_the_usage():
    with pytest.raises(SystemExit, match='usage'):
        guard.parse(['g', 'sideways', '10.0.0.21', '80', '10.0.0.10', '80'])


def test_main_keeps_state_across_events_and_forgets_it_when_keepalived_restarts(tmp_path, monkeypatch):
    services, pid, ran = tmp_path / 'services.json', tmp_path / 'keepalived.pid', []
    services.write_text(json.dumps({'virtual_servers': [service()], 'groups': {}}))
    pid.write_text('100\n')
    monkeypatch.setattr(guard, 'SERVICES', str(services))
    monkeypatch.setattr(guard, 'STATE', str(tmp_path / 'run' / 'state.json'))
    monkeypatch.setattr(guard, 'KEEPALIVED_PID', str(pid))
    monkeypatch.setattr(guard, 'APPLY_ROUNDS', (0, 0))
    monkeypatch.setattr(guard.subprocess, 'run', lambda c, **kw: ran.append(c) or type('R', (), {'returncode': 0})())
    monkeypatch.setattr(guard.syslog, 'syslog', lambda *a: None)
    assert guard.main(['g', 'down', '10.0.0.21', '80', '10.0.0.10', '80']) == 0
    assert guard.main(['g', 'down', '10.0.0.22', '80', '10.0.0.10', '80']) == 0
    state = json.loads((tmp_path / 'run' / 'state.json').read_text())
    assert state['services']['10.0.0.10 80']['holding'] and state['keepalived_pid'] == 100
    ran.clear()
    assert guard.main(['g', 'apply']) == 0 and len(ran) == 4   # two rounds, both servers each
    # Once nothing is held, apply returns after its first look (a reload's handler does not wait its rounds).
    assert guard.main(['g', 'up', '10.0.0.21', '80', '10.0.0.10', '80']) == 0
    ran.clear()
    started = guard.time.monotonic()
    monkeypatch.setattr(guard, 'APPLY_ROUNDS', (0, 5))
    assert guard.main(['g', 'apply']) == 0 and ran == [] and guard.time.monotonic() - started < 1
    # A new keepalived starts with every server up: the old failures are forgotten.
    pid.write_text('200\n')
    ran.clear()
    assert guard.main(['g', 'down', '10.0.0.21', '80', '10.0.0.10', '80']) == 0
    state = json.loads((tmp_path / 'run' / 'state.json').read_text())
    assert state['services']['10.0.0.10 80']['down'] == ['10.0.0.21 80'] and not state['services']['10.0.0.10 80']['holding']
