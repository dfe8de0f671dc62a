# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible_collections.lvs.ha.plugins.modules import ipvs_info


def test_info_merges_every_listing(recorded, fake, run_module):
    fake.answers.update({
        ('-S', '-n'): recorded('save_mixed.txt'),
        ('-L', '-n', '--thresholds'): recorded('list_thresholds.txt'),
        ('-L', '-n', '--exact', '--stats'): recorded('list_stats.txt'),
        ('-L', '-n', '--exact', '--rate'): recorded('list_rate.txt'),
        ('-L', '--timeout'): recorded('list_timeout.txt'),
        ('-L', '--daemon'): recorded('list_daemon.txt'),
    })
    result, failed = run_module(ipvs_info.main, {}, check_mode=True)
    assert not failed and result['changed'] is False
    web = result['services'][0]
    assert (web['key'], web['active_connections'], web['inactive_connections']) == ('-t 10.78.0.10:80', 3, 1)
    assert web['stats']['connections'] == 15 and web['rates']['connections_per_second'] == 1
    rs = web['real_servers'][0]
    assert (rs['weight'], rs['upper_threshold'], rs['lower_threshold'], rs['active_connections']) == (2, 100, 10, 3)
    assert rs['stats']['incoming_bytes'] == 6000 and rs['rates']['incoming_packets_per_second'] == 5
    assert result['timeouts'] == {'tcp': 900, 'tcpfin': 120, 'udp': 300}
    assert [d['role'] for d in result['sync_daemons']] == ['master', 'backup']
    assert len(result['services']) == 7


def test_info_failure_names_the_command(fake, run_module):
    fake.answers[('-S', '-n')] = (2, '', "Can't initialize ipvs: Protocol not available\n")
    result, failed = run_module(ipvs_info.main, {})
    assert failed and result['msg'].startswith('ipvsadm -S -n failed (rc=2): Can\'t initialize ipvs')
