# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json

import pytest

from ansible_collections.lvs.ha.plugins.modules import ipvs_table

SAVE = ('-S', '-n')
THRESHOLDS = ('-L', '-n', '--thresholds')
LIVE = '-A -t 10.0.0.1:80 -s wrr\n-a -t 10.0.0.1:80 -r 10.0.0.21:80 -g -w 2\n-A -t 10.0.0.1:443 -s wlc\n'
SERVICES = [dict(address='10.0.0.1', port=80, scheduler='wrr', real_servers=[dict(address='10.0.0.21', weight=2)])]


def test_no_change_runs_only_the_save(fake, run_module):
    fake.answers[SAVE] = LIVE
    result, failed = run_module(ipvs_table.main, dict(services=SERVICES))
    assert not failed and result['changed'] is False and result['commands'] == []
    assert fake.calls == [SAVE]


def test_check_mode_reports_without_restoring(fake, run_module):
    fake.answers[SAVE] = ''
    result, failed = run_module(ipvs_table.main, dict(services=SERVICES), check_mode=True, diff=True)
    assert result['changed'] is True
    assert result['commands'] == ['-A -t 10.0.0.1:80 -s wrr', '-a -t 10.0.0.1:80 -r 10.0.0.21:80 -g -w 2']
    assert result['diff'] == {'before': '', 'after': '-A -t 10.0.0.1:80 -s wrr\n-a -t 10.0.0.1:80 -r 10.0.0.21:80 -g -w 2\n'}
    assert fake.calls == [SAVE]


def test_apply_is_one_restore_on_stdin(fake, run_module):
    fake.answers[SAVE] = LIVE
    services = SERVICES + [dict(protocol='udp', address='10.0.0.1', port=53, scheduler='rr')]
    result, failed = run_module(ipvs_table.main, dict(services=services, purge=True))
    assert result['changed'] is True
    assert fake.calls == [SAVE, ('-R',)]
    assert fake.stdin == ['-D -t 10.0.0.1:443\n-A -u 10.0.0.1:53 -s rr\n']


def test_rules_input(recorded, fake, run_module):
    fake.answers[SAVE] = recorded('save_mixed.txt')
    result, failed = run_module(ipvs_table.main, dict(rules=recorded('save_mixed.txt'), purge=True))
    assert not failed and result['changed'] is False
    assert fake.calls == [SAVE]


def test_services_json_is_the_same_table_as_services(fake, run_module):
    fake.answers[SAVE] = LIVE
    services = SERVICES + [dict(protocol='udp', address='10.0.0.1', port=53, scheduler='rr')]
    given, _failed = run_module(ipvs_table.main, dict(services=services, purge=True))
    fake.calls, fake.stdin = [], []
    result, failed = run_module(ipvs_table.main, dict(services_json=json.dumps(services), purge=True))
    assert not failed and result['commands'] == given['commands']
    assert fake.calls == [SAVE, ('-R',)]
    assert fake.stdin == ['-D -t 10.0.0.1:443\n-A -u 10.0.0.1:53 -s rr\n']
    # ansible-core < 2.19 may hand the text over already turned into a list.
    fake.calls, fake.stdin = [], []
    as_list, failed = run_module(ipvs_table.main, dict(services_json=services, purge=True))
    assert not failed and as_list['commands'] == given['commands']


@pytest.mark.parametrize('text, fragment', [
    ('[{"address": "10.0.0.1", "port": 80,', 'services_json: not valid JSON'),
    ('{"address": "10.0.0.1", "port": 80}', 'services_json: must be a JSON list of services, got dict'),
    ('[{"address": "10.0.0.1", "port": 80}, 7]', 'services_json[1]: must be a JSON object'),
    (7, 'services_json: must be JSON text'),
    ('[{"address": "10.0.0.1", "port": 80, "real_servers": [{"address": "10.0.0.2", "weight": -3}]}]',
     'services_json[0].real_servers[0].weight'),
    ('[{"address": "10.0.0.1", "port": 80, "colour": "red"}]', 'colour'),
])
def test_services_json_bad_input_fails_before_ipvsadm(fake, run_module, text, fragment):
    result, failed = run_module(ipvs_table.main, dict(services_json=text))
    assert failed and fragment in result['msg'], result['msg']
    assert fake.calls == []


def test_services_json_excludes_services(fake, run_module):
    result, failed = run_module(ipvs_table.main, dict(services_json='[]', services=SERVICES))
    assert failed and 'mutually exclusive' in result['msg']
    assert fake.calls == []


def test_thresholds_read_only_when_declared(recorded, fake, run_module):
    fake.answers[SAVE] = recorded('save_mixed.txt')
    fake.answers[THRESHOLDS] = recorded('list_thresholds.txt')
    services = [dict(address='10.78.0.10', port=80, scheduler='wrr', real_servers=[
        dict(address='10.78.0.21', weight=2, upper_threshold=100, lower_threshold=10),
        dict(address='10.78.0.22', upper_threshold=50)])]
    result, failed = run_module(ipvs_table.main, dict(services=services))
    assert fake.calls == [SAVE, THRESHOLDS, ('-R',)]
    assert result['commands'] == ['-e -t 10.78.0.10:80 -r 10.78.0.22:80 -g -w 1 -x 50']


@pytest.mark.parametrize('services, fragment', [
    ([dict(address='10.0.0.1', port=0)], 'services[0].port: 0 is out of range'),
    ([dict(address='not-an-ip', port=80)], 'services[0].address'),
    ([dict(address='10.0.0.1', port=80, real_servers=[dict(address='10.0.0.2', weight=-3)])], 'weight: -3'),
    ([dict(address='2001:db8::1', port=80, persistence_timeout=9, persistence_netmask='255.255.0.0')], 'IPv6 service'),
])
def test_bad_input_fails_before_ipvsadm(fake, run_module, services, fragment):
    result, failed = run_module(ipvs_table.main, dict(services=services))
    assert failed and fragment in result['msg']
    assert fake.calls == []


@pytest.mark.parametrize('service, fragment', [
    (dict(address='10.0.0.1', port=80, scheduler='fastest'), 'scheduler'),
    (dict(fwmark=5, port=80), 'mutually exclusive: fwmark|port'),
])
def test_argument_spec_rejects(fake, run_module, service, fragment):
    result, failed = run_module(ipvs_table.main, dict(services=[service]))
    assert failed and fragment in result['msg']
    assert fake.calls == []


def test_failed_batch_is_rolled_back_and_names_the_rule(fake, run_module):
    after_failure = LIVE + '-A -u 10.0.0.1:53 -s rr\n'
    fake.answers[SAVE] = [LIVE, after_failure, LIVE]
    fake.answers[('-R',)] = [(0, '', 'Invalid argument\n'), (0, '', '')]
    services = SERVICES + [dict(protocol='udp', address='10.0.0.1', port=53, scheduler='rr',
                                real_servers=[dict(address='2001:db8::5', forwarding='tun')])]
    result, failed = run_module(ipvs_table.main, dict(services=services))
    assert failed
    assert result['failing_rule'] == '-a -u 10.0.0.1:53 -r [2001:db8::5]:53 -i -w 1 --tun-type ipip'
    assert 'rule 2 of 2' in result['msg'] and 'Invalid argument' in result['msg']
    assert result['restored'] is True and 'previous table was restored' in result['msg']
    assert fake.stdin[1] == '-D -u 10.0.0.1:53\n'


def test_rollback_falls_back_to_clear_and_full_restore(fake, run_module):
    fake.answers[SAVE] = [LIVE, LIVE + '-A -u 10.0.0.1:53 -s rr\n', LIVE]
    fake.answers[('-R',)] = [(2, '', 'boom\n'), (1, '', 'No such service\n'), (0, '', '')]
    services = SERVICES + [dict(protocol='udp', address='10.0.0.1', port=53)]
    result, failed = run_module(ipvs_table.main, dict(services=services))
    assert failed and result['restored'] is True
    assert fake.stdin[2].startswith('-C\n-A -t 10.0.0.1:80 -s wrr\n')


def test_persistence_engine_is_set_and_then_kept(fake, run_module):
    sip = dict(protocol='udp', address='10.0.0.1', port=5060, scheduler='rr', persistence_timeout=300,
               persistence_engine='sip')
    fake.answers[SAVE] = ''
    result, failed = run_module(ipvs_table.main, dict(services=[sip]))
    assert not failed and result['commands'] == ['-A -u 10.0.0.1:5060 -s rr -p 300 --pe sip']
    fake.answers[SAVE] = '-A -u 10.0.0.1:5060 -s rr -p 300 --pe sip\n'
    result, failed = run_module(ipvs_table.main, dict(services=[sip]))
    assert not failed and result['changed'] is False


def test_persistence_engine_needs_persistence(fake, run_module):
    service = dict(protocol='udp', address='10.0.0.1', port=5060, persistence_engine='sip')
    result, failed = run_module(ipvs_table.main, dict(services=[service]))
    assert failed and 'services[0].persistence_engine: only applies to a persistent service' in result['msg']
    assert fake.calls == []


def test_ipv6_forms_ipvsadm_prints_differently_are_unchanged(fake, run_module):
    fake.answers[SAVE] = ('-A -t [::10.0.0.1]:80 -s wlc -p 60 -M 64\n'
                          '-a -t [::10.0.0.1]:80 -r [::0.1.0.2]:80 -g -w 1\n')
    services = [dict(address='::a00:1', port=80, persistence_timeout=60, persistence_netmask='064',
                     real_servers=[dict(address='::1:2')])]
    result, failed = run_module(ipvs_table.main, dict(services=services, purge=True))
    assert not failed and result['changed'] is False and result['commands'] == []


def test_duplicate_rules_fail_before_ipvsadm(fake, run_module):
    rules = '-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 1\n-a -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 5\n'
    result, failed = run_module(ipvs_table.main, dict(rules=rules))
    assert failed and result['msg'].startswith('rules line 3: real server 10.0.0.2:80 of -t 10.0.0.1:80 is listed twice')
    assert fake.calls == []
