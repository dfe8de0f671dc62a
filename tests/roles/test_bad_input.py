# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Bad-input matrix of the director and real_server roles, on this host alone.

Each case is one play of one role over hosts of its own (``ansible_connection:
local``, facts given as inventory variables, ``gather_facts: false``). The runs
use ``--tags director_preflight,real_server_preflight`` and ``--check``: the
tags keep everything but the argument spec (tagged always) and the preflight
out, check mode is the guard behind them. The only contact with the host is
the director's slurp of its drained list (absent here: fine).

A bad case passes when the role stops at the argument spec or at its preflight
assert, the message holds every expected fragment (the variable and the fix),
nothing ran after it, and every task that ran is a read-only action. The two
control cases prove the same harness passes good input. Cases run as plays of
a few playbooks side by side; block/rescue keeps one refusal from ending the rest.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

import pytest
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, '..', '..'))
PLAYBOOK = os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')

# What the preflight may run: none of these writes to the host.
READ_ONLY = {'validate_argument_spec', 'include_tasks', 'slurp', 'set_fact', 'assert', 'debug'}
BATCHES = 4
SPEC = "Validating arguments against arg spec '{}'"
STOP = {'director': 'Stop before touching any director if a check failed',
        'real_server': "Check the real server's variables"}

VIP = '192.0.2.100'
INSTANCE = {'name': 'VI_1', 'virtual_router_id': 51, 'vips': [VIP + '/24']}
SERVICE = {'name': 'web', 'ip': VIP, 'port': 80}
BASE = {
    'directors': {
        'vars': {'director_vrrp_instances': [INSTANCE], 'director_virtual_servers': [SERVICE]},
        'hosts': {'d1': {'ansible_default_ipv4': {'address': '192.0.2.11', 'interface': 'eth0'}},
                  'd2': {'ansible_default_ipv4': {'address': '192.0.2.12', 'interface': 'eth0'}}},
    },
    'real_servers': {
        'vars': {'real_server_vips': [VIP]},
        'hosts': {'r1': {'real_server_address': '192.0.2.21'},
                  'r2': {'real_server_address': '192.0.2.22'}},
    },
}


class Case(NamedTuple):
    id: str
    role: str
    vars: dict
    expect: tuple = ()
    stage: str = 'preflight'  # spec: the argument spec refuses it; preflight: the preflight assert
    hosts: dict = {}  # per-host overrides, {host: {var: value}}
    entry: str = 'main'  # preflight: tasks_from preflight, as playbooks/site.yml runs it before the role


def d(case_id, variables, *expect, stage='preflight', hosts=None):
    return Case(case_id, 'director', variables, expect, stage, hosts or {})


def r(case_id, variables, *expect, stage='preflight', hosts=None):
    return Case(case_id, 'real_server', variables, expect, stage, hosts or {})


def inst(**over):
    return {'director_vrrp_instances': [dict(INSTANCE, **over)]}


def vs(**over):
    return {'director_virtual_servers': [dict(SERVICE, **over)]}


def rs(**over):
    return vs(real_servers=[dict({'ip': '192.0.2.21'}, **over)])


CASES = [
    d('control', {}, stage='pass'),
    r('control', {}, stage='pass'),
    # director: types and choices, refused by meta/argument_specs.yml
    # A str option converts what it is given: a dict is caught by the preflight.
    d('group_type', {'director_group': {'a': 1}}, 'director_group', 'is empty or absent'),
    d('packages_type', {'director_packages': {'keepalived': 1}}, 'director_packages', stage='spec'),
    d('vrrp_version_choice', {'director_vrrp_version': 4}, 'director_vrrp_version', '2, 3', stage='spec'),
    d('advert_int_type', {'director_vrrp_advert_int': 'fast'}, 'director_vrrp_advert_int', 'float', stage='spec'),
    d('unicast_type', {'director_vrrp_unicast': 'maybe'}, 'director_vrrp_unicast', 'bool', stage='spec'),
    d('priority_type', {'director_vrrp_priority': 'high'}, 'director_vrrp_priority', 'int', stage='spec'),
    d('nopreempt_type', {'director_vrrp_nopreempt': 'often'}, 'director_vrrp_nopreempt', stage='spec'),
    d('preempt_delay_type', {'director_vrrp_preempt_delay': 'soon'}, 'director_vrrp_preempt_delay', stage='spec'),
    d('rejoin_hold_type', {'director_rejoin_hold': 'a while'}, 'director_rejoin_hold', stage='spec'),
    d('instances_type', {'director_vrrp_instances': 'VI_1'}, 'director_vrrp_instances', stage='spec'),
    d('instance_unknown_key', inst(prio=100), 'director_vrrp_instances', 'prio', stage='spec'),
    d('instance_without_vips', {'director_vrrp_instances': [{'name': 'VI_1', 'virtual_router_id': 51}]},
      'vips', 'director_vrrp_instances', stage='spec'),
    d('instance_without_vrid', {'director_vrrp_instances': [{'name': 'VI_1', 'vips': [VIP]}]},
      'virtual_router_id', 'director_vrrp_instances', stage='spec'),
    d('instance_state_choice', inst(state='LEADER'), 'state', 'MASTER, BACKUP', stage='spec'),
    d('instance_vrid_type', inst(virtual_router_id='fifty'), 'virtual_router_id', stage='spec'),
    d('track_script_unknown_key', inst(track_scripts=[{'name': 's', 'wieght': 2}]), 'track_scripts', 'wieght', stage='spec'),
    d('scripts_without_script', {'director_vrrp_scripts': [{'name': 's'}]}, 'director_vrrp_scripts', 'script', stage='spec'),
    d('track_files_without_file', {'director_vrrp_track_files': [{'name': 't'}]}, 'director_vrrp_track_files', 'file', stage='spec'),
    d('restart_sec_type', {'director_keepalived_restart_sec': 'soon'}, 'director_keepalived_restart_sec', stage='spec'),
    d('lvs_flush_type', {'director_lvs_flush': 'perhaps'}, 'director_lvs_flush', stage='spec'),
    d('peer_filter_type', {'director_peer_filter': 'perhaps'}, 'director_peer_filter', stage='spec'),
    d('stray_tcp_drop_type', {'director_stray_tcp_drop': 'perhaps'}, 'director_stray_tcp_drop', stage='spec'),
    d('sync_daemon_type', {'director_ipvs_sync_daemon': 'perhaps'}, 'director_ipvs_sync_daemon', stage='spec'),
    d('sync_id_type', {'director_ipvs_sync_id': 'one'}, 'director_ipvs_sync_id', stage='spec'),
    d('modules_type', {'director_ipvs_modules': {'ip_vs': 1}}, 'director_ipvs_modules', stage='spec'),
    d('sysctls_type', {'director_sysctls': [1]}, 'director_sysctls', stage='spec'),
    d('vs_defaults_type', {'director_virtual_server_defaults': [1]}, 'director_virtual_server_defaults', stage='spec'),
    d('check_defaults_type', {'director_check_defaults': [1]}, 'director_check_defaults', stage='spec'),
    d('virtual_servers_type', {'director_virtual_servers': 'web'}, 'director_virtual_servers', stage='spec'),
    d('vs_unknown_key', vs(shceduler='rr'), 'director_virtual_servers', 'shceduler', stage='spec'),
    d('vs_port_type', vs(port='http'), 'port', 'int', stage='spec'),
    d('vs_protocol_choice', vs(protocol='ICMP'), 'protocol', 'TCP', stage='spec'),
    d('vs_forwarding_choice', vs(forwarding='ROUTE'), 'forwarding', 'DR', stage='spec'),
    d('vs_scheduler_flags_choice', vs(scheduler_flags=['fast']), 'scheduler_flags', 'sh-port', stage='spec'),
    d('rs_without_ip', vs(real_servers=[{'port': 80}]), 'real_servers', 'ip', stage='spec'),
    d('rs_weight_type', rs(weight='heavy'), 'weight', 'int', stage='spec'),
    d('sorry_without_ip', vs(sorry_server={'port': 80}), 'sorry_server', 'ip', stage='spec'),
    d('vs_groups_without_members', {'director_virtual_server_groups': [{'name': 'g'}]},
      'director_virtual_server_groups', 'members', stage='spec'),
    d('drain_timeout_type', {'director_drain_timeout': 'long'}, 'director_drain_timeout', stage='spec'),
    d('switchover_choice', {'director_switchover': 'sideways'}, 'director_switchover', 'away, back', stage='spec'),
    # director: values, refused by the preflight (preflight_errors.json.j2)
    d('group_absent', {'director_group': 'lbs'}, 'director_group', "'lbs' is empty or absent"),
    d('real_server_group_absent', {'director_real_server_group': 'webs'}, "director_real_server_group 'webs'"),
    d('address_not_ip', {'director_address': 'lb1'}, 'director_address', "'lb1' is not an IP address"),
    d('address_octet_300', {'director_address': '300.1.1.1'}, 'director_address', 'not an IP address'),
    d('address_empty', {'director_address': ''}, 'director_address', 'set it'),
    d('interface_empty', {'director_interface': ''}, 'director_interface', 'interface'),
    d('router_id_space', {'director_router_id': 'lb 1'}, "director_router_id 'lb 1'", 'one word'),
    d('priority_0', {'director_vrrp_priority': 0}, 'director_vrrp_priority', 'outside 1-254'),
    d('priority_255', {}, 'director_vrrp_priority', 'outside 1-254', hosts={'d1': {'director_vrrp_priority': 255}}),
    d('priority_equal', {'director_vrrp_priority': 100}, 'director_vrrp_priority', 'both have priority 100'),
    d('advert_int_0', {'director_vrrp_advert_int': 0}, 'director_vrrp_advert_int', 'advert_int'),
    d('advert_int_negative', inst(advert_int=-1), 'advert_int', 'VI_1'),
    d('advert_int_v2_fraction', {'director_vrrp_version': 2}, 'director_vrrp_advert_int', 'director_vrrp_version'),
    d('preempt_delay_negative', {'director_vrrp_preempt_delay': -5}, 'director_vrrp_preempt_delay'),
    d('rejoin_hold_negative', {'director_rejoin_hold': -1}, 'director_rejoin_hold -1', 'outside 0-3600'),
    d('instances_empty', {'director_vrrp_instances': []}, 'director_vrrp_instances is empty', 'define at least one'),
    d('instance_vips_empty', inst(vips=[]), 'director_vrrp_instances[VI_1].vips is empty'),
    d('instance_vip_not_ip', inst(vips=['www']), 'director_vrrp_instances[VI_1].vips', "'www'"),
    d('instance_vrid_0', inst(virtual_router_id=0), 'virtual_router_id 0', 'outside 1-255'),
    d('instance_vrid_256', inst(virtual_router_id=256), 'virtual_router_id 256', 'outside 1-255'),
    d('instance_priority_300', inst(priority=300), 'priority 300', 'outside 1-254'),
    d('instance_interface_space', inst(interface='eth 0'), 'interface', 'VI_1'),
    d('instance_vrid_twice', {'director_vrrp_instances': [INSTANCE, dict(INSTANCE, name='VI_2', vips=['192.0.2.101/24'])]},
      'virtual_router_id 51 is used twice', 'VI_2'),
    d('instance_name_twice', {'director_vrrp_instances': [INSTANCE, dict(INSTANCE, virtual_router_id=52, vips=['192.0.2.101/24'])]},
      'director_vrrp_instances', 'VI_1', 'twice'),
    d('instance_vip_twice', {'director_vrrp_instances': [INSTANCE, dict(INSTANCE, name='VI_2', virtual_router_id=52)]},
      'director_vrrp_instances', VIP, 'VI_2'),
    d('instance_unknown_track_script', inst(track_scripts=[{'name': 'chk'}]), 'track_scripts', 'chk', 'director_vrrp_scripts'),
    d('instance_unknown_track_file', inst(track_files=[{'name': 'tf'}]), 'track_files', 'tf', 'director_vrrp_track_files'),
    d('instances_differ', {}, 'director_vrrp_instances differ', 'define them once in group_vars/',
      hosts={'d2': inst(name='VI_X')}),
    d('vips_differ', {}, 'vips is', 'on d1.vips_differ but', hosts={'d2': inst(vips=['192.0.2.101/24'])}),
    d('sync_instance_unknown', {'director_ipvs_sync_instance': 'VI_9'}, 'director_ipvs_sync_instance', "'VI_9' names no VRRP instance"),
    d('sync_id_300', {'director_ipvs_sync_id': 300}, 'director_ipvs_sync_id', '0-255'),
    d('vs_needs_address', {'director_virtual_servers': [{'name': 'web'}]}, 'director_virtual_servers[web] needs ip and port'),
    d('vs_ip_not_ip', vs(ip='www'), 'director_virtual_servers[web]', "'www'"),
    d('vs_port_0', vs(port=0), 'director_virtual_servers[web]', 'port', '1-65535'),
    d('vs_port_70000', vs(port=70000), 'director_virtual_servers[web]', 'port', '1-65535'),
    d('vs_scheduler_unknown', vs(scheduler='fastest'), 'director_virtual_servers[web]', "'fastest'", 'wlc'),
    d('vs_defaults_scheduler_unknown', {'director_virtual_server_defaults': {'protocol': 'TCP', 'scheduler': 'x', 'forwarding': 'DR'}},
      'scheduler', "'x'"),
    d('vs_defaults_protocol_unknown', {'director_virtual_server_defaults': {'protocol': 'ICMP', 'scheduler': 'wlc', 'forwarding': 'DR'}},
      'protocol', "'ICMP'"),
    d('vs_twice', {'director_virtual_servers': [SERVICE, dict(SERVICE, name='web2')]}, 'director_virtual_servers', 'defined twice (web2)'),
    d('vs_defaults_unknown_key', {'director_virtual_server_defaults': {'protocol': 'TCP', 'scheduler': 'wlc', 'forwarding': 'DR', 'shceduler': 'rr'}},
      'director_virtual_server_defaults', "unknown key 'shceduler'"),
    d('vs_defaults_forwarding_unknown', {'director_virtual_server_defaults': {'protocol': 'TCP', 'scheduler': 'wlc', 'forwarding': 'ROUTE'}},
      'forwarding', "'ROUTE'", 'director_virtual_server_defaults'),
    d('vs_group_unknown', {'director_virtual_servers': [{'name': 'web', 'group': 'g'}]}, "group 'g' is not in director_virtual_server_groups"),
    d('vs_check_type_unknown', vs(check={'type': 'PING'}), 'check type', "'PING'", 'TCP_CHECK'),
    d('rs_check_type_unknown', rs(check={'type': 'PING'}), 'check type', "'PING'", 'real server 192.0.2.21'),
    d('check_defaults_without_type', {'director_check_defaults': {'connect_timeout': 3}}, "check type ''", 'director_check_defaults'),
    d('check_defaults_type_unknown', {'director_check_defaults': {'type': 'PING'}}, 'director_check_defaults', "'PING'"),
    d('fwmark_without_port', {'director_virtual_servers': [{'name': 'fw', 'fwmark': 3, 'real_servers': [{'ip': '192.0.2.21'}]}]},
      'fwmark service fw', 'connect_port'),
    d('rs_ip_not_ip', rs(ip='web1'), "real server 'web1' of web is not an IP address"),
    d('rs_weight_negative', rs(weight=-1), 'weight', '-1', '0-65535'),
    d('rs_all_weight_0', rs(weight=0), 'no real server of weight > 0'),
    d('rs_port_70000', rs(port=70000), 'real_servers', '70000', '1-65535'),
    d('rs_lacks_vip', {}, 'real_server_vips', 'lacks ' + VIP, hosts={'r1': {'real_server_vips': ['192.0.2.200']}}),
    # real_server: types and choices
    r('method_choice', {'real_server_method': 'route'}, 'real_server_method', 'dr, tun, nat', stage='spec'),
    r('vips_type', {'real_server_vips': {'a': 1}}, 'real_server_vips', stage='spec'),
    r('weight_type', {'real_server_weight': 'heavy'}, 'real_server_weight', 'int', stage='spec'),
    r('packages_type', {'real_server_packages': {'a': 1}}, 'real_server_packages', stage='spec'),
    # real_server: values, refused by tasks/preflight.yml
    r('dr_without_vips', {'real_server_vips': []}, 'real_server_vips is empty', '(dr)'),
    r('tun_without_vips', {'real_server_method': 'tun', 'real_server_vips': []}, 'real_server_vips is empty', '(tun)'),
    r('vip_with_prefix', {'real_server_vips': [VIP + '/24']}, 'real_server_vips', VIP + '/24', 'without prefix'),
    r('vip_octet_300', {'real_server_vips': ['300.0.0.1']}, 'real_server_vips', '300.0.0.1'),
    r('nat_without_gateway', {'real_server_method': 'nat'}, 'real_server_nat_gateway', 'inside VIP'),
    r('nat_gateway_not_ip', {'real_server_method': 'nat', 'real_server_nat_gateway': 'gw'}, 'real_server_nat_gateway', "'gw'"),
    r('dr_interface_empty', {'real_server_dr_interface': ''}, 'real_server_dr_interface', 'use lo or a dummy'),
    r('dr_interface_too_long', {'real_server_dr_interface': 'dummy-interface-0'}, 'real_server_dr_interface', 'not an interface name'),
    r('interface_empty', {'real_server_interface': ''}, "real_server_interface ''", 'interface facing the directors'),
    r('weight_negative', {'real_server_weight': -1}, 'real_server_weight', '0-65535'),
    r('address_not_ip', {}, 'real_server_address', "'web1'", hosts={'r1': {'real_server_address': 'web1'}}),
]


def site(case):
    return case._replace(id='site_' + case.id, entry='preflight')


CASES += [site(c) for c in CASES if c.role == 'director' and c.id in
          {'control', 'instances_type', 'instance_without_vrid', 'vs_unknown_key', 'rs_without_ip', 'priority_0'}]


def key(case):
    return case.role + '-' + case.id


def group(case, name):
    return case.id + '_' + case.role + '_' + name


def inventory(cases):
    """Every case's own directors and real servers (host names suffixed with the case), so plays cannot mix."""
    children = {}
    for case in cases:
        inv = copy.deepcopy(BASE)
        inv['directors']['vars'].update(director_group=group(case, 'directors'),
                                        director_real_server_group=group(case, 'real_servers'))
        inv['directors' if case.role == 'director' else 'real_servers']['vars'].update(copy.deepcopy(case.vars))
        if case.role == 'real_server':
            # Its preflight looks at no other host: one real server, no directors.
            del inv['directors'], inv['real_servers']['hosts']['r2']
        for name, members in inv.items():
            for host, over in case.hosts.items():
                if host in members['hosts']:
                    members['hosts'][host].update(copy.deepcopy(over))
            members['hosts'] = {host + '.' + case.id: hv for host, hv in members['hosts'].items()}
            children[group(case, name)] = members
    return {'all': {'vars': {'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable},
                    'children': children}}


def playbook(cases):
    """One play per case; rescue keeps a refused case from ending the playbook.

    The block has no tags: tags there would be inherited by every task of the
    imported role and run install and configure too.
    """
    return [{'name': key(case), 'hosts': group(case, 'directors' if case.role == 'director' else 'real_servers'),
             'gather_facts': False,
             'tasks': [{'name': 'Role',
                        'block': [role(case)],
                        'rescue': [{'name': 'Refused', 'ansible.builtin.debug': {'msg': 'refused'}, 'tags': ['always']}]}]}
            for case in cases]


def role(case):
    if case.entry == 'main':
        return {'name': 'Play the role', 'ansible.builtin.import_role': {'name': 'lvs.ha.' + case.role}}
    # Untagged in the role: the tag here lets --tags select the imported preflight tasks.
    return {'name': 'Play the preflight', 'tags': [case.role + '_preflight'],
            'ansible.builtin.import_role': {'name': 'lvs.ha.' + case.role, 'tasks_from': case.entry}}


def play(cases, tmp, index):
    """Run a batch of cases: ({case key: [(task name, action, result)]}, the run's output for diagnosis)."""
    work = os.path.join(tmp, 'batch%d' % index)
    os.makedirs(work)
    for name, data in (('hosts.yml', inventory(cases)), ('play.yml', playbook(cases))):
        with open(os.path.join(work, name), 'w', encoding='utf-8') as handle:
            yaml.safe_dump(data, handle)
    env = dict(os.environ,
               ANSIBLE_COLLECTIONS_PATH=os.pathsep.join([os.path.join(tmp, 'collections'),
                                                         os.path.join(ROOT, '.build', 'collections')]),
               ANSIBLE_STDOUT_CALLBACK='ansible.posix.json', ANSIBLE_LOCAL_TEMP=work,
               ANSIBLE_REMOTE_TEMP=work, ANSIBLE_RETRY_FILES_ENABLED='false')
    proc = subprocess.run([PLAYBOOK, '-i', os.path.join(work, 'hosts.yml'), os.path.join(work, 'play.yml'),
                           '--tags', 'director_preflight,real_server_preflight', '--check'],
                          env=env, capture_output=True, text=True, timeout=300, check=False)
    try:
        plays = {p['play']['name']: p['tasks'] for p in json.loads(proc.stdout)['plays']}
    except ValueError:
        plays = {}
    return {key(case): [(task['task']['name'], res.get('action', ''), res)
                        for task in plays.get(key(case), []) for res in task['hosts'].values()]
            for case in cases}, proc.stdout[-3000:] + proc.stderr


@pytest.fixture(scope='module')
def results(tmp_path_factory):
    """Every case in a few ansible-playbook runs side by side."""
    tmp = str(tmp_path_factory.mktemp('bad_input'))
    os.makedirs(os.path.join(tmp, 'collections', 'ansible_collections', 'lvs'))
    # This checkout as lvs.ha, whatever .build/collections points at.
    os.symlink(ROOT, os.path.join(tmp, 'collections', 'ansible_collections', 'lvs', 'ha'))
    batches = [CASES[i::BATCHES] for i in range(BATCHES)]
    with ThreadPoolExecutor(max_workers=BATCHES) as pool:
        runs = list(pool.map(lambda i: play(batches[i], tmp, i), range(BATCHES)))
    return {k: (ran, log) for found, log in runs for k, ran in found.items()}


@pytest.mark.parametrize('case', CASES, ids=key)
def test_bad_input(case, results):
    ran, log = results[key(case)]
    assert ran, log
    for name, action, res in ran:
        assert action.rsplit('.', 1)[-1] in READ_ONLY, name + ' may write: ' + action
        assert not res.get('changed'), name + ' changed something'
    failed = [(name, res) for name, _action, res in ran if res.get('failed')]
    if case.stage == 'pass':
        assert not failed, failed
        assert ran[-1][0].endswith(STOP[case.role]), ran[-1][0]
        return
    assert failed, 'accepted: ' + json.dumps(case.vars)
    name, res = failed[0]
    # Refused where it should be: not by a crash of some other task on the way.
    task = name.split(' : ', 1)[-1]
    assert task.startswith(SPEC.format(case.entry)) if case.stage == 'spec' else task == STOP[case.role], name + ': ' + str(res.get('msg'))
    assert ran[-1][0] == 'Refused', 'the role went on after ' + name
    message = res['msg'] if isinstance(res.get('msg'), str) else json.dumps(res.get('msg'))
    for fragment in case.expect:
        assert fragment in message, message
