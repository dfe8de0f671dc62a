# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The address-family mixes the director preflight refuses (module_utils/director_families.py)."""

from __future__ import annotations

import pytest

from ansible_collections.lvs.ha.plugins.module_utils.director_families import (
    family, instance_family_errors, service_family, service_family_errors)

WHERE = 'd1: director_vrrp_instances[VI_1]'


def instance(vips, peers=(), src=''):
    return {'name': 'VI_1', 'vips': list(vips), 'unicast_peers': list(peers), 'unicast_src_ip': src}


def rs(ip, forwarding='DR'):
    return {'ip': ip, 'forwarding': forwarding}


def service(ip, *servers, fwmark=False, group=None):
    return {'ip': ip, 'is_fwmark': fwmark, 'group': group, 'real_servers': list(servers)}


@pytest.mark.parametrize('text, expected', [
    ('192.0.2.10', 4), ('192.0.2.10/24 dev eth1', 4), ('2001:db8::10/64', 6), ('2001:db8::10 dev eth1', 6),
    ('web', None), ('', None), (None, None), ('::ffff:192.0.2.10', None), ('fe80::1%eth0', None),
])
def test_family(text, expected):
    assert family(text) == expected


@pytest.mark.parametrize('inst', [
    instance(['192.0.2.10/24', '192.0.2.11/24 dev eth1'], ['192.0.2.12'], '192.0.2.11'),
    instance(['2001:db8::10/64', '2001:db8::11/64 dev eth1']),  # multicast IPv6
    instance(['2001:db8::10/64'], ['2001:db8::12'], '2001:db8::11'),
    instance(['not-an-address']),  # refused elsewhere (vips_errors), not twice
])
def test_one_family_per_instance_passes(inst):
    assert instance_family_errors(inst, WHERE) == []


def test_mixed_vips_are_refused_naming_the_ipv6_ones_and_the_fix():
    errors = instance_family_errors(instance(['192.0.2.10/24', '2001:db8::10/64 dev eth1']), WHERE)
    assert errors == [WHERE + '.vips mixes IPv4 and IPv6 (2001:db8::10/64); keepalived runs one family per instance '
                      'and would drop the others: move the IPv6 VIPs to an instance of their own name (the same '
                      'virtual_router_id may serve both families)']


def test_an_ipv6_instance_with_ipv4_unicast_is_refused_once():
    errors = instance_family_errors(instance(['2001:db8::10/64'], ['192.0.2.12', '192.0.2.13'], '192.0.2.11'), WHERE)
    assert len(errors) == 1
    assert 'an IPv6 instance cannot send unicast adverts from or to 192.0.2.12 (IPv4)' in errors[0]
    assert 'set director_address6 to an IPv6 address, or unicast: false on this instance' in errors[0]


@pytest.mark.parametrize('vs, family_', [
    (service('192.0.2.10', rs('2001:db8::21')), 4),
    (service('2001:db8::10', rs('192.0.2.21')), 6),
    (service('192.0.2.10/32', rs('2001:db8::21'), rs('192.0.2.21'), fwmark=True), 6),  # the first real server's
    (service(None, rs('192.0.2.21'), group='G'), None),
    (service(None, fwmark=True), None),
])
def test_service_family(vs, family_):
    assert service_family(vs) == family_


def test_real_server_of_the_other_family_needs_tun():
    where = 'd1: director_virtual_servers[web]'
    errors = service_family_errors(service('2001:db8::10', rs('2001:db8::21'), rs('192.0.2.22'), rs('192.0.2.23', 'TUN')),
                                   where)
    # the modules' own words (ipvs_validate.family_refusal)
    assert errors == [where + ': real server 192.0.2.22 is ipv4 but the service is ipv6; use an ipv6 address, or '
                      'forwarding: tun (the only method that crosses families)']
