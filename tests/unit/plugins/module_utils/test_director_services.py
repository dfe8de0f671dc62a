# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.lvs.ha.plugins.module_utils.director_services import (
    drain_services,
    find_live,
    member_services,
    real_server_address,
    services_of,
)


def vs(**over):
    return dict({'key': '192.0.2.100 80', 'name': 'web', 'fwmark': None, 'group': None, 'ip': '192.0.2.100', 'port': 80,
                 'is_fwmark': False, 'protocol': 'TCP',
                 'real_servers': [{'ip': '192.0.2.21', 'port': 80, 'forwarding': 'DR'}]}, **over)


@pytest.mark.parametrize('host_vars, address', [
    ({'real_server_address': '192.0.2.9', 'ansible_facts': {'default_ipv4': {'address': '192.0.2.8'}}}, '192.0.2.9'),
    ({'real_server_address': '', 'ansible_host': 'h'}, ''),  # set: taken as set, as Jinja's default() did
    ({'ansible_facts': {'default_ipv4': {'address': '192.0.2.8'}}, 'ansible_host': '192.0.2.7'}, '192.0.2.8'),
    ({'ansible_facts': {'default_ipv4': {}}, 'ansible_host': '192.0.2.7'}, '192.0.2.7'),
    # injected facts (ansible-core < 2.24's default) are not read: ansible_facts always holds them
    ({'ansible_default_ipv4': {'address': '192.0.2.8'}, 'ansible_host': '192.0.2.7'}, '192.0.2.7'),
    ({}, 'web1'),
])
def test_real_server_address(host_vars, address):
    assert real_server_address('web1', host_vars) == address


@pytest.mark.parametrize('host_vars, address', [
    ({'real_server_address6': '2001:db8::9', 'ansible_facts': {'default_ipv6': {'address': '2001:db8::8'}}}, '2001:db8::9'),
    ({'ansible_facts': {'default_ipv6': {'address': '2001:db8::8'}, 'default_ipv4': {'address': '192.0.2.8'}}},
     '2001:db8::8'),
    # no IPv6 default route: nothing (the preflight names real_server_address6), never the IPv4 address or the name
    ({'ansible_facts': {'default_ipv4': {'address': '192.0.2.8'}}, 'ansible_host': '192.0.2.7'}, ''),
])
def test_real_server_ipv6_address(host_vars, address):
    assert real_server_address('web1', host_vars, 6) == address


@pytest.mark.parametrize('member, protocol, expected', [
    ('fwmark 3', 'TCP', [{'fwmark': 3}]),
    ('192.0.2.10 80', 'UDP', [{'protocol': 'udp', 'address': '192.0.2.10', 'port': 80}]),
    ('192.0.2.10-12 80', 'TCP', [{'protocol': 'tcp', 'address': '192.0.2.%d' % i, 'port': 80} for i in (10, 11, 12)]),
    ('2001:DB8::0a-0c 443', 'TCP', [{'protocol': 'tcp', 'address': '2001:db8::%s' % h, 'port': 443} for h in 'abc']),
])
def test_member_services(member, protocol, expected):
    assert member_services(member, protocol) == expected


def test_services_of_each_kind():
    groups = {'g': ['192.0.2.10 80', 'fwmark 4']}
    assert services_of(vs(), groups) == [('192.0.2.100 80', {'protocol': 'tcp', 'address': '192.0.2.100', 'port': 80})]
    assert services_of(vs(key='fwmark 3', fwmark=3, is_fwmark=True, ip=None, port=None), groups) == [('fwmark 3', {'fwmark': 3})]
    assert [label for label, _m in services_of(vs(group='g', key='group g'), groups)] == ['g 192.0.2.10 80', 'g fwmark 4']
    assert services_of(vs(group='missing'), groups) == []


def test_find_live():
    live = [{'fwmark': None, 'protocol': 'tcp', 'address': '2001:db8::1', 'port': 80},
            {'fwmark': 3, 'protocol': None, 'address': None, 'port': None}]
    assert find_live({'fwmark': 3}, live) is live[1]
    assert find_live({'protocol': 'tcp', 'address': '2001:db8::1', 'port': 80}, live) is live[0]
    assert find_live({'protocol': 'udp', 'address': '2001:db8::1', 'port': 80}, live) is None
    assert find_live({'fwmark': 4}, live) is None


def test_drain_services_plain_fwmark_and_group():
    model = {'groups': {'g': ['192.0.2.10-11 80']}, 'virtual_servers': [
        vs(),
        vs(key='fwmark 3', name='fw', fwmark=3, is_fwmark=True, ip=None, port=None,
           real_servers=[{'ip': '192.0.2.21', 'port': None, 'forwarding': 'DR'}]),
        vs(key='group g', name='grp', group='g', ip=None, port=None,
           real_servers=[{'ip': '192.0.2.21', 'port': 80, 'forwarding': 'DR'}, {'ip': '192.0.2.22', 'port': 80, 'forwarding': 'DR'}]),
        vs(key='group g', name='nat', group='g', ip=None, port=None,
           real_servers=[{'ip': '192.0.2.21', 'port': 8080, 'forwarding': 'NAT'}]),
        vs(name='other', real_servers=[{'ip': '192.0.2.22', 'port': 80, 'forwarding': 'DR'}]),
    ]}
    assert drain_services(model, '192.0.2.21') == [
        {'name': 'web', 'address': '192.0.2.21', 'port': 80, 'service': {'protocol': 'tcp', 'address': '192.0.2.100', 'port': 80}},
        {'name': 'fw', 'address': '192.0.2.21', 'port': None, 'service': {'fwmark': 3}},
        {'name': 'grp (g 192.0.2.10-11 80)', 'address': '192.0.2.21', 'port': None, 'service': {'protocol': 'tcp', 'address': '192.0.2.10', 'port': 80}},
        {'name': 'grp (g 192.0.2.10-11 80)', 'address': '192.0.2.21', 'port': None, 'service': {'protocol': 'tcp', 'address': '192.0.2.11', 'port': 80}},
        {'name': 'nat (g 192.0.2.10-11 80)', 'address': '192.0.2.21', 'port': 8080, 'service': {'protocol': 'tcp', 'address': '192.0.2.10', 'port': 80}},
        {'name': 'nat (g 192.0.2.10-11 80)', 'address': '192.0.2.21', 'port': 8080, 'service': {'protocol': 'tcp', 'address': '192.0.2.11', 'port': 80}},
    ]
    assert drain_services(model, '192.0.2.99') == []
    # Both addresses of a dual-stack real server: each service's own.
    model['virtual_servers'].append(vs(key='2001:db8::100 80', name='web6', ip='2001:db8::100',
                                       real_servers=[{'ip': '2001:db8::21', 'port': 80, 'forwarding': 'DR'}]))
    both = drain_services(model, ['192.0.2.22', '2001:db8::21'])
    assert [(s['name'], s['address']) for s in both] == [('grp (g 192.0.2.10-11 80)', '192.0.2.22')] * 2 + [
        ('other', '192.0.2.22'), ('web6', '2001:db8::21')]
