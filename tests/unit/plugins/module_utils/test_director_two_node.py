# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The two-node cluster in the director model: a fwmark service that balances to the directors themselves is
marked only for packets no other director sent (by MAC), and the preflight refuses what would loop or cannot work."""

from __future__ import annotations

import os

import pytest
import yaml

from ansible_collections.lvs.ha.plugins.module_utils.director_model import SETTINGS, director_model
from ansible_collections.lvs.ha.plugins.module_utils.director_two_node import two_node_errors

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', '..')
with open(os.path.join(ROOT, 'roles', 'director', 'defaults', 'main.yml'), encoding='utf-8') as handle:
    DEFAULTS = yaml.safe_load(handle)
VIP = '10.80.0.10'
FACTS = {'n1': {'address': '10.80.0.11', 'macaddress': '02:42:0A:50:00:0B', 'interface': 'eth0'},
         'n2': {'address': '10.80.0.12', 'macaddress': '02:42:0a:50:00:0c', 'interface': 'eth0'},
         'r3': {'address': '10.80.0.23', 'macaddress': '02:42:0a:50:00:17', 'interface': 'eth0'}}
WEB = {'name': 'web', 'fwmark': 1, 'ip': VIP, 'ports': [80], 'scheduler': 'rr', 'check': {'connect_port': 80}}


def model(host='n1', reals=('n1', 'n2'), service=None, facts=None, **over):
    directors = ['n1', 'n2']
    facts = facts if facts is not None else FACTS
    merged = dict(DEFAULTS, director_address=FACTS[host]['address'], director_address6='', director_interface='eth0',
                  director_router_id=host, director_vrrp_priority=200 - 50 * directors.index(host),
                  director_vrrp_instances=[{'name': 'VI_1', 'virtual_router_id': 80, 'vips': [VIP + '/24']}],
                  director_virtual_servers=[service or WEB])
    merged.update(over)
    hosts = {name: {'ansible_facts': {'default_ipv4': f}} for name, f in facts.items()}
    groups = {'directors': directors, 'real_servers': list(reals)}
    return director_model({k: merged[k] for k in SETTINGS}, host, groups, hosts, [])


def test_the_mark_leaves_the_other_directors_packets_unmarked():
    m = model()
    assert m['two_node'] and m['virtual_servers'][0]['directors'] == ['n1', 'n2']
    assert m['fwmarks'] == [{'mark': 1, 'ip': VIP, 'family': 4, 'protocol': 'tcp', 'ports': [80],
                             'not_from': ['02:42:0a:50:00:0c']}]
    # It serves itself: no stray-segment drop for it (its own stack answers the flows it serves).
    assert not m['stray_tcp']['enabled']
    assert two_node_errors(m) == []
    assert model('n2')['fwmarks'][0]['not_from'] == ['02:42:0a:50:00:0b']


def test_a_cluster_of_separate_real_servers_marks_everything():
    m = model(reals=('r3',))
    assert not m['two_node'] and m['virtual_servers'][0]['directors'] == []
    assert m['fwmarks'][0]['not_from'] == []


def test_a_director_named_by_address_in_real_servers_counts():
    service = dict(WEB, real_servers=[{'ip': '10.80.0.12'}, {'ip': '10.80.0.23'}])
    assert model(service=service)['virtual_servers'][0]['directors'] == ['n2']


@pytest.mark.parametrize('service, fragments', [
    ({'name': 'web', 'ip': VIP, 'port': 80},
     ('director_virtual_servers[web] balances to director n1, n2', 'make it a fwmark service')),
    (dict(WEB, forwarding='NAT'), ('with NAT', 'DR only')),
    (dict(WEB, forwarding='TUN'), ('with TUN', 'DR only')),
], ids=['not_fwmark', 'nat', 'tun'])
def test_what_would_loop_or_cannot_work_is_refused(service, fragments):
    errors = two_node_errors(model(service=service))
    assert len(errors) == 1 and all(f in errors[0] for f in fragments), errors


def test_an_unknown_peer_mac_is_refused_naming_the_fix():
    facts = dict(FACTS, n2={'address': '10.80.0.12'})
    errors = two_node_errors(model(facts=facts))
    assert errors == ['n1: the MAC address of director n2 is unknown, and a two-node cluster marks packets by it; gather '
                      'its facts (ansible_facts.default_ipv4.macaddress) or set director_macaddress for it']
