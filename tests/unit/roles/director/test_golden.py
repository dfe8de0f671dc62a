# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Every director's model and keepalived.conf, byte for byte, against golden files.

golden.yml renders them through the role's own path (tasks_from model.yml, then
keepalived.conf.j2, and frr.conf.j2 in director_mode ecmp) for inventories/example,
inventories/lab, inventories/two-node, inventories/ecmp and the corners in
inventories/edge here, on this host alone (local connection). The facts in facts/<name>.yml reach the
run through a fact cache, as gathered facts do, and are not injected as
variables (ansible-core's default from 2.24; tests/conftest.py).
The lab scenarios converge from the same model: a change here changes the lab.

LVS_HA_GOLDEN=update rewrites golden/ from the current role (then review the diff).
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, '..', '..', '..', '..'))
PLAYBOOK = os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')
# name: the inventory; its facts are in facts/<name>.yml
INVENTORIES = {
    'example': os.path.join(ROOT, 'inventories', 'example'),
    'lab': os.path.join(ROOT, 'inventories', 'lab'),
    'two-node': os.path.join(ROOT, 'inventories', 'two-node'),
    'ecmp': os.path.join(ROOT, 'inventories', 'ecmp'),
    'edge': os.path.join(HERE, 'inventories', 'edge'),
}
# task name in golden.yml: the golden file's suffix and the end of line the message lacks
OUTPUTS = {'Model': ('.model.json', '\n'), 'Keepalived.conf': ('.keepalived.conf', ''), 'Frr.conf': ('.frr.conf', '')}
UPDATE = os.environ.get('LVS_HA_GOLDEN') == 'update'


def render(name, tmp, fact_cache):
    """Run golden.yml over one inventory: {golden file name: text}, or the log of a failed run."""
    with open(os.path.join(HERE, 'facts', name + '.yml'), encoding='utf-8') as handle:
        facts = yaml.safe_load(handle)
    env = dict(os.environ, **fact_cache(os.path.join(tmp, 'facts'), facts),
               ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, '.build', 'collections'),
               ANSIBLE_STDOUT_CALLBACK='ansible.posix.json', ANSIBLE_LOCAL_TEMP=tmp, ANSIBLE_REMOTE_TEMP=tmp,
               ANSIBLE_RETRY_FILES_ENABLED='false')
    proc = subprocess.run([PLAYBOOK, os.path.join(HERE, 'golden.yml'), '-i', INVENTORIES[name]] +
                          ['-e', 'golden_role=' + os.path.join(ROOT, 'roles', 'director'),
                           '-e', 'ansible_connection=local', '-e', 'ansible_python_interpreter=' + sys.executable],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False)
    if proc.returncode != 0:
        return proc.stdout[-3000:] + proc.stderr
    found = {}
    for task in json.loads(proc.stdout)['plays'][0]['tasks']:
        suffix, end = OUTPUTS.get(task['task']['name'], (None, None))
        for host, res in task['hosts'].items() if suffix else ():
            if not res.get('skipped'):   # frr.conf: directors of director_mode ecmp only
                found[host + suffix] = res['msg'] + end
    return found


@pytest.fixture(scope='module')
def rendered(tmp_path_factory, fact_cache):
    """Every inventory at once, side by side."""
    tmp = str(tmp_path_factory.mktemp('golden'))
    with ThreadPoolExecutor(max_workers=len(INVENTORIES)) as pool:
        return dict(zip(INVENTORIES, pool.map(lambda name: render(name, os.path.join(tmp, name), fact_cache), INVENTORIES)))


def read(golden):
    found = {}
    for path in sorted(glob.glob(os.path.join(golden, '*'))):
        with open(path, encoding='utf-8', newline='') as f:
            found[os.path.basename(path)] = f.read()
    return found


@pytest.mark.parametrize('name', sorted(INVENTORIES))
def test_golden(name, rendered):
    found = rendered[name]
    assert isinstance(found, dict), found
    golden = os.path.join(HERE, 'golden', name)
    if UPDATE:
        shutil.rmtree(golden, ignore_errors=True)
        os.makedirs(golden)
        for file_name, text in found.items():
            with open(os.path.join(golden, file_name), 'w', encoding='utf-8', newline='') as f:
                f.write(text)
    expected = read(golden)
    assert sorted(found) == sorted(expected)
    for file_name, text in sorted(found.items()):
        assert text == expected[file_name], file_name
