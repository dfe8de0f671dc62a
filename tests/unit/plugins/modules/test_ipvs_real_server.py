# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible_collections.lvs.ha.plugins.modules import ipvs_real_server

SAVE = ('-S', '-n')
THRESHOLDS = ('-L', '-n', '--thresholds')
LIST_80 = ('-L', '-n', '-t', '10.78.0.10:80')
VS = dict(address='10.78.0.10', port=80)


def test_drain_keeps_thresholds_and_forwarding(recorded, fake, run_module):
    fake.answers[SAVE] = recorded('save_mixed.txt')
    fake.answers[THRESHOLDS] = recorded('list_thresholds.txt')
    result, failed = run_module(ipvs_real_server.main, dict(virtual_server=VS, address='10.78.0.21', state='drained'),
                                diff=True)
    assert not failed
    assert result['commands'] == ['-e -t 10.78.0.10:80 -r 10.78.0.21:80 -g -w 0 -x 100 -y 10']
    assert result['diff']['before'].endswith('-g -w 2 -x 100 -y 10\n')
    assert fake.calls == [SAVE, THRESHOLDS, ('-R',)]


def test_drain_and_wait_until_idle(recorded, fake, run_module, monkeypatch):
    monkeypatch.setattr(ipvs_real_server, 'POLL_SECONDS', 0)
    fake.answers[SAVE] = recorded('save_mixed.txt')
    fake.answers[LIST_80] = [recorded('list_service_80.txt'), recorded('list_service_80_idle.txt')]
    result, failed = run_module(ipvs_real_server.main, dict(virtual_server=VS, address='10.78.0.21', state='drained',
                                                            wait=True, wait_timeout=30))
    assert not failed and result['active_connections'] == 0 and result['inactive_connections'] == 0
    assert fake.calls.count(LIST_80) == 2


def test_drain_waits_for_inactive_connections_too(recorded, fake, run_module, monkeypatch):
    """No active connection left, but closed ones IPVS still tracks: wait_inactive (the default) waits them out."""
    monkeypatch.setattr(ipvs_real_server, 'POLL_SECONDS', 0)
    fake.answers[SAVE] = recorded('save_mixed.txt')
    inactive_only = recorded('list_service_80.txt').replace('3          1', '0          2')
    inactive_fewer = recorded('list_service_80.txt').replace('3          1', '0          1')
    fake.answers[LIST_80] = [inactive_only, inactive_fewer, recorded('list_service_80_idle.txt')]
    result, failed = run_module(ipvs_real_server.main, dict(virtual_server=VS, address='10.78.0.21', state='drained',
                                                            wait=True, wait_timeout=30))
    assert not failed and (result['active_connections'], result['inactive_connections']) == (0, 0)
    assert fake.calls.count(LIST_80) == 3


def test_drain_wait_timeout_names_the_inactive_connections(recorded, fake, run_module, monkeypatch):
    monkeypatch.setattr(ipvs_real_server, 'POLL_SECONDS', 0)
    fake.answers[SAVE] = recorded('save_mixed.txt')
    fake.answers[LIST_80] = recorded('list_service_80.txt').replace('3          1', '0          4')
    result, failed = run_module(ipvs_real_server.main, dict(virtual_server=VS, address='10.78.0.21', state='drained',
                                                            wait=True, wait_timeout=0))
    assert failed and 'still has 0 active and 4 inactive connections' in result['msg']
    assert (result['active_connections'], result['inactive_connections']) == (0, 4)


def test_drain_wait_for_active_only_ignores_closed_connections(recorded, fake, run_module, monkeypatch):
    monkeypatch.setattr(ipvs_real_server, 'POLL_SECONDS', 0)
    fake.answers[SAVE] = recorded('save_mixed.txt')
    active_gone = recorded('list_service_80.txt').replace('3          1', '0          1')
    fake.answers[LIST_80] = [recorded('list_service_80.txt'), active_gone]
    result, failed = run_module(ipvs_real_server.main, dict(virtual_server=VS, address='10.78.0.21', state='drained',
                                                            wait=True, wait_inactive=False, wait_timeout=30))
    assert not failed and (result['active_connections'], result['inactive_connections']) == (0, 1)
    assert fake.calls.count(LIST_80) == 2


def test_drain_wait_timeout_is_a_clear_failure(recorded, fake, run_module, monkeypatch):
    monkeypatch.setattr(ipvs_real_server, 'POLL_SECONDS', 0)
    fake.answers[SAVE] = recorded('save_mixed.txt')
    fake.answers[LIST_80] = recorded('list_service_80.txt')
    result, failed = run_module(ipvs_real_server.main, dict(virtual_server=VS, address='10.78.0.21', state='drained',
                                                            wait=True, wait_timeout=0))
    assert failed
    assert 'still has 3 active and 1 inactive connections' in result['msg']
    assert result['changed'] is True and result['active_connections'] == 3


def test_back_to_weight_and_idempotent(recorded, fake, run_module):
    fake.answers[SAVE] = recorded('save_mixed.txt')
    result, failed = run_module(ipvs_real_server.main, dict(virtual_server=VS, address='10.78.0.21', weight=2))
    assert result['changed'] is False and fake.calls == [SAVE]


def test_add_and_remove(recorded, fake, run_module):
    fake.answers[SAVE] = recorded('save_mixed.txt')
    result, failed = run_module(ipvs_real_server.main, dict(virtual_server=dict(protocol='udp', address='10.78.0.10', port=53),
                                                            address='10.78.0.24', port=5353, forwarding='nat'), check_mode=True)
    assert result['commands'] == ['-a -u 10.78.0.10:53 -r 10.78.0.24:5353 -m -w 1']
    result, failed = run_module(ipvs_real_server.main, dict(virtual_server=dict(fwmark=7), address='10.78.0.21',
                                                            state='absent'))
    assert result['commands'] == ['-d -f 7 -r 10.78.0.21:0']


def test_errors(recorded, fake, run_module):
    fake.answers[SAVE] = recorded('save_mixed.txt')
    result, failed = run_module(ipvs_real_server.main, dict(virtual_server=dict(address='10.78.0.99', port=80),
                                                            address='10.78.0.21'))
    assert failed and 'does not exist' in result['msg']
    result, failed = run_module(ipvs_real_server.main, dict(virtual_server=VS, address='10.78.0.99', state='drained'))
    assert failed and 'nothing to drain' in result['msg']
    calls = len(fake.calls)
    result, failed = run_module(ipvs_real_server.main, dict(virtual_server=VS, address='10.78.0.21', weight=-1))
    assert failed and result['msg'].startswith('weight: -1 is out of range') and len(fake.calls) == calls
    result, failed = run_module(ipvs_real_server.main, dict(virtual_server=VS, address='10.78.0.21', port=81,
                                                            forwarding='dr'))
    assert failed and 'port: 81 differs from the service port 80' in result['msg'] and len(fake.calls) == calls
