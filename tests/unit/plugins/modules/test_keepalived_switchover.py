# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json

import pytest

from ansible.module_utils import basic

from ansible_collections.lvs.ha.plugins.module_utils.keepalived_runner import KeepalivedRunner
from ansible_collections.lvs.ha.plugins.modules import keepalived_switchover


@pytest.fixture
def cluster(monkeypatch, recorded, tmp_path):
    """A running keepalived whose successive dumps are taken from `dumps` (the last one repeats)."""
    track = tmp_path / 'lvs-ha-switchover'
    track.write_text('0\n')
    dumps = [recorded('keepalived_master.json')]

    def read_dump(self, pid, timeout):
        return dumps.pop(0) if len(dumps) > 1 else dumps[0]

    monkeypatch.setattr(KeepalivedRunner, 'main_pid', lambda self: 420)
    monkeypatch.setattr(KeepalivedRunner, 'read_dump', read_dump)
    monkeypatch.setattr(basic.AnsibleModule, 'get_bin_path', lambda self, *a, **kw: '/usr/sbin/keepalived')
    monkeypatch.setattr(keepalived_switchover.time, 'sleep', lambda seconds: None)
    return track, dumps, monkeypatch


def demoted(recorded, name, effective):
    entries = json.loads(recorded(name))
    entries[0]['data']['effective_priority'] = effective
    return json.dumps(entries)


def test_backup_hands_the_vips_over_and_reports_the_state(cluster, recorded, run_module):
    track, dumps, _mp = cluster
    dumps.append(recorded('keepalived_backup.json'))
    result, failed = run_module(keepalived_switchover.main, {'file': str(track)}, diff=True)
    assert not failed and result['changed'] is True
    assert track.read_text() == '-253\n'
    assert (result['previous_value'], result['value']) == (0, -253)
    assert [(i['name'], i['state'], i['vips_set']) for i in result['instances']] == [('VI_DEFAULT', 'BACKUP', False)]
    assert result['diff']['before'] == '0\n' and result['diff']['after'] == '-253\n'


def test_check_mode_writes_nothing(cluster, run_module):
    track, _dumps, _mp = cluster
    result, failed = run_module(keepalived_switchover.main, {'file': str(track)}, check_mode=True)
    assert not failed and result['changed'] is True
    assert track.read_text() == '0\n'
    assert result['instances'][0]['state'] == 'MASTER'


def test_second_run_changes_nothing(cluster, recorded, run_module):
    track, dumps, _mp = cluster
    track.write_text('-253\n')
    dumps[0] = recorded('keepalived_backup.json')
    result, failed = run_module(keepalived_switchover.main, {'file': str(track)})
    assert not failed and result['changed'] is False and 'waited' not in result


def test_no_peer_taking_over_restores_the_file_and_fails(cluster, run_module):
    track, _dumps, _mp = cluster
    result, failed = run_module(keepalived_switchover.main, {'file': str(track), 'wait_timeout': 0})
    assert failed and 'no peer took the VIPs over' in result['msg'] and 'VI_DEFAULT MASTER' in result['msg']
    assert track.read_text() == '0\n'


def test_normal_waits_for_the_restored_priority(cluster, recorded, run_module):
    track, dumps, _mp = cluster
    track.write_text('-253\n')
    dumps[0] = demoted(recorded, 'keepalived_backup.json', 1)
    dumps.extend([demoted(recorded, 'keepalived_backup.json', 1), recorded('keepalived_master.json')])
    result, failed = run_module(keepalived_switchover.main, {'file': str(track), 'state': 'normal'})
    assert not failed and result['changed'] is True and track.read_text() == '0\n'
    assert [(i['state'], i['effective_priority']) for i in result['instances']] == [('MASTER', 200)]


@pytest.mark.parametrize('params, content, pid, message', [
    ({'file': '/nonexistent/lvs-ha-switchover'}, None, 420, 'file: cannot read /nonexistent/lvs-ha-switchover'),
    ({}, 'half\n', 420, "holds 'half', not a number"),
    ({'instances': ['VI_OTHER']}, '0\n', 420, 'instances: VI_OTHER not found; this keepalived runs VI_DEFAULT'),
    ({}, '0\n', None, 'keepalived is not running'),
])
def test_bad_input_fails_and_changes_nothing(cluster, run_module, params, content, pid, message):
    track, _dumps, monkeypatch = cluster
    if content is not None:
        track.write_text(content)
    monkeypatch.setattr(KeepalivedRunner, 'main_pid', lambda self: pid)
    result, failed = run_module(keepalived_switchover.main, dict({'file': str(track)}, **params))
    assert failed and message in result['msg']
    assert track.read_text() == (content or '0\n')
