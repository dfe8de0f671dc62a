# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""lvs.ha.director_model in this process, against the golden models of the edge inventory.

tests/unit/roles/director/test_golden.py proves the role's whole path with
ansible-playbook; here the same inventory is read with PyYAML and the role's
defaults, so each decision is exercised (and measured) in-process.
"""

from __future__ import annotations

import json
import os

import pytest
import yaml

from ansible.errors import AnsibleFilterError
from ansible.vars.clean import namespace_facts

from ansible_collections.lvs.ha.plugins.filter.director_model import FilterModule
from ansible_collections.lvs.ha.plugins.module_utils.director_model import SETTINGS

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, '..', '..', '..', '..'))
EDGE = os.path.join(ROOT, 'tests', 'unit', 'roles', 'director')
MODEL = FilterModule().filters()['director_model']


def load(*parts):
    with open(os.path.join(*parts), encoding='utf-8') as f:
        return yaml.safe_load(f)


def edge():
    """groups, every host's variables, and each director's settings as the role would see them."""
    inventory = load(EDGE, 'inventories', 'edge', 'hosts.yml')['all']['children']
    groups = {name: list(group['hosts']) for name, group in inventory.items()}
    hostvars = {host: dict(hv or {}) for group in inventory.values() for host, hv in group['hosts'].items()}
    for host, facts in load(EDGE, 'facts', 'edge.yml').items():  # gathered facts reach hostvars as ansible_facts
        hostvars[host].update(namespace_facts(facts))
    defaults = load(ROOT, 'roles', 'director', 'defaults', 'main.yml')
    group_vars = load(EDGE, 'inventories', 'edge', 'group_vars', 'directors.yml')
    settings = {}
    for index, host in enumerate(groups['directors']):
        hv = hostvars[host]
        facts = hv.get('ansible_facts', {}).get('default_ipv4', {})
        # The defaults that are templates, rendered as defaults/main.yml says.
        rendered = {'director_address': facts.get('address', ''), 'director_interface': facts.get('interface', 'eth0'),
                    'director_address6': hv.get('ansible_facts', {}).get('default_ipv6', {}).get('address', ''),
                    'director_router_id': host, 'director_vrrp_priority': 200 - 50 * index}
        merged = dict(defaults, **rendered)
        merged.update(group_vars)
        merged.update(hv)
        settings[host] = {name: merged[name] for name in SETTINGS}
    return groups, hostvars, settings


@pytest.mark.parametrize('host', ['e1', 'e2', 'e3'])
def test_edge_golden(host):
    groups, hostvars, settings = edge()
    drained = sorted(hostvars[host].get('_director_drain_add', []))
    model = MODEL(settings[host], host, groups, hostvars, drained)
    with open(os.path.join(EDGE, 'golden', 'edge', host + '.model.json'), encoding='utf-8') as f:
        assert json.dumps(model) + '\n' == f.read()


def test_settings_are_what_model_yml_passes():
    task = load(ROOT, 'roles', 'director', 'tasks', 'model.yml')[1]
    assert tuple(task['vars']['_inputs']) == SETTINGS


def test_missing_setting_is_named():
    _groups, _hostvars, settings = edge()
    del settings['e1']['director_sysctls']
    with pytest.raises(AnsibleFilterError, match='lacks director_sysctls'):
        MODEL(settings['e1'], 'e1', {}, {})


def test_reads_only_the_host_keys_of_group_members():
    groups, hostvars, settings = edge()
    read = []

    class Recording(dict):
        def __getitem__(self, key):
            read.append(key)
            return dict.__getitem__(self, key)

    hostvars = {host: Recording(hv, secret='{{ lookup("pipe", "false") }}') for host, hv in hostvars.items()}
    hostvars['stranger'] = Recording(director_address='192.0.2.99')
    MODEL(settings['e1'], 'e1', groups, hostvars, [])
    assert 'secret' not in read and read


def test_group_that_is_no_name():
    _groups, _hostvars, settings = edge()
    settings['e1']['director_group'] = {'a': 1}
    model = MODEL(settings['e1'], 'e1', {'directors': ['e1']}, {})
    assert model['peers'] == [] and model['instances'][0]['state'] == 'BACKUP'


def test_no_instances_no_sync():
    _groups, _hostvars, settings = edge()
    settings['e1'].update(director_vrrp_instances=[], director_ipvs_sync_instance='')
    model = MODEL(settings['e1'], 'e1', {}, {})
    assert model['sync'] == {'enabled': False, 'interface': 'eth0', 'instance': '', 'id': 0, 'both': True, 'both_run': False}
    assert model['rejoin_hold'] == 0


def dual_stack(forwarding='DR'):
    """e1 of the edge inventory serving an IPv6 VIP beside the IPv4 ones: an IPv6 instance of the same VRID,
    unicast from director_address6, and an IPv6 service over the real servers' IPv6 addresses."""
    groups, hostvars, settings = edge()
    s = settings['e1']
    s['director_address6'] = '2001:db8::1'
    s['director_vrrp_instances'] = [dict(s['director_vrrp_instances'][0], vips=['203.0.113.10/24']),
                                    {'name': 'VI_6', 'virtual_router_id': 61, 'vips': ['2001:db8::10/64', '2001:db8::11/128 dev eth1']}]
    s['director_virtual_servers'] = [{'name': 'web6', 'ip': '2001:db8::10', 'port': 80, 'protocol': 'TCP', 'forwarding': forwarding},
                                     {'name': 'mail6', 'fwmark': 6, 'ip': '2001:db8::10', 'ports': [25, 587], 'protocol': 'TCP'}]
    for host in groups['directors']:
        hostvars[host]['director_address6'] = '2001:db8::%s' % host[1:]
    for index, host in enumerate(groups['real_servers']):
        hostvars[host].setdefault('ansible_facts', {})['default_ipv6'] = {'address': '2001:db8::2%d' % index}
    return MODEL(s, 'e1', groups, hostvars, [])


def test_an_ipv6_instance_speaks_ipv6_and_deprecates_its_vips():
    model = dual_stack()
    v4, v6 = model['instances']
    assert (v4['family'], v6['family']) == (4, 6)
    assert v6['unicast_src_ip'] == '2001:db8::1' and v6['unicast_peers'] == ['2001:db8::2', '2001:db8::3']
    assert v4['unicast_src_ip'] == model['address'] and v4['unicast_peers'] == model['peers']
    assert v6['vip_lines'] == ['2001:db8::10/64 dev eth0 preferred_lft 0', '2001:db8::11/128 dev eth1 preferred_lft 0']
    assert v4['vip_lines'] == ['203.0.113.10/24 dev eth0']
    assert model['peers6'] == ['2001:db8::2', '2001:db8::3']


def test_an_ipv6_service_balances_to_the_real_servers_ipv6_addresses():
    model = dual_stack()
    web6, mail6 = model['virtual_servers']
    assert [rs['ip'] for rs in web6['real_servers']] == [rs['ip'] for rs in mail6['real_servers']]
    assert all(rs['ip'].startswith('2001:db8::2') for rs in web6['real_servers']) and web6['real_servers']
    assert model['fwmarks'] == [{'mark': 6, 'ip': '2001:db8::10', 'family': 6, 'protocol': 'tcp', 'ports': [25, 587], 'not_from': []}]
    assert model['stray_tcp']['services6'] == ['2001:db8::10 . 80'] and model['stray_tcp']['services'] == []
    assert model['stray_tcp']['marks'] == [6] and model['stray_tcp']['enabled']


@pytest.mark.parametrize('forwarding, nat6', [('DR', False), ('TUN', False), ('NAT', True)])
def test_nat66_turns_ipv6_forwarding_on(forwarding, nat6):
    sysctls = dual_stack(forwarding)['sysctls']
    assert ('net.ipv6.conf.all.forwarding' in sysctls) is nat6
    assert ('net.ipv4.ip_forward' in sysctls) is nat6  # NAT of either family: IPv4's as before


def test_multicast_ipv6_instance_leaves_the_ipv6_peer_filter_empty():
    groups, hostvars, settings = edge()
    settings['e1']['director_vrrp_instances'] = [{'name': 'VI_6', 'virtual_router_id': 61, 'vips': ['2001:db8::10/64'],
                                                  'unicast': False}]
    model = MODEL(settings['e1'], 'e1', groups, hostvars, [])
    assert model['instances'][0]['unicast_peers'] == [] and model['peers6'] == []


def test_exporter_reads_only_the_sources_this_director_has():
    groups, hostvars, settings = edge()
    model = MODEL(settings['e1'], 'e1', groups, hostvars, [])
    exporter = model['exporter']
    assert exporter['packages'] == ['prometheus-node-exporter', 'python3-prometheus-client']
    assert exporter['args'][:4] == ['--listen-address', '0.0.0.0', '--port', '9848']
    assert exporter['sources'] == ['keepalived', 'ipvs', 'sync_daemon', 'nftables', 'rejoin_hold', 'switchover',
                                   'depool_guard']
    # No sync daemon, no hold, no switchover file, no nftables table, no guarded service: not read (they would read
    # as down).
    settings['e1'].update(director_ipvs_sync_daemon=False, director_switchover_file='', director_peer_filter=False,
                          director_stray_tcp_drop=False, director_virtual_servers=[], director_exporter_port='9900')
    model = MODEL(settings['e1'], 'e1', groups, hostvars, [])
    exporter = model['exporter']
    assert not model['nftables'] and not model['sync']['both_run']
    assert exporter['sources'] == ['keepalived', 'ipvs'] and exporter['port'] == 9900
    assert exporter['args'] == ['--listen-address', '0.0.0.0', '--port', '9900', '--source', 'keepalived', '--source', 'ipvs']
    settings['e1'].update(director_exporter=False, director_node_exporter=False)
    exporter = MODEL(settings['e1'], 'e1', groups, hostvars, [])['exporter']
    assert exporter['packages'] == [] and exporter['args'] == [] and not exporter['enabled']


@pytest.mark.parametrize('address, local', [('0.0.0.0', '127.0.0.1'), ('', '127.0.0.1'), ('::', '[::1]'),
                                            ('192.0.2.11', '192.0.2.11'), ('2001:db8::11', '[2001:db8::11]')])
def test_the_role_scrapes_its_exporter_where_it_listens(address, local):
    _groups, _hostvars, settings = edge()
    settings['e1']['director_exporter_listen_address'] = address
    assert MODEL(settings['e1'], 'e1', {}, {})['exporter']['local'] == local
