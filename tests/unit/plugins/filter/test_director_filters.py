# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The filter plugins: what they read from hostvars and hand to module_utils."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.lvs.ha.plugins.filter import director_checks, director_services, director_status
from ansible_collections.lvs.ha.plugins.test import addresses

CHECK = {'type': 'TCP_CHECK'}
MODEL = {
    'host': 'd1', 'router_id': 'd1', 'address': '192.0.2.11', 'groups': {}, 'rejoin_hold': 0,
    'sync': {'enabled': False, 'instance': ''},
    'instances': [{'name': 'VI_1', 'virtual_router_id': 51, 'interface': 'eth0', 'family': 4, 'priority': 200,
                   'advert_int': 0.5,
                   'nopreempt': False, 'preempt_delay': 0, 'vips': ['192.0.2.100/24'], 'unicast_peers': [],
                   'track_scripts': [], 'track_interfaces': [], 'track_files': []}],
    'virtual_servers': [{'key': '192.0.2.100 80', 'name': 'web', 'fwmark': None, 'group': None, 'ip': '192.0.2.100',
                         'port': 80, 'is_fwmark': False, 'protocol': 'TCP', 'scheduler': 'wlc', 'forwarding': 'DR',
                         'sorry_server': None,
                         'depool_guard': {'policy': 'keep', 'threshold': 0.5, 'weight': 1, 'min_weight': 1},
                         'real_servers': [{'host': 'r1', 'ip': '192.0.2.21', 'port': 80, 'weight': 1, 'forwarding': 'DR',
                                           'check': CHECK}]}],
}
ROLE_VARS = {'director_group': 'directors', 'director_real_server_group': 'real_servers', 'director_vrrp_version': 3,
             'director_ipvs_sync_id': 0, 'director_vrrp_scripts': [{'name': 's', 'script': 'true'}],
             'director_vrrp_track_files': [], 'director_virtual_server_defaults': {'protocol': 'TCP'}}
VS_OPTIONS = {'name': {}, 'protocol': {}}


def hostvars(**over):
    result = {'d1': {'_director_model': copy.deepcopy(MODEL), 'ansible_facts': {'os_family': 'Debian'}},
              'r1': {'real_server_vips': ['192.0.2.100']}, 'x': {}}
    for host, values in over.items():
        result.setdefault(host, {}).update(values)
    return result


def errors(hv, play_hosts=('d1',), groups=None):
    return director_checks.director_preflight_errors(list(play_hosts), hv, groups or {'directors': ['d1']},
                                                     ROLE_VARS, VS_OPTIONS)


def test_preflight_good():
    assert errors(hostvars()) == []


def test_preflight_reads_the_inventory():
    found = errors(hostvars(r1={'real_server_vips': []}, d1={'director_ipvs_sync_id': 300}))
    assert found == ["d1: director_ipvs_sync_id 300 is outside 0-255; 0 takes the sync instance's VRID",
                     'real server r1: real_server_vips [] lacks 192.0.2.100 of virtual server web (DR); add it, or the '
                     'real server drops what the directors forward']


def test_preflight_skips_hosts_without_model():
    assert errors(hostvars(), play_hosts=('d1', 'x', 'gone'), groups={'directors': ['d1', 'x']}) == []
    assert errors(hostvars(), groups={'directors': ['d1', 'd2']})[0].startswith('director_group: d2 not in this play')


def test_preflight_refuses_a_director_on_another_os_first():
    found = errors(hostvars(d1={'ansible_facts': {'os_family': 'RedHat', 'distribution': 'Rocky'},
                                'director_ipvs_sync_id': 300}))
    assert found[0].startswith('d1: Rocky  (RedHat family) is not supported')
    assert found[1].startswith('d1: director_ipvs_sync_id 300')


def test_inventory_vars():
    assert director_checks.inventory_vars({'a': {'v': 1, 'w': 2}}, ['a', 'b'], ('v', 'z')) == {'a': {'v': 1}}


def test_status_filter():
    live = {'services': [{'key': '-t 192.0.2.100:80', 'fwmark': None, 'protocol': 'tcp', 'address': '192.0.2.100',
                          'port': 80, 'scheduler': 'wlc', 'persistence_timeout': None, 'real_servers': []}]}
    vrrp = {'running': True, 'config_ok': True, 'config_errors': [], 'instances': []}
    hv = hostvars(d1={'_director_status_vrrp': vrrp, '_director_status_ipvs': live})
    assert director_status.director_status(['d1'], hv)[:3] == ['VRRP', '', 'IPVS on d1 (master)']
    assert 'director_status' in director_status.FilterModule().filters()


def test_services_filters():
    filters = director_services.FilterModule().filters()
    assert filters['real_server_address']({'ansible_host': '192.0.2.7'}, 'web1') == '192.0.2.7'
    assert filters['director_drain_services'](MODEL, '192.0.2.21')[0]['name'] == 'web'
    assert filters['real_server_address']({'real_server_address6': '2001:db8::21'}, 'web1', '6') == '2001:db8::21'
    # As ip and ipvsadm print it: the real server's check compares its VIPs so.
    assert filters['canonical_address']('2001:DB8:0::10') == '2001:db8::10'
    assert filters['canonical_address']('192.0.2.10') == '192.0.2.10' and filters['canonical_address']('web') == 'web'
    assert 'director_preflight_errors' in director_checks.FilterModule().filters()


@pytest.mark.parametrize('name, value, ok', [
    ('ip_address', '2001:db8::1', True), ('ip_address', ':::', False), ('ip_address', '[2001:db8::1]', False),
    ('ip_address', '::ffff:192.0.2.1', False), ('ip_address', 'fe80::1%eth0', False), ('ip_address', 7, False),
    ('ip_address', '192.0.2.1', True), ('ip_address', '192.0.2.256', False),
    ('ipv4_address', '192.0.2.1', True), ('ipv4_address', '192.0.2.01', False), ('ipv4_address', '2001:db8::1', False),
    ('ipv4_address', None, False),
    ('interface_name', 'eth0', True), ('interface_name', 'bond0.100', True), ('interface_name', '', False),
    ('interface_name', 'eth 0', False), ('interface_name', 'dummy-interface-0', False), ('interface_name', 'a:b', False),
])
def test_address_tests(name, value, ok):
    assert addresses.TestModule().tests()[name](value) is ok
