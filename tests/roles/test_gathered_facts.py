# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The director's model from facts gathered for real, not injected as variables.

ansible-core 2.20 deprecates injecting facts as variables (ansible_default_ipv4)
and 2.24 stops; with ANSIBLE_INJECT_FACT_VARS=false a role that still read them
would find no address. Two directors and a real server, all this host over the
local connection, gather the network facts; the first director's model must
take its own address, its peer's and the real server's from ansible_facts.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, '..', '..'))
PLAYBOOK = os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')
INVENTORY = {'all': {
    'vars': {'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable},
    'children': {'directors': {'hosts': {'d1': {}, 'd2': {}}}, 'real_servers': {'hosts': {'r1': {}}}}}}
PLAY = [{'name': 'Gather', 'hosts': 'all', 'gather_facts': True, 'gather_subset': ['!all', 'network'], 'tasks': []},
        {'name': 'Model', 'hosts': 'd1', 'gather_facts': False,
         'vars': {'director_vrrp_instances': [{'name': 'VI_1', 'virtual_router_id': 51, 'vips': ['192.0.2.100/24']}],
                  'director_virtual_servers': [{'name': 'web', 'ip': '192.0.2.100', 'port': 80}]},
         'tasks': [{'name': 'Build the model', 'ansible.builtin.include_role': {
                        'name': 'lvs.ha.director', 'tasks_from': 'model.yml', 'public': True}},
                   {'name': 'Show', 'ansible.builtin.debug': {'msg': {
                       'facts': "{{ ansible_facts.default_ipv4 | default({}) }}", 'model': '{{ _director_model }}'}}}]}]


def test_model_reads_gathered_facts_not_injected_variables(tmp_path):
    (tmp_path / 'hosts.yml').write_text(yaml.safe_dump(INVENTORY))
    (tmp_path / 'play.yml').write_text(yaml.safe_dump(PLAY))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, '.build', 'collections'),
               ANSIBLE_INJECT_FACT_VARS='false', ANSIBLE_STDOUT_CALLBACK='ansible.posix.json',
               ANSIBLE_LOCAL_TEMP=str(tmp_path), ANSIBLE_REMOTE_TEMP=str(tmp_path), ANSIBLE_RETRY_FILES_ENABLED='false')
    proc = subprocess.run([PLAYBOOK, '-i', str(tmp_path / 'hosts.yml'), str(tmp_path / 'play.yml')],
                          env=env, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr
    shown = json.loads(proc.stdout)['plays'][1]['tasks'][-1]['hosts']['d1']['msg']
    facts, model = shown['facts'], shown['model']
    if not facts.get('address'):
        pytest.skip('this host has no default IPv4 route: the facts hold no address to read')
    assert model['address'] == facts['address']
    assert model['peers'] == [facts['address']]  # d2: the same host, the same facts
    assert [server['ip'] for service in model['virtual_servers'] for server in service['real_servers']] == [facts['address']]
    assert model['instances'][0]['interface'] == facts['interface']
