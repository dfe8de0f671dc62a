# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The director preflight's checks over models, one per refusal of the bad-input matrix (and more).

Each case starts from the models the role builds for the matrix's good input
(two directors, one instance, one service over two real servers) and changes
what the bad variable changes in them; tests/roles/test_bad_input.py proves
the same refusals end to end for a few, and the wiring.
"""

from __future__ import annotations

import copy
import os

import pytest
import yaml

from ansible_collections.lvs.ha.plugins.module_utils.director_preflight import is_vip, preflight_errors
from ansible_collections.lvs.ha.plugins.module_utils.template_values import as_int

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', '..')
with open(os.path.join(ROOT, 'roles', 'director', 'meta', 'argument_specs.yml'), encoding='utf-8') as handle:
    VS_OPTIONS = list(yaml.safe_load(handle)['argument_specs']['main']['options']['director_virtual_servers']['options'])

VIP = '192.0.2.100'
CHECK = {'type': 'TCP_CHECK', 'connect_timeout': 3, 'retry': 2, 'delay_before_retry': 2}
GUARD = {'policy': 'keep', 'threshold': 0.5, 'weight': 2, 'min_weight': 1}


def real_server(host, ip, **over):
    return dict({'host': host, 'ip': ip, 'port': 80, 'weight': 1, 'forwarding': 'DR', 'inhibit_on_failure': None,
                 'check': dict(CHECK)}, **over)


def service(**over):
    return dict({'key': VIP + ' 80', 'name': 'web', 'fwmark': None, 'group': None, 'ip': VIP, 'port': 80,
                 'is_fwmark': False, 'protocol': 'TCP', 'scheduler': 'wlc', 'scheduler_flags': [], 'forwarding': 'DR',
                 'sorry_server': None, 'depool_guard': dict(GUARD),
                 'real_servers': [real_server('r1', '192.0.2.21'), real_server('r2', '192.0.2.22')]}, **over)


def instance(priority, peer, **over):
    return dict({'name': 'VI_1', 'virtual_router_id': 51, 'interface': 'eth0', 'family': 4, 'priority': priority,
                 'advert_int': 0.5,
                 'nopreempt': False, 'preempt_delay': 0, 'vips': [VIP + '/24'], 'unicast_peers': [peer],
                 'track_scripts': [], 'track_interfaces': [], 'track_files': []}, **over)


def model(host, address, priority, peer):
    return {'host': host, 'router_id': host, 'address': address, 'address6': '', 'instances': [instance(priority, peer)],
            'virtual_servers': [service()], 'groups': {}, 'rejoin_hold': 20,
            'sync': {'enabled': True, 'instance': 'VI_1'}}


SETTINGS = {'director_group': 'directors', 'director_real_server_group': 'real_servers', 'director_vrrp_version': 3,
            'director_ipvs_sync_id': 0, 'script_names': [], 'track_file_names': [],
            'vs_default_keys': ['protocol', 'scheduler', 'forwarding', 'delay_loop'], 'vs_options': VS_OPTIONS}


def good():
    """(models, settings, directors, play hosts, inventory vars) of the matrix's good input."""
    return ([model('d1', '192.0.2.11', 200, '192.0.2.12'), model('d2', '192.0.2.12', 150, '192.0.2.11')],
            copy.deepcopy(SETTINGS), ['d1', 'd2'], ['d1', 'd2'], {'r1': {'real_server_vips': [VIP]}})


def both(*changes):
    """A change applied to every director's model (as a group variable would)."""
    def apply(case):
        for m in case[0]:
            for change in changes:
                change(m)
    return apply


def exporter(**over):
    """A change of the model's exporter (director_exporter on, node-exporter too)."""
    def apply(m):
        m['exporter'] = dict({'enabled': True, 'node_exporter': True, 'address': '0.0.0.0', 'port': 9848}, **over)
    return apply


def first(*changes):
    """A change to d1's model only (a host variable)."""
    def apply(case):
        for change in changes:
            change(case[0][0])
    return apply


def inst(**over):
    return lambda m: m['instances'][0].update(over)


def vs(**over):
    return lambda m: m['virtual_servers'][0].update(over)


def rs(**over):
    return lambda m: m['virtual_servers'][0]['real_servers'][0].update(over)


def setting(**over):
    return lambda case: case[1].update(over)


def check(**check_over):
    return lambda m: [r['check'].update(check_over) for r in m['virtual_servers'][0]['real_servers']]


def no_check_type(m):
    for r in m['virtual_servers'][0]['real_servers']:
        r['check'].pop('type')


def add_instance(**over):
    return lambda m: m['instances'].append(dict(copy.deepcopy(m['instances'][0]), **over))


def add_service(**over):
    return lambda m: m['virtual_servers'].append(dict(copy.deepcopy(m['virtual_servers'][0]), **over))


def no_directors(case):
    case[2][:] = []


FWMARK = dict(key='fwmark 3', name='fw', fwmark=3, ip=None, port=None, is_fwmark=True,
              real_servers=[real_server('', '192.0.2.21', port=None)])

# (id, change of the good input, fragments of one error), after the matrix's cases
# (tests/roles/test_bad_input.py before the checks moved here).
CASES = [
    ('group_type', lambda c: (setting(director_group="{'a': 1}")(c), no_directors(c)), 'director_group', 'is empty or absent'),
    ('group_absent', lambda c: (setting(director_group='lbs')(c), no_directors(c)), 'director_group', "'lbs' is empty or absent"),
    ('real_server_group_absent', lambda c: (setting(director_real_server_group='webs')(c), both(vs(real_servers=[]))(c)),
     "director_real_server_group 'webs'"),
    ('address_not_ip', first(lambda m: m.update(address='lb1')), 'director_address', "'lb1' is not an IP address"),
    ('address_octet_300', first(lambda m: m.update(address='300.1.1.1')), 'director_address', 'not an IP address'),
    ('address_empty', first(lambda m: m.update(address='')), 'director_address', 'set it'),
    ('address_ipv6_triple_colon', first(lambda m: m.update(address=':::')), 'director_address', "':::' is not an IP"),
    ('address_ipv4_mapped', first(lambda m: m.update(address='::ffff:192.0.2.11')), 'director_address'),
    ('peer_not_ip', first(inst(unicast_peers=['d2'])), "unicast peer 'd2' of VI_1 is not an IP address",
     'set director_address for'),
    # IPv6 instances (the model takes their unicast source and peers from director_address6)
    ('address6_empty', both(inst(family=6, vips=['2001:db8::10/64'], unicast_peers=['2001:db8::12'])),
     "director_address6 '' is not an IP address", 'VI_1', 'ansible_facts.default_ipv6'),
    ('peer6_not_ip', both(lambda m: m.update(address6='2001:db8::11'),
                          inst(family=6, vips=['2001:db8::10/64'], unicast_peers=['d2'], unicast_src_ip='2001:db8::11')),
     "unicast peer 'd2' of VI_1 is not an IP address", 'set director_address6 for'),
    ('address6_ipv4', both(lambda m: m.update(address6='192.0.2.11'),
                           inst(family=6, vips=['2001:db8::10/64'], unicast_peers=['2001:db8::12'], unicast_src_ip='192.0.2.11')),
     'an IPv6 instance cannot send unicast adverts from or to 192.0.2.11', 'set director_address6 to an IPv6'),
    # The exporter (director_exporter): its port and listen address, before anything is installed.
    ('exporter_port_9100', both(exporter(port=9100)), "director_exporter_port 9100 is node-exporter's",
     'director_node_exporter: false'),
    ('exporter_port_0', first(exporter(port=0)), 'd1: director_exporter_port 0 is outside 1-65535'),
    ('exporter_address_name', both(exporter(address='lb1')), "director_exporter_listen_address 'lb1' is not an IP"),
    ('vrid_twice_same_family', both(lambda m: m['instances'].append(instance(m['instances'][0]['priority'], '192.0.2.1',
                                                                             name='VI_2', vips=['192.0.2.101/24']))),
     'virtual_router_id 51 is used twice for IPv4 on eth0', 'VI_2'),
    ('interface_empty', both(inst(interface='')), 'director_interface', 'interface'),
    ('router_id_space', first(lambda m: m.update(router_id='lb 1')), "director_router_id 'lb 1'", 'one word'),
    ('priority_0', both(inst(priority=0)), 'director_vrrp_priority', 'outside 1-254'),
    ('priority_255', first(inst(priority=255)), 'director_vrrp_priority', 'outside 1-254'),
    ('priority_equal', both(inst(priority=100)), 'director_vrrp_priority', 'both have priority 100'),
    ('advert_int_0', both(inst(advert_int=0.0)), 'director_vrrp_advert_int', 'advert_int'),
    ('advert_int_negative', both(inst(advert_int=-1.0)), 'advert_int', 'VI_1'),
    ('advert_int_v2_fraction', setting(director_vrrp_version=2), 'director_vrrp_advert_int', 'director_vrrp_version'),
    ('advert_int_v2_host', lambda c: c[4].update(d2={'director_vrrp_version': '2'}), 'd2: director_vrrp_instances[VI_1]'
     '.advert_int 0.5 must be whole seconds 1-255'),
    ('preempt_delay_negative', both(inst(preempt_delay=-5)), 'director_vrrp_preempt_delay'),
    ('rejoin_hold_negative', both(lambda m: m.update(rejoin_hold=-1)), 'director_rejoin_hold -1', 'outside 0-3600'),
    ('instances_empty', both(lambda m: m.update(instances=[])), 'director_vrrp_instances is empty', 'define at least one'),
    ('instance_vips_empty', both(inst(vips=[])), 'director_vrrp_instances[VI_1].vips is empty'),
    ('instance_vip_not_ip', both(inst(vips=['www'])), 'director_vrrp_instances[VI_1].vips', "'www'"),
    ('instance_vip_prefix_33', both(inst(vips=[VIP + '/33'])), "'%s/33' does not start with an address" % VIP),
    ('instance_vip_ipv6_prefix_129', both(inst(vips=['2001:db8::10/129'])), "'2001:db8::10/129' does not start"),
    ('instance_vips_two_families', both(inst(vips=[VIP + '/24', '2001:db8::10/64'])), 'vips mixes IPv4 and IPv6'),
    ('instance_ipv6_unicast_ipv4', both(inst(vips=['2001:db8::10/64'])), 'an IPv6 instance cannot send unicast adverts',
     'unicast: false'),
    ('instance_vip_mapped', both(inst(vips=['::ffff:192.0.2.100/120'])), 'IPv4-mapped', 'give the IPv4 address 192.0.2.100'),
    ('instance_vrid_0', both(inst(virtual_router_id=0)), 'virtual_router_id 0', 'outside 1-255'),
    ('instance_vrid_256', both(inst(virtual_router_id=256)), 'virtual_router_id 256', 'outside 1-255'),
    ('instance_priority_300', first(inst(priority=300)), 'priority 300', 'outside 1-254'),
    ('instance_interface_space', both(inst(interface='eth 0')), 'interface', 'VI_1'),
    ('instance_vrid_twice', both(add_instance(name='VI_2', vips=['192.0.2.101/24'])), 'virtual_router_id 51 is used twice', 'VI_2'),
    ('instance_name_twice', both(add_instance(virtual_router_id=52, vips=['192.0.2.101/24'])), 'director_vrrp_instances',
     'VI_1', 'twice'),
    ('instance_vip_twice', both(add_instance(name='VI_2', virtual_router_id=52)), 'director_vrrp_instances', VIP, 'VI_2'),
    ('instance_unknown_track_script', both(inst(track_scripts=[{'name': 'chk', 'effective': 0}])), 'track_scripts', 'chk',
     'director_vrrp_scripts'),
    ('instance_unknown_track_file', both(inst(track_files=[{'name': 'tf', 'effective': 0}])), 'track_files', 'tf',
     'director_vrrp_track_files'),
    ('instances_differ', lambda c: c[0][1]['instances'][0].update(name='VI_X'), 'director_vrrp_instances differ',
     'define them once in group_vars/'),
    ('vips_differ', lambda c: c[0][1]['instances'][0].update(vips=['192.0.2.101/24']), 'vips is', 'on d1 but'),
    ('sync_instance_unknown', both(lambda m: m['sync'].update(instance='VI_9')), 'director_ipvs_sync_instance',
     "'VI_9' names no VRRP instance"),
    ('sync_id_300', setting(director_ipvs_sync_id=300), 'director_ipvs_sync_id', '0-255'),
    ('sync_id_host', lambda c: c[4].update(d2={'director_ipvs_sync_id': -1}), 'd2: director_ipvs_sync_id -1'),
    ('vs_needs_address', both(vs(ip=None, port=None, key=' ')), 'director_virtual_servers[web] needs ip and port'),
    ('vs_ip_not_ip', both(vs(ip='www')), 'director_virtual_servers[web]', "'www'"),
    ('vs_ip_ipv6_triple_colon', both(vs(ip=':::')), "director_virtual_servers[web].ip ':::' is not an IP address"),
    ('vs_fwmark_ip_prefix_bad', both(vs(fwmark=3, ip=VIP + '/40', is_fwmark=True)), "'%s/40' is not an IP address" % VIP),
    ('vs_real_server_other_family', both(rs(ip='2001:db8::21')), 'real server 2001:db8::21 is ipv6 but the service is ipv4',
     'forwarding: tun'),
    ('vs_ip_mapped', both(vs(ip='::ffff:192.0.2.100')), "director_virtual_servers[web].ip '::ffff:192.0.2.100' is not an IP",
     'IPv4-mapped', 'give the IPv4 address 192.0.2.100'),
    ('rs_ip_mapped', both(rs(ip='::ffff:192.0.2.21')), "real server '::ffff:192.0.2.21' of web is not an IP address",
     'IPv4-mapped', 'set real_server_address'),
    ('vs_port_0', both(vs(port=0)), 'director_virtual_servers[web]', 'port', '1-65535'),
    ('vs_port_70000', both(vs(port=70000)), 'director_virtual_servers[web]', 'port', '1-65535'),
    ('vs_scheduler_unknown', both(vs(scheduler='fastest')), 'director_virtual_servers[web]', "'fastest'", 'wlc'),
    ('vs_defaults_scheduler_unknown', both(vs(scheduler='x')), 'scheduler', "'x'"),
    ('vs_defaults_protocol_unknown', both(vs(protocol='ICMP')), 'protocol', "'ICMP'"),
    ('vs_twice', both(add_service(name='web2')), 'director_virtual_servers', 'defined twice (web2)'),
    ('vs_defaults_unknown_key', setting(vs_default_keys=['protocol', 'shceduler']), 'director_virtual_server_defaults',
     "unknown key 'shceduler'"),
    ('vs_defaults_forwarding_unknown', both(vs(forwarding='ROUTE'), rs(forwarding='ROUTE')), 'forwarding', "'ROUTE'",
     'director_virtual_server_defaults'),
    ('rs_forwarding_unknown', both(rs(forwarding='ROUTE')), "forwarding 'ROUTE' of real server 192.0.2.21"),
    ('vs_group_unknown', both(vs(group='g', ip=None, port=None, key='group g')), "group 'g' is not in director_virtual_server_groups"),
    ('vs_check_type_unknown', both(check(type='PING')), 'check type', "'PING'", 'TCP_CHECK'),
    ('rs_check_type_unknown', both(rs(check=dict(CHECK, type='PING'))), 'check type', "'PING'", 'real server 192.0.2.21'),
    ('check_defaults_without_type', both(no_check_type), "check type ''", 'director_check_defaults'),
    ('check_defaults_type_unknown', both(check(type='PING')), 'director_check_defaults', "'PING'"),
    ('fwmark_without_port', both(lambda m: m.update(virtual_servers=[service(**FWMARK)])), 'fwmark service fw', 'connect_port'),
    ('rs_ip_not_ip', both(rs(ip='web1', host='')), "real server 'web1' of web is not an IP address",
     'real_server_address for host web1'),
    ('rs_weight_negative', both(rs(weight=-1)), 'weight', '-1', '0-65535', 'real_server_weight of host r1'),
    ('rs_weight_negative_listed', both(rs(weight=-1, host='')), 'weight -1 of real server 192.0.2.21 is outside 0-65535; '
     'set its weight in real_servers'),
    ('rs_all_weight_0', both(vs(real_servers=[real_server('r1', '192.0.2.21', weight=0)])), 'no real server of weight > 0'),
    ('rs_port_70000', both(rs(port=70000)), 'real_servers', '70000', '1-65535'),
    ('rs_without_port', both(rs(port=None)), 'real server 192.0.2.21 of web has no port'),
    ('rs_lacks_vip', lambda c: c[4].update(r1={'real_server_vips': ['192.0.2.200']}), 'real_server_vips', 'lacks ' + VIP),
    ('not_a_director', lambda c: c[2].remove('d2'), "d2: not a member of director_group 'directors'"),
    ('director_not_in_play', lambda c: c[2].append('d3'), 'director_group: d3 not in this play'),
    ('services_differ', lambda c: c[0][1]['virtual_servers'][0].update(key='192.0.2.101 80'), 'director_virtual_servers differ'),
    ('service_differs', lambda c: c[0][1]['virtual_servers'][0].update(scheduler='rr'),
     'virtual server web is configured differently on d1 and d2'),
    ('depool_policy_unknown', both(vs(depool_guard=dict(GUARD, policy='false'))),
     "director_virtual_servers[web].depool_policy 'false' is not auto, keep, sorry or off", 'quote it'),
    ('depool_threshold_above_1', both(vs(depool_guard=dict(GUARD, threshold=1.5))), 'depool_threshold 1.5',
     'between 0 and 1', 'director_depool_threshold'),
    ('depool_threshold_text', both(vs(depool_guard=dict(GUARD, threshold='half'))), 'depool_threshold half'),
    ('depool_threshold_bool', both(vs(depool_guard=dict(GUARD, threshold=True))), 'depool_threshold True'),
    ('depool_sorry_without_server', both(vs(depool_guard=dict(GUARD, policy='sorry'))),
     'depool_policy sorry needs a sorry_server'),
    ('depool_keep_beside_sorry_server', both(vs(sorry_server={'ip': '192.0.2.99'})),
     'depool_policy keep with a sorry_server', 'choose sorry (or auto)'),
    ('track_weight_within_gap', both(inst(track_interfaces=[{'name': 'eth1', 'effective': -20}])),
     'track_interface eth1 has weight -20 but the priority gap between d1 (200) and d2 (150) is 50'),
    ('track_weights_above_254', first(inst(track_scripts=[{'name': 's', 'effective': 60}])),
     'instance VI_1 on d1: priority 200 + positive track weights 60 exceed 254'),
]


@pytest.mark.parametrize('case_id, change, fragments', [(c[0], c[1], c[2:]) for c in CASES], ids=[c[0] for c in CASES])
def test_refused(case_id, change, fragments):
    case = good()
    change(case)
    errors = preflight_errors(*case)
    assert any(all(f in e for f in fragments) for e in errors), errors


def test_good_input_passes():
    assert preflight_errors(*good()) == []


def test_good_variants_pass():
    models, settings, directors, hosts, inventory = good()
    marked = dict(FWMARK)
    marked.update(ip=VIP + '/32', real_servers=[real_server('', '192.0.2.21', port=None, check=dict(CHECK, connect_port=80))])
    for m in models:
        m['instances'][0].update(vips=['2001:db8::10/64', '2001:db8::11/64 dev eth1'], unicast_peers=[],
                                 track_files=[{'name': 'tf', 'effective': -100}])
        m['address'] = ''  # multicast VRRP: no source address needed
        m['virtual_servers'] = [service(), service(**marked)]
    settings.update(track_file_names=['tf'], director_vrrp_version=2)
    for m in models:
        m['instances'][0]['advert_int'] = 1.0
    assert preflight_errors(models, settings, directors, hosts, inventory) == []


def test_dual_stack_passes():
    """An IPv6 instance beside the IPv4 one, with the same VRID (RFC 5798: one per family), unicast over IPv6."""
    models, settings, directors, hosts, inventory = good()
    for m, own, peer in zip(models, ('2001:db8::11', '2001:db8::12'), ('2001:db8::12', '2001:db8::11')):
        m['address6'] = own
        m['instances'].append(instance(m['instances'][0]['priority'], peer, name='VI_6', family=6,
                                       vips=['2001:db8::100/64'], unicast_src_ip=own))
        m['virtual_servers'].append(service(key='2001:db8::100 80', name='web6', ip='2001:db8::100', real_servers=[
            real_server('r1', '2001:db8::21'), real_server('r2', '2001:db8::22')]))
    assert preflight_errors(models, settings, directors, hosts, {'r1': {'real_server_vips': [VIP, '2001:db8::100']}}) == []


def test_one_director_and_each_error_once():
    models, settings, directors, hosts, inventory = good()
    models[0]['virtual_servers'][0]['scheduler'] = 'x'
    errors = preflight_errors(models[:1], settings, ['d1'], ['d1'], inventory)
    assert len([e for e in errors if "'x'" in e]) == 1


@pytest.mark.parametrize('text, ok', [
    ('192.0.2.10', True), ('192.0.2.10/24', True), ('192.0.2.10/0', True), ('192.0.2.10/08', False),
    ('2001:db8::1/128', True), ('2001:db8::1/129', False), (':::', False), ('[2001:db8::1]', False), ('web', False),
])
def test_is_vip(text, ok):
    assert is_vip(text) is ok


def test_the_preflight_reads_numbers_like_jinja():
    assert (as_int('7'), as_int('7.9'), as_int('x'), as_int(None)) == (7, 7, 0, 0)
