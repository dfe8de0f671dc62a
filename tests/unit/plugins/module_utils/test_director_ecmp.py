# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""director_mode ecmp: the model a director gets (no VRRP, quorum scripts that announce, mh's order kept) and the
preflight's refusals of a bad ecmp inventory, each naming the variable and the fix."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.lvs.ha.plugins.module_utils.director_bgp_status import BGP_READ
from ansible_collections.lvs.ha.plugins.module_utils.director_ecmp import ANNOUNCE_SCRIPT, vip_prefix
from ansible_collections.lvs.ha.plugins.module_utils.director_model import SETTINGS, director_model
from ansible_collections.lvs.ha.plugins.module_utils.director_preflight import preflight_errors

DIRECTORS = ['d1', 'd2', 'd3']
REALS = ['r1', 'r2', 'r3']
GROUPS = {'directors': DIRECTORS, 'real_servers': REALS}
HOSTS = dict({d: {'director_address': '10.84.1.1%d' % i} for i, d in enumerate(DIRECTORS, 1)},
             **{r: {'real_server_address': '10.84.1.2%d' % i} for i, r in enumerate(REALS, 1)})
BASE = {
    'director_group': 'directors', 'director_real_server_group': 'real_servers', 'director_address6': '',
    'director_interface': 'eth0', 'director_vrrp_priority': 100, 'director_vrrp_advert_int': 0.25,
    'director_vrrp_unicast': True, 'director_vrrp_nopreempt': False, 'director_vrrp_preempt_delay': 0,
    'director_vrrp_instances': [], 'director_vrrp_scripts': [], 'director_vrrp_track_files': [],
    'director_switchover_file': '/etc/keepalived/lvs-ha-switchover', 'director_rejoin_hold': 20,
    'director_ipvs_sync_daemon': True, 'director_ipvs_sync_instance': '', 'director_ipvs_sync_id': 0,
    'director_sysctls': {}, 'director_stray_tcp_drop': True,
    'director_virtual_server_defaults': {'protocol': 'TCP', 'scheduler': 'mh', 'forwarding': 'DR', 'delay_loop': 2},
    'director_check_defaults': {'type': 'TCP_CHECK', 'connect_timeout': 2},
    'director_virtual_servers': [{'name': 'web', 'ip': '10.84.0.10', 'port': 80, 'scheduler_flags': ['mh-port']}],
    'director_virtual_server_groups': [], 'director_peer_filter': True, 'director_node_exporter': False,
    'director_exporter': False, 'director_exporter_listen_address': '0.0.0.0', 'director_exporter_port': 9848,
    'director_depool_policy': 'keep', 'director_depool_threshold': 0.5, 'director_vrrp_nice': -20,
    'director_mode': 'ecmp', 'director_bgp_asn': 65001, 'director_bgp_router_id': '',
    'director_bgp_peers': [{'address': '10.84.1.2', 'asn': 65000}], 'director_bfd_interval': 200,
    'director_bfd_multiplier': 3,
}
PREFLIGHT = {'director_group': 'directors', 'director_real_server_group': 'real_servers', 'director_vrrp_version': 3,
             'director_ipvs_sync_id': 0, 'script_names': [], 'track_file_names': [],
             'vs_default_keys': [], 'vs_options': ['name', 'ip', 'port', 'scheduler', 'scheduler_flags']}


def models(**over):
    """Every director's model, with over applied to every director's settings (or {host: {...}} to one)."""
    out = []
    for host in DIRECTORS:
        s = dict(copy.deepcopy(BASE), director_address=HOSTS[host]['director_address'], director_router_id=host)
        s.update({k: v for k, v in over.items() if k not in DIRECTORS})
        s.update(over.get(host, {}))
        out.append(director_model({k: s[k] for k in SETTINGS}, host, GROUPS, HOSTS, []))
    return out


def errors(ms):
    return preflight_errors(ms, PREFLIGHT, DIRECTORS, DIRECTORS, {r: {'real_server_vips': ['10.84.0.10']} for r in REALS})


def test_every_director_is_active_and_announces_through_its_quorum_scripts():
    m = models()[1]
    assert m['instances'] == [] and not m['sync']['enabled'] and m['rejoin_hold'] == 0 and m['switchover_file'] == ''
    # No VRRP or sync to accept from a peer: adding a director changes nothing on the others.
    assert m['peers'] == [] and m['peers6'] == []
    (vs,) = m['virtual_servers']
    assert vs['quorum_up'] == ANNOUNCE_SCRIPT + ' up 10.84.0.10/32 10.84.0.10_80'
    assert vs['quorum_down'] == ANNOUNCE_SCRIPT + ' down 10.84.0.10/32 10.84.0.10_80'
    assert vs['alpha']   # announced after the first checks passed, not at keepalived's start
    # Failed real servers stay at weight 0: the Maglev table keeps its order on every director.
    assert [rs['ip'] for rs in vs['real_servers']] == ['10.84.1.21', '10.84.1.22', '10.84.1.23']
    assert all(rs['inhibit_on_failure'] for rs in vs['real_servers'])
    assert m['ecmp'] == {'enabled': True, 'asn': 65001, 'router_id': '10.84.1.12',
                         'peers': [{'address': '10.84.1.2', 'asn': 65000, 'bfd': True}],
                         'bfd': {'interval': 200, 'multiplier': 3}, 'vips': ['10.84.0.10/32'], 'interface': 'lvsha0',
                         'script': ANNOUNCE_SCRIPT, 'hold': 6, 'read': BGP_READ}
    assert m['sysctls']['net.ipv4.vs.sloppy_tcp'] == 1 and not m['stray_tcp']['enabled']


def test_vrrp_mode_is_untouched():
    m = models(director_mode='vrrp', director_vrrp_instances=[{'name': 'VI_1', 'virtual_router_id': 51,
                                                               'vips': ['10.84.0.10/24']}])[0]
    assert not m['ecmp']['enabled'] and m['sync']['enabled'] and 'net.ipv4.vs.sloppy_tcp' not in m['sysctls']
    assert m['virtual_servers'][0]['quorum_up'] is None


@pytest.mark.parametrize('check, vs_over, hold', [
    ({}, {}, 6),                                                     # warmup = delay_loop 2, connect_timeout 2, +2
    ({'warmup': 0}, {}, 6),                                          # checked again every delay_loop
    ({'warmup': 5}, {}, 9),
    ({'connect_timeout': 2.5}, {}, 7),                               # whole seconds, rounded up
    ({'type': 'MISC_CHECK', 'misc_path': '/bin/true', 'misc_timeout': 10}, {}, 14),
    ({'type': 'MISC_CHECK', 'misc_path': '/bin/true'}, {'delay_loop': 4}, 10),   # misc_timeout: delay_loop
    ({'connect_timeout': None}, {'delay_loop': None}, 67),           # keepalived's defaults: 60 and 5
])
def test_a_vip_is_held_until_every_real_server_has_been_checked(check, vs_over, hold):
    vs = dict(BASE['director_virtual_servers'][0], check=check, **vs_over)
    m = models(director_virtual_servers=[vs])[0]
    assert m['ecmp']['hold'] == hold


def test_the_longest_real_server_sets_the_hold():
    vs = dict(BASE['director_virtual_servers'][0], real_servers=[
        {'ip': '10.84.1.21', 'port': 80}, {'ip': '10.84.1.22', 'port': 80, 'check': {'connect_timeout': 9}}])
    assert models(director_virtual_servers=[vs])[0]['ecmp']['hold'] == 13


VRRP = {'director_mode': 'vrrp', 'director_vrrp_instances': [{'name': 'VI_1', 'virtual_router_id': 51,
                                                             'vips': ['10.84.0.10/24']}]}


@pytest.mark.parametrize('over, vs_over, flags', [
    ({}, {}, ['mh-port', 'mh-fallback']),                            # ecmp: failed real servers stay at weight 0
    ({}, {'scheduler_flags': ['mh-fallback', 'mh-port']}, ['mh-fallback', 'mh-port']),   # not twice
    (VRRP, {'scheduler': 'sh', 'scheduler_flags': []}, ['sh-fallback']),   # the depool guard's keep: weight 0 too
    (dict(VRRP, director_depool_policy='off'), {}, ['mh-port']),     # failed real servers leave the table
    (VRRP, {'scheduler': 'wlc', 'scheduler_flags': []}, []),         # no hash table to keep
])
def test_hashing_schedulers_fall_back_from_a_real_server_at_weight_0(over, vs_over, flags):
    # Without the flag, sh and mh drop the new flows that hash to a real server at weight 0 (the ecmp scenario
    # saw every such request time out).
    vs = dict(BASE['director_virtual_servers'][0], **vs_over)
    m = models(director_virtual_servers=[vs], **over)[0]
    assert m['virtual_servers'][0]['scheduler_flags'] == flags


def test_vip_prefix():
    assert vip_prefix('192.0.2.1') == '192.0.2.1/32' and vip_prefix('2001:db8::1') == '2001:db8::1/128'


def test_good_ecmp_inventory_passes():
    assert errors(models()) == []


@pytest.mark.parametrize('over, fragments', [
    ({'director_bgp_peers': []}, ['director_bgp_peers is empty', 'list the upstream routers']),
    ({'director_bgp_peers': [{'address': 'router1'}]}, ["'router1' is not an IP address", 'has no asn']),
    ({'director_bgp_asn': 0}, ['director_bgp_asn 0 is not an AS number', '64512-65534']),
    ({'d3': {'director_bgp_asn': 65002}}, ['director_bgp_asn differs across directors (65001, 65002)']),
    ({'d3': {'director_bgp_router_id': '10.84.1.11'}}, ['d1 and d3 share director_bgp_router_id 10.84.1.11']),
    ({'director_virtual_server_defaults': dict(BASE['director_virtual_server_defaults'], scheduler='wlc')},
     ["scheduler 'wlc' would send a flow", 'use scheduler: mh']),
    ({'director_virtual_server_defaults': dict(BASE['director_virtual_server_defaults'], forwarding='NAT')},
     ['NAT cannot work in director_mode ecmp', 'use forwarding: DR or TUN']),
    ({'director_vrrp_instances': [{'name': 'VI_1', 'virtual_router_id': 51, 'vips': ['10.84.0.10/24']}]},
     ['director_vrrp_instances is set but director_mode is ecmp']),
    ({'d2': {'director_mode': 'vrrp'}}, ['director_mode differs across directors (d1, d3 ecmp, d2 not)']),
    ({'director_bfd_interval': 5, 'director_bfd_multiplier': 1}, ['director_bfd_interval 5 is outside 10-60000 ms',
                                                                  'director_bfd_multiplier 1 is outside 2-255']),
    ({'d2': {'director_virtual_servers': [dict(BASE['director_virtual_servers'][0], real_servers=[
        {'ip': '10.84.1.22'}, {'ip': '10.84.1.21'}, {'ip': '10.84.1.23'}])]}},
     ['virtual server web: real servers differ between d1 (10.84.1.21 w1, 10.84.1.22 w1, 10.84.1.23 w1) and d2 '
      '(10.84.1.22 w1, 10.84.1.21 w1, 10.84.1.23 w1)', 'in the same order']),
], ids=['no_peers', 'peer_not_ip', 'no_asn', 'asn_differs', 'router_id_shared', 'not_mh', 'nat', 'vrrp_instances',
        'mode_differs', 'bfd', 'real_server_order'])
def test_bad_ecmp_inventory_is_refused(over, fragments):
    found = '\n'.join(errors(models(**over)))
    for fragment in fragments:
        assert fragment in found, found


def test_real_servers_that_differ_are_told_once():
    reordered = [dict(BASE['director_virtual_servers'][0], real_servers=[
        {'ip': '10.84.1.22'}, {'ip': '10.84.1.21'}, {'ip': '10.84.1.23'}])]
    found = errors(models(d2={'director_virtual_servers': reordered}))
    assert len(found) == 1 and 'mh picks the same one' in found[0], found
    # Anything else that differs in a service is still told, by the generic message.
    checked = [dict(BASE['director_virtual_servers'][0], check={'connect_timeout': 9})]
    found = errors(models(d2={'director_virtual_servers': checked}))
    assert len(found) == 1 and 'configured differently on d1 and d2' in found[0], found
