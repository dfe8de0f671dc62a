# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The plan task of tasks/switchover.yml, as written there, over directors of this host alone.

keepalived_info needs a running keepalived, so each director's states come from
the plans fixture (tests/unit/plugins/filter/fixtures) and the task runs next
to them, copied from the role: this proves the task's wiring (hostvars, the
play's hosts, the role's variables), the filter's unit tests prove the plan.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, '..', '..', '..', '..'))
PLAYBOOK = os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')
CASES = ('away-three-master', 'back-nopreempt-master', 'away-broken-elsewhere')


def test_plan_task(tmp_path):
    with open(os.path.join(ROOT, 'roles', 'director', 'tasks', 'switchover.yml'), encoding='utf-8') as f:
        task = next(t for t in yaml.safe_load(f) if t['name'] == 'Plan who will be MASTER of each instance')
    with open(os.path.join(ROOT, 'tests', 'unit', 'plugins', 'filter', 'fixtures', 'switchover_plans.json'),
              encoding='utf-8') as f:
        cases = [c for c in json.load(f) if c['id'] in CASES]
    plays = [{'name': case['id'], 'hosts': ':'.join(case['hosts']), 'connection': 'local', 'gather_facts': False,
              'vars': {'director_switchover': case['switchover'], 'director_switchover_host': case['host'],
                       'director_switchover_timeout': case['timeout'], 'states': case['states']},
              'tasks': [{'name': 'States', 'ansible.builtin.set_fact': {'_director_vrrp_before': '{{ states[inventory_hostname] }}'}},
                        task,
                        {'name': 'Plan', 'ansible.builtin.debug': {'var': '_director_switchover_plan'}, 'run_once': True}]}
             for case in cases]
    (tmp_path / 'play.yml').write_text(json.dumps(plays))
    (tmp_path / 'hosts.yml').write_text('all:\n  hosts: {d1: {}, d2: {}, d3: {}}\n')
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, '.build', 'collections'),
               ANSIBLE_STDOUT_CALLBACK='ansible.posix.json', ANSIBLE_LOCAL_TEMP=str(tmp_path))
    proc = subprocess.run([PLAYBOOK, '-i', str(tmp_path / 'hosts.yml'), str(tmp_path / 'play.yml'),
                           '-e', 'ansible_python_interpreter=' + sys.executable],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr
    plays = json.loads(proc.stdout)['plays']
    for case, play in zip(cases, plays):
        shown = next(iter(play['tasks'][-1]['hosts'].values()))['_director_switchover_plan']
        assert shown == case['plan'], case['id']  # the json callback sorts keys: order is the filter's test
