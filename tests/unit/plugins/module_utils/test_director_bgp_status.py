# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The status of ecmp directors: FRR's and ip's JSON as FRR 8.4 and iproute2 write it, parsed into lines and
warnings."""

from __future__ import annotations

import json
import os

from ansible_collections.lvs.ha.plugins.module_utils.director_bgp_status import BGP_READ, SEPARATOR, parse
from ansible_collections.lvs.ha.plugins.module_utils.director_status import status_lines

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', '..')
VIP = '10.85.0.10/32'
PEER = {'address': '10.84.1.2', 'asn': 65000, 'bfd': True}
WEB = {'key': '10.85.0.10 80', 'name': 'web', 'fwmark': None, 'group': None, 'ip': '10.85.0.10', 'port': 80,
       'is_fwmark': False, 'protocol': 'TCP',
       'real_servers': [{'host': '', 'ip': '10.84.1.21', 'port': 80, 'weight': 1, 'forwarding': 'DR', 'check': {}}]}
MODEL = {'virtual_servers': [WEB], 'groups': {}, 'ecmp': {'enabled': True, 'peers': [PEER], 'vips': [VIP]}}


def live(active):
    return [{'key': '-t 10.85.0.10:80', 'fwmark': None, 'protocol': 'tcp', 'address': '10.85.0.10', 'port': 80,
             'scheduler': 'mh', 'persistence_timeout': None,
             'real_servers': [{'address': '10.84.1.21', 'port': 80, 'weight': 1, 'active_connections': active,
                               'inactive_connections': 0}]}]


def read(state='Established', bfd='up', announced=(VIP,)):
    summary = {'ipv4Unicast': {'routerId': '10.84.1.11', 'as': 65001,
                               'peers': {'10.84.1.2': {'remoteAs': 65000, 'state': state, 'pfxRcd': 0,
                                                       'pfxSnt': len(announced)}}},
               'ipv6Unicast': {'peers': {'10.84.1.2': {'remoteAs': 65000, 'state': state, 'pfxSnt': 0}}}}
    peers = [{'peer': '10.84.1.2', 'status': bfd, 'id': 1}]
    addresses = [{'ifname': 'lvsha0', 'addr_info': [dict(family='inet', local=a.partition('/')[0],
                                                         prefixlen=int(a.partition('/')[2]), scope='global')
                                                    for a in announced] +
                  [{'family': 'inet6', 'local': 'fe80::1', 'prefixlen': 64, 'scope': 'link'}]}]
    return ('\n' + SEPARATOR + '\n').join(json.dumps(x) for x in (summary, peers, addresses))


def director(host, **over):
    return {'host': host, 'vrrp': {'running': True, 'instances': [], 'config_ok': True, 'config_errors': []},
            'ipvs': {'services': live(3 if host == 'd1' else 1)},
            'model': MODEL, 'bgp': read(**over)}


def test_the_role_reads_what_the_parser_splits():
    with open(os.path.join(ROOT, 'roles', 'director', 'tasks', 'status.yml'), encoding='utf-8') as f:
        assert 'argv: [sh, -c, "{{ _director_model.ecmp.read }}"]' in f.read()
    assert BGP_READ.count(SEPARATOR) == 2 and BGP_READ.endswith('dev lvsha0')


def test_parse():
    assert parse(read()) == {'peers': {'10.84.1.2': {'asn': 65000, 'state': 'Established', 'sent': 1}},
                             'bfd': {'10.84.1.2': 'up'}, 'announced': [VIP]}
    assert parse('') == {'peers': {}, 'bfd': {}, 'announced': []}


def test_every_director_serving_warns_nothing_and_shows_the_share():
    lines = status_lines([director('d1'), director('d2')])
    assert lines[0] == 'BGP (director_mode ecmp)'
    assert lines[1].split() == ['d1', 'peer', '10.84.1.2', 'AS', '65000', 'Established', 'BFD', 'up', 'sent', '1']
    assert lines[2].split() == ['d1', 'announces', VIP]
    assert lines[-1].startswith('No warnings: every director announces')
    assert '  d1              75.0 %  (3)' in lines and '  d2              25.0 %  (1)' in lines


def test_a_director_down_and_a_vip_announced_by_none_are_warned():
    lines = status_lines([director('d1', state='Active', bfd='down', announced=()), director('d2', announced=())])
    warnings = lines[lines.index('WARNINGS') + 1:]
    assert '  - d1: BGP session with 10.84.1.2 is Active: its VIPs reach no router (vtysh -c "show bgp neighbor 10.84.1.2")' in warnings
    assert any(w.startswith('  - d2 announces no VIP') for w in warnings)
    assert '  - 10.85.0.10/32 is announced by no director: it is down' in warnings
