# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The README's smallest inventory passes both roles' argument specs and
preflights, as written there (facts given as inventory variables, this host
only, --check), and a typo in it is refused: the README cannot drift from
what the roles accept."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, '..', '..'))
PLAYBOOK = os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')
# Each role whole, limited by --tags to its argument spec (tagged always) and preflight.
PLAY = [{'name': 'The ' + role, 'hosts': group, 'gather_facts': False, 'roles': ['lvs.ha.' + role]}
        for role, group in (('director', 'directors'), ('real_server', 'real_servers'))]


def readme_inventory():
    with open(os.path.join(ROOT, 'README.md'), encoding='utf-8') as handle:
        found = re.search(r'The smallest inventory.*?```yaml\n(.*?)```', handle.read(), re.S)
    assert found, 'README.md: no "The smallest inventory" section with a yaml block'
    return yaml.safe_load(found.group(1))


def run(tmp_path, inventory, fact_cache):
    # What fact gathering would find: Debian 13; a director's ansible_host on eth0.
    debian = {'ansible_os_family': 'Debian', 'ansible_distribution': 'Debian', 'ansible_distribution_version': '13'}
    facts = {name: dict(debian, ansible_default_ipv4={'address': host['ansible_host'], 'interface': 'eth0'})
             for group in inventory['all']['children'].values() for name, host in group['hosts'].items()}
    inventory['all']['vars'] = {'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable}
    (tmp_path / 'hosts.yml').write_text(yaml.safe_dump(inventory))
    (tmp_path / 'play.yml').write_text(yaml.safe_dump(PLAY))
    env = dict(os.environ, **fact_cache(str(tmp_path / 'facts'), facts), ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, '.build', 'collections'),
               ANSIBLE_LOCAL_TEMP=str(tmp_path), ANSIBLE_REMOTE_TEMP=str(tmp_path), ANSIBLE_NOCOLOR='1')
    return subprocess.run([PLAYBOOK, '-i', str(tmp_path / 'hosts.yml'), str(tmp_path / 'play.yml'), '--check',
                           '--tags', 'director_preflight,real_server_preflight'],
                          env=env, capture_output=True, text=True, timeout=300, check=False)


def test_readme_inventory_passes_both_preflights(tmp_path, fact_cache):
    proc = run(tmp_path, readme_inventory(), fact_cache)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr
    assert re.search(r'lb1\s+: ok=\d+\s+changed=0 .*failed=0', proc.stdout), proc.stdout[-3000:]
    assert re.search(r'web2\s+: ok=\d+\s+changed=0 .*failed=0', proc.stdout), proc.stdout[-3000:]


@pytest.mark.parametrize('group, field, bad, named', [
    ('directors', 'director_virtual_servers', [{'name': 'web', 'ip': '192.0.2.10', 'port': 80,
                                                'check': {'type': 'TCP_CHEK'}}], "check type 'TCP_CHEK'"),
    ('real_servers', 'real_server_method', 'dsr', 'real_server_method'),
])
def test_a_typo_in_it_is_refused_naming_the_field(tmp_path, fact_cache, group, field, bad, named):
    inventory = readme_inventory()
    inventory['all']['children'][group]['vars'][field] = bad
    proc = run(tmp_path, inventory, fact_cache)
    assert proc.returncode != 0 and named in proc.stdout + proc.stderr, proc.stdout[-3000:] + proc.stderr
