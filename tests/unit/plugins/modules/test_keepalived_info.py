# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible.module_utils import basic

from ansible_collections.lvs.ha.plugins.module_utils.keepalived_runner import KeepalivedRunner
from ansible_collections.lvs.ha.plugins.modules import keepalived_info

READ_DUMP = KeepalivedRunner.read_dump   # the real one, before a fixture replaces it

ANSWERS = {
    ('--version',): (0, '', 'Keepalived v2.2.7 (01/16,2022)\n\nCopyright(C) 2001-2022 Alexandre Cassen\n'),
    ('-t', '-f', '/etc/keepalived/keepalived.conf'): (0, '', ''),
}


@pytest.fixture
def keepalived(monkeypatch, recorded):
    """keepalived's commands answered from ANSWERS (a copy per test), a running pid, the recorded dump."""
    answers, calls = dict(ANSWERS), []

    def run(self, args):
        calls.append(tuple(args))
        return answers[tuple(args)]

    monkeypatch.setattr(KeepalivedRunner, 'run', run)
    monkeypatch.setattr(KeepalivedRunner, 'main_pid', lambda self: 420)
    monkeypatch.setattr(KeepalivedRunner, 'read_dump', lambda self, pid, timeout: recorded('keepalived_master.json'))
    monkeypatch.setattr(basic.AnsibleModule, 'get_bin_path', lambda self, *a, **kw: '/usr/sbin/keepalived')
    return answers, calls, monkeypatch


def test_running_master(keepalived, run_module):
    result, failed = run_module(keepalived_info.main, {}, check_mode=True)
    assert not failed and result['changed'] is False
    assert (result['version'], result['config_ok'], result['running'], result['pid']) == ('2.2.7', True, True, 420)
    assert [(i['name'], i['state'], i['vips']) for i in result['instances']] == [('VI_DEFAULT', 'MASTER', ['10.77.0.10/24'])]


def test_broken_config_is_reported_not_failed(keepalived, run_module):
    answers, _calls, _mp = keepalived
    answers[('-t', '-f', '/etc/keepalived/keepalived.conf')] = (
        5, '', "(/etc/keepalived/keepalived.conf: Line 3) Unknown keyword 'bogus_kw'\n")
    result, failed = run_module(keepalived_info.main, {})
    assert not failed and result['config_ok'] is False
    assert result['config_errors'] == ["(/etc/keepalived/keepalived.conf: Line 3) Unknown keyword 'bogus_kw'"]


def test_config_test_runs_by_default_and_can_be_skipped(keepalived, run_module):
    _answers, calls, _mp = keepalived
    run_module(keepalived_info.main, {})
    assert ('-t', '-f', '/etc/keepalived/keepalived.conf') in calls
    del calls[:]
    result, failed = run_module(keepalived_info.main, dict(config_test=False))
    assert not failed and calls == [('--version',)]
    assert 'config_ok' not in result and 'config_errors' not in result
    assert [(i['name'], i['state']) for i in result['instances']] == [('VI_DEFAULT', 'MASTER')]


def test_stopped_keepalived_has_no_instances(keepalived, run_module):
    _answers, _calls, monkeypatch = keepalived
    monkeypatch.setattr(KeepalivedRunner, 'main_pid', lambda self: None)
    result, failed = run_module(keepalived_info.main, {})
    assert not failed and (result['running'], result['pid'], result['instances']) == (False, None, [])


def test_dump_without_json_support_fails_clearly(keepalived, run_module):
    answers, _calls, monkeypatch = keepalived
    answers[('--signum=JSON',)] = (1, '', 'Unknown signal name JSON\n')
    monkeypatch.setattr(KeepalivedRunner, 'read_dump', READ_DUMP)   # asks for the signal number first
    result, failed = run_module(keepalived_info.main, {})
    assert failed and 'built without --enable-json' in result['msg']


def test_keepalived_without_vrrp_is_not_asked_for_a_dump(keepalived, run_module):
    # director_mode ecmp: only keepalived's VRRP process writes the dump; asking would time out.
    _answers, _calls, monkeypatch = keepalived
    monkeypatch.setattr(KeepalivedRunner, 'read_dump', lambda self, pid, timeout: pytest.fail('dump asked for'))
    result, failed = run_module(keepalived_info.main, dict(vrrp=False))
    assert not failed and (result['running'], result['pid'], result['instances'], result['config_ok']) == (True, 420, [], True)
