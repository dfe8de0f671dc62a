# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The role tests' facts: in a fact cache, as gathered facts arrive, never as inventory variables."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import yaml

PLAYBOOK = os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')
# set_fact with cacheable writes the facts as a fact module's result would; the
# cache's file format is ansible-core's to choose (2.19 wraps and prefixes it).
SEED = [{'name': 'Seed the fact cache', 'hosts': 'all', 'gather_facts': False, 'connection': 'local',
         'tasks': [{'name': 'Cache one fact', 'ansible.builtin.set_fact': {'{{ item.key }}': '{{ item.value }}', 'cacheable': True},
                    'loop': '{{ lvs_ha_seed | dict2items }}'}]}]


def fact_cache(directory, facts):
    """The environment in which ansible-playbook finds facts ({host: {fact name: value}}) as if gathered.

    A jsonfile fact cache in directory, filled by one ansible-playbook run here,
    and facts not injected as variables (ansible-core's default from 2.24): the
    roles must read ansible_facts. Fact names as the setup module gives them
    (ansible_default_ipv4); ansible_facts holds them without the prefix.
    """
    os.makedirs(directory, exist_ok=True)
    env = {'ANSIBLE_CACHE_PLUGIN': 'ansible.builtin.jsonfile', 'ANSIBLE_CACHE_PLUGIN_CONNECTION': directory,
           'ANSIBLE_CACHE_PLUGIN_TIMEOUT': '0', 'ANSIBLE_INJECT_FACT_VARS': 'false'}
    inventory = {'all': {'hosts': {host: {'lvs_ha_seed': host_facts} for host, host_facts in facts.items()},
                         'vars': {'ansible_python_interpreter': sys.executable}}}
    for name, data in (('seed-hosts.yml', inventory), ('seed.yml', SEED)):
        with open(os.path.join(directory, name), 'w', encoding='utf-8') as handle:
            yaml.safe_dump(data, handle)
    proc = subprocess.run([PLAYBOOK, '-i', os.path.join(directory, 'seed-hosts.yml'), os.path.join(directory, 'seed.yml')],
                          env=dict(os.environ, ANSIBLE_LOCAL_TEMP=directory, ANSIBLE_RETRY_FILES_ENABLED='false', **env),
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr
    return env


@pytest.fixture(name='fact_cache', scope='session')
def fact_cache_fixture():
    return fact_cache
