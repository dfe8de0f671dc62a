# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible_collections.lvs.ha.plugins.modules import ipvs_virtual_server

SAVE = ('-S', '-n')
LIVE = '-A -t 10.0.0.1:80 -s wrr\n-a -t 10.0.0.1:80 -r 10.0.0.21:80 -g -w 2\n-a -t 10.0.0.1:80 -r 10.0.0.22:80 -g -w 1\n'
ARGS = dict(address='10.0.0.1', port=80, scheduler='wrr', real_servers=[dict(address='10.0.0.21', weight=2)])


def test_present_and_idempotent(fake, run_module):
    fake.answers[SAVE] = LIVE
    result, failed = run_module(ipvs_virtual_server.main, ARGS)
    assert not failed and result['changed'] is False
    assert [rs['address'] for rs in result['service']['real_servers']] == ['10.0.0.21', '10.0.0.22']


def test_purge_removes_unlisted_server_with_diff(fake, run_module):
    fake.answers[SAVE] = LIVE
    result, failed = run_module(ipvs_virtual_server.main, dict(ARGS, purge=True), diff=True)
    assert result['commands'] == ['-d -t 10.0.0.1:80 -r 10.0.0.22:80']
    assert '10.0.0.22' in result['diff']['before'] and '10.0.0.22' not in result['diff']['after']
    assert fake.stdin == ['-d -t 10.0.0.1:80 -r 10.0.0.22:80\n']


def test_create_fwmark_service(fake, run_module):
    fake.answers[SAVE] = ''
    result, failed = run_module(ipvs_virtual_server.main, dict(fwmark=7, family='ipv6', scheduler='sh',
                                                               scheduler_flags=['sh-port', 'sh-fallback']), check_mode=True)
    assert result['commands'] == ['-A -f 7 -6 -s sh -b sh-fallback,sh-port']
    assert fake.calls == [SAVE]


def test_absent(fake, run_module):
    fake.answers[SAVE] = LIVE
    result, failed = run_module(ipvs_virtual_server.main, dict(address='10.0.0.1', port=80, state='absent'))
    assert result['changed'] and result['service'] is None
    assert fake.stdin == ['-D -t 10.0.0.1:80\n']
    fake.answers[SAVE] = ''
    result, failed = run_module(ipvs_virtual_server.main, dict(address='10.0.0.1', port=80, state='absent'))
    assert result['changed'] is False


def test_purge_needs_real_servers(fake, run_module):
    result, failed = run_module(ipvs_virtual_server.main, dict(address='10.0.0.1', port=80, purge=True))
    assert failed and 'real_servers' in result['msg'] and fake.calls == []


def test_ipv4_netmask_on_ipv6_service(fake, run_module):
    result, failed = run_module(ipvs_virtual_server.main, dict(address='2001:db8::1', port=80, persistence_timeout=30,
                                                               persistence_netmask='255.255.255.0'))
    assert failed and result['msg'].startswith('persistence_netmask:') and fake.calls == []
