# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Bad input end to end: the director and real_server roles, on this host alone.

The director's refusals are unit tests (its preflight is Python, its argument
spec is checked by ansible-core's validator in-process); here a few of them
prove the wiring, and every refusal of the real_server role's preflight (Jinja
in its tasks) runs here.

Each case is one play of one role over hosts of its own (``ansible_connection:
local``, ``gather_facts: false``, facts from a fact cache as if gathered). The runs
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
from role_inputs import INSTANCE, SERVICE, VIP  # tests/roles/role_inputs.py

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, '..', '..'))
PLAYBOOK = os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')

# What the preflight may run: none of these writes to the host.
READ_ONLY = {'validate_argument_spec', 'include_tasks', 'slurp', 'set_fact', 'assert', 'debug'}
BATCHES = min(4, os.cpu_count() or 1)  # ansible-playbook runs side by side, one per core
SPEC = "Validating arguments against arg spec '{}'"
STOP = {'director': 'Stop before touching any director if a check failed',
        'real_server': "Check the real server's variables"}

BASE = {
    'directors': {
        'vars': {'director_vrrp_instances': [INSTANCE], 'director_virtual_servers': [SERVICE]},
        'hosts': {'d1': {}, 'd2': {}},
    },
    'real_servers': {
        'vars': {'real_server_vips': [VIP]},
        'hosts': {'r1': {'real_server_address': '192.0.2.21'},
                  'r2': {'real_server_address': '192.0.2.22'}},
    },
}
# What fact gathering would find (director_address comes from it; the OS from the min subset).
DEBIAN = {'ansible_os_family': 'Debian', 'ansible_distribution': 'Debian', 'ansible_distribution_version': '13'}
FACTS = {'d1': dict(DEBIAN, ansible_default_ipv4={'address': '192.0.2.11', 'interface': 'eth0'}),
         'd2': dict(DEBIAN, ansible_default_ipv4={'address': '192.0.2.12', 'interface': 'eth0'}),
         'r1': DEBIAN, 'r2': DEBIAN}
ROCKY = {'ansible_os_family': 'RedHat', 'ansible_distribution': 'Rocky', 'ansible_distribution_version': '9.4'}


class Case(NamedTuple):
    id: str
    role: str
    vars: dict
    expect: tuple = ()
    stage: str = 'preflight'  # spec: the argument spec refuses it; preflight: the preflight assert
    hosts: dict = {}  # per-host overrides, {host: {var: value}}
    entry: str = 'main'  # preflight: tasks_from preflight, as playbooks/site.yml runs it before the role
    facts: dict = {}  # per-host facts instead of FACTS', {host: {fact: value}}


def d(case_id, variables, *expect, stage='preflight', hosts=None, facts=None):
    return Case(case_id, 'director', variables, expect, stage, hosts or {}, facts=facts or {})


def r(case_id, variables, *expect, stage='preflight', hosts=None, facts=None):
    return Case(case_id, 'real_server', variables, expect, stage, hosts or {}, facts=facts or {})


# The director's wiring: the argument spec stops the role, the preflight stops
# it, nothing runs after either, good input passes; and the inputs the preflight
# reads from the inventory (per-host overrides, the real servers' variables, the
# role's variables). Every refusal has its unit test: tests/roles/test_argument_specs.py
# and tests/unit/plugins/module_utils/test_director_preflight.py.
CASES = [
    d('control', {}, stage='pass'),
    r('control', {}, stage='pass'),
    d('instances_type', {'director_vrrp_instances': 'VI_1'}, 'director_vrrp_instances', stage='spec'),
    d('priority_0', {'director_vrrp_priority': 0}, 'director_vrrp_priority', 'outside 1-254'),
    d('group_absent', {'director_group': 'lbs'}, 'director_group', "'lbs' is empty or absent"),
    # Each input the preflight reads, refused at once: host variables of a director
    # (into its model, and read raw), of a real server, and the role's variables.
    d('inputs', {'director_vrrp_scripts': [], 'director_virtual_servers': [dict(SERVICE, scheduler='fastest')],
                 'director_virtual_server_defaults': {'protocol': 'TCP', 'scheduler': 'wlc', 'forwarding': 'DR', 'shceduler': 'rr'},
                 'director_vrrp_instances': [dict(INSTANCE, track_scripts=[{'name': 'chk'}])]},
      'd1.inputs: priority 255 of instance VI_1 is outside 1-254', "d2.inputs: director_ipvs_sync_id 300 is outside 0-255",
      'real server r1.inputs: real_server_vips', 'lacks ' + VIP, "unknown key 'shceduler'", "track_scripts: 'chk'",
      "scheduler 'fastest'",
      hosts={'d1': {'director_vrrp_priority': 255}, 'd2': {'director_ipvs_sync_id': 300},
             'r1': {'real_server_vips': ['192.0.2.200']}}),
    # director_mode ecmp: passes with a peer and mh; refused with NAT, no peer, and real servers in another order on
    # one director (every refusal: tests/unit/plugins/module_utils/test_director_ecmp.py).
    d('ecmp', {'director_mode': 'ecmp', 'director_bgp_asn': 65001, 'director_vrrp_instances': [],
               'director_bgp_peers': [{'address': '192.0.2.1', 'asn': 65000}],
               'director_virtual_servers': [dict(SERVICE, scheduler='mh')]}, stage='pass'),
    d('ecmp_bad', {'director_mode': 'ecmp', 'director_bgp_asn': 65001, 'director_vrrp_instances': [],
                   'director_virtual_servers': [dict(SERVICE, scheduler='mh', forwarding='NAT')]},
      'NAT cannot work in director_mode ecmp', 'use forwarding: DR or TUN', 'director_bgp_peers is empty',
      'virtual server web: real servers differ between', 'in the same order',
      hosts={'d2': {'director_virtual_servers': [dict(SERVICE, scheduler='mh', forwarding='NAT', real_servers=[
          {'ip': '192.0.2.22'}, {'ip': '192.0.2.21'}])]}}),
    # real_server: the argument spec stops it (every refusal: tests/roles/test_argument_specs.py)
    r('method_choice', {'real_server_method': 'route'}, 'real_server_method', 'dr, tun, nat', stage='spec'),
    # real_server: values, refused by tasks/preflight.yml (Jinja: every rule runs here)
    r('dr_values', {'real_server_vips': [VIP + '/24', '300.0.0.1'], 'real_server_dr_interface': 'dummy-interface-0',
                    'real_server_interface': '', 'real_server_weight': -1},
      'real_server_vips', VIP + '/24', 'without prefix', "'300.0.0.1'", 'real_server_dr_interface', 'not an interface name',
      "real_server_interface ''", 'interface facing the directors', 'real_server_weight', '0-65535',
      'real_server_address', "'web1'", hosts={'r1': {'real_server_address': 'web1'}}),
    r('dr_without_vips', {'real_server_vips': [], 'real_server_dr_interface': ''}, 'real_server_vips is empty', '(dr)',
      'real_server_dr_interface', 'use lo or a dummy'),
    r('tun_without_vips', {'real_server_method': 'tun', 'real_server_vips': []}, 'real_server_vips is empty', '(tun)'),
    r('nat_without_gateway', {'real_server_method': 'nat'}, 'real_server_nat_gateway', 'inside VIP'),
    r('nat_gateway_not_ip', {'real_server_method': 'nat', 'real_server_nat_gateway': 'gw'}, 'real_server_nat_gateway', "'gw'"),
    r('nat66_gateway_ipv4', {'real_server_method': 'nat', 'real_server_nat_gateway': '192.0.2.1',
                             'real_server_nat_gateway6': '192.0.2.254'},
      "real_server_nat_gateway6 '192.0.2.254' is not an IPv6 address", 'inside IPv6 VIP (NAT66)'),
    # Address families keepalived or IPVS cannot serve (module_utils/director_families.py).
    d('families', {'director_vrrp_instances': [dict(INSTANCE, vips=[VIP + '/24', '2001:db8::10/64'])],
                   'director_virtual_servers': [dict(SERVICE, real_servers=[{'ip': '2001:db8::21'}])]},
      'vips mixes IPv4 and IPv6 (2001:db8::10/64)', 'real server 2001:db8::21 is ipv6 but the service is ipv4',
      'or forwarding: tun'),
    # IPv6: an IPv6 instance beside the IPv4 one (same VRID), unicast from director_address6, passes;
    # without an IPv6 address to send from (no director_address6, no default IPv6 route) it is refused.
    d('dual_stack', {'director_vrrp_instances': [INSTANCE, dict(INSTANCE, name='VI_6', vips=['2001:db8::100/64'])],
                     'director_virtual_servers': [SERVICE, dict(SERVICE, name='web6', ip='2001:db8::100', real_servers=[
                         {'ip': '2001:db8::21'}, {'ip': '2001:db8::22'}])]},
      stage='pass', hosts={'d1': {'director_address6': '2001:db8::11'}, 'd2': {'director_address6': '2001:db8::12'},
                           'r1': {'real_server_vips': [VIP, '2001:db8::100']}, 'r2': {'real_server_vips': [VIP, '2001:db8::100']}}),
    d('ipv6_without_address6', {'director_vrrp_instances': [dict(INSTANCE, vips=['2001:db8::100/64'])]},
      "director_address6 '' is not an IP address", 'unicast VRRP source of VI_1', 'ansible_facts.default_ipv6'),
    r('ipv6_values', {'real_server_method': 'nat', 'real_server_nat_gateway': '192.0.2.1',
                      'real_server_vips': ['2001:db8::10', '2001:db8::11/64']},
      "'2001:db8::11/64'", 'not 2001:db8::10/64', '2001:db8::10 (IPv6) by NAT need real_server_nat_gateway6',
      'replies to IPv6 clients bypass the directors',
      "real_server_address6 '192.0.2.21' is not an IPv6 address", hosts={'r1': {'real_server_address6': '192.0.2.21'}}),
    # The OS, from facts: a family the roles cannot serve, and no facts at all.
    d('not_debian', {}, 'd2.not_debian: Rocky 9.4 (RedHat family) is not supported', 'Debian 12 and 13',
      facts={'d2': dict(ROCKY, ansible_default_ipv4={'address': '192.0.2.12', 'interface': 'eth0'})}),
    # (its own id: hosts are named for the case id, and one cache holds every case's facts)
    r('rocky', {}, 'r1.rocky: Rocky 9.4 (RedHat family) is not supported', facts={'r1': ROCKY}),
    r('no_facts', {}, 'r1.no_facts: its OS is not known', 'gather facts', facts={'r1': {}}),
]


def site(case):
    return case._replace(id='site_' + case.id, entry='preflight')


CASES += [site(c) for c in CASES if c.role == 'director' and c.id in {'control', 'instances_type', 'priority_0'}]


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


def play(cases, tmp, index, facts_env):
    """Run a batch of cases: ({case key: [(task name, action, result)]}, the run's output for diagnosis)."""
    work = os.path.join(tmp, 'batch%d' % index)
    os.makedirs(work)
    for name, data in (('hosts.yml', inventory(cases)), ('play.yml', playbook(cases))):
        with open(os.path.join(work, name), 'w', encoding='utf-8') as handle:
            yaml.safe_dump(data, handle)
    env = dict(os.environ, **facts_env,
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
def results(tmp_path_factory, fact_cache):
    """Every case in a few ansible-playbook runs side by side, the directors' facts in one cache."""
    tmp = str(tmp_path_factory.mktemp('bad_input'))
    facts_env = fact_cache(os.path.join(tmp, 'facts'), {host + '.' + case.id: case.facts.get(host, host_facts)
                                                        for case in CASES for host, host_facts in FACTS.items()})
    os.makedirs(os.path.join(tmp, 'collections', 'ansible_collections', 'lvs'))
    # This checkout as lvs.ha, whatever .build/collections points at.
    os.symlink(ROOT, os.path.join(tmp, 'collections', 'ansible_collections', 'lvs', 'ha'))
    batches = [CASES[i::BATCHES] for i in range(BATCHES)]
    with ThreadPoolExecutor(max_workers=BATCHES) as pool:
        runs = list(pool.map(lambda i: play(batches[i], tmp, i, facts_env), range(BATCHES)))
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
