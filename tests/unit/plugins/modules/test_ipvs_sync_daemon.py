# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible_collections.lvs.ha.plugins.modules import ipvs_sync_daemon

DAEMON = ('-L', '--daemon')


def test_start_when_stopped(fake, run_module):
    fake.answers[DAEMON] = ['', 'master sync daemon (mcast=eth0, syncid=10)\n']
    result, failed = run_module(ipvs_sync_daemon.main, dict(role='master', interface='eth0', syncid=10), diff=True)
    assert result['changed'] and result['commands'] == [['--start-daemon', 'master', '--mcast-interface', 'eth0', '--syncid', '10']]
    assert fake.ran('--start-daemon', 'master', '--mcast-interface', 'eth0', '--syncid', '10')
    assert result['diff'] == {'before': '', 'after': 'master sync daemon (interface=eth0, syncid=10)\n'}


def test_idempotent_and_check_mode(recorded, fake, run_module):
    fake.answers[DAEMON] = recorded('list_daemon.txt')
    result, failed = run_module(ipvs_sync_daemon.main, dict(role='backup', interface='eth1', syncid=20))
    assert result['changed'] is False and fake.calls == [DAEMON]
    result, failed = run_module(ipvs_sync_daemon.main, dict(role='backup', interface='eth1', syncid=21), check_mode=True)
    assert result['commands'] == [['--stop-daemon', 'backup'], ['--start-daemon', 'backup', '--mcast-interface', 'eth1',
                                                                '--syncid', '21']]
    assert fake.calls == [DAEMON, DAEMON]


def test_stop(recorded, fake, run_module):
    fake.answers[DAEMON] = recorded('list_daemon.txt')
    result, failed = run_module(ipvs_sync_daemon.main, dict(role='master', state='stopped'))
    assert result['changed'] and fake.ran('--stop-daemon', 'master') and result['daemon'] is None


def test_bad_input(fake, run_module):
    result, failed = run_module(ipvs_sync_daemon.main, dict(role='master', interface='eth0', syncid=256))
    assert failed and result['msg'].startswith('syncid: 256 is out of range') and fake.calls == []
    result, failed = run_module(ipvs_sync_daemon.main, dict(role='master', interface='eth0', mcast_group='10.0.0.1'))
    assert failed and 'not a multicast address' in result['msg']
    result, failed = run_module(ipvs_sync_daemon.main, dict(role='master'))
    assert failed and 'interface' in result['msg']


def test_group_compared_in_canonical_form(fake, run_module):
    fake.answers[DAEMON] = 'master sync daemon (mcast=eth0, syncid=1, maxlen=1472, group=ff02::81, port=8848, ttl=1)\n'
    result, failed = run_module(ipvs_sync_daemon.main, dict(role='master', interface='eth0', mcast_group='FF02:0::81'))
    assert not failed and result['changed'] is False
