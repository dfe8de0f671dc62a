# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The real_server role's script (templates/lvs-ha-real-server.sh.j2) for DR and NAT, rendered by
ansible-core and run with real `ip` in a private network namespace (root; the host's
network is never touched): VIPs of both families up, found by check, a VIP that left the
list removed as stale, everything down again. The lab proves the same script with traffic."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
import yaml

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
PLAYBOOK = os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')
TEMPLATE = os.path.join(ROOT, 'roles', 'real_server', 'templates', 'lvs-ha-real-server.sh.j2')

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or not shutil.which('unshare') or not shutil.which('ip'),
                                reason='needs root, unshare and ip (a private network namespace)')


def render(tmp_path, vips, method='dr', gateway='', gateway6=''):
    """The script for DR on lo with these VIPs (or NAT through these gateways), as the role renders it."""
    tmp_path.mkdir()
    script, sysctls = tmp_path / 'lvs-ha-real-server', tmp_path / 'sysctl.conf'
    sysctls.write_text('')
    play = [{'hosts': 'localhost', 'gather_facts': False, 'connection': 'local',
             'vars': {'real_server_method': method, 'real_server_vips': vips,
                      '_real_server_vip_interface': 'lo', '_real_server_vip_interface6': 'lo', 'real_server_interface': 'lo',
                      'real_server_nat_gateway': gateway, 'real_server_nat_gateway6': gateway6,
                      '_real_server_sysctl_file': str(sysctls),
                      '_real_server_script': str(script), 'ansible_python_interpreter': sys.executable},
             'tasks': [{'ansible.builtin.template': {'src': TEMPLATE, 'dest': str(script), 'mode': '0755'}}]}]
    (tmp_path / 'play.yml').write_text(yaml.safe_dump(play))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, '.build', 'collections'))
    proc = subprocess.run([PLAYBOOK, '-i', 'localhost,', str(tmp_path / 'play.yml')], env=env, capture_output=True,
                          text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    return script


def test_dual_stack_vips_up_checked_replaced_and_down(tmp_path):
    first = render(tmp_path / 'first', ['192.0.2.10', '2001:DB8:0::10', '2001:db8::11'])
    second = render(tmp_path / 'second', ['192.0.2.10', '2001:db8::11'])
    # One namespace for the whole story; each step prints a marker, then what `ip` shows.
    steps = f"""
set -u
ip link set lo up
{first} check >/dev/null; echo "check-before $?"
{first} up >/dev/null; echo "up $?"
{first} check >/dev/null; echo "check-after $?"
ip -o addr show dev lo | awk '{{print "addr", $4, ($0 ~ / deprecated/ ? "deprecated" : "preferred"), ($0 ~ / nodad/ ? "nodad" : "dad")}}'
ip addr add 2001:db8::99/128 dev lo
{second} check; echo "check-changed $?"
{second} up >/dev/null; echo "up-changed $?"
ip -o -6 addr show dev lo | awk '{{print "after", $4}}'
{second} down; echo "down $?"
ip -o addr show dev lo | awk '{{print "left", $4}}'
"""
    proc = subprocess.run(['unshare', '-n', 'sh', '-c', steps], capture_output=True, text=True, timeout=60, check=False)
    lines = proc.stdout.splitlines()
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert 'check-before 1' in lines and 'up 0' in lines and 'check-after 0' in lines, lines
    # The IPv6 VIPs as /128s without DAD, deprecated: never a source address. 2001:DB8:0::10 written canonically.
    assert 'addr 2001:db8::10/128 deprecated nodad' in lines and 'addr 2001:db8::11/128 deprecated nodad' in lines, lines
    assert 'addr 192.0.2.10/32 preferred dad' in lines, lines
    # 2001:db8::10 left the list: check names it stale; up removes it and leaves an address not ours alone.
    assert 'stale 2001:db8::10/128 on lo' in lines and 'check-changed 1' in lines and 'up-changed 0' in lines, lines
    assert {line for line in lines if line.startswith('after')} == {
        'after ::1/128', 'after 2001:db8::11/128', 'after 2001:db8::99/128'}, lines
    # down: the role's addresses gone, the others kept.
    assert 'down 0' in lines and {line for line in lines if line.startswith('left')} == {
        'left 127.0.0.1/8', 'left 2001:db8::99/128', 'left ::1/128'}, lines


def test_nat66_default_routes_through_the_directors(tmp_path):
    script = render(tmp_path / 'nat', ['198.51.100.10', '2001:db8:1::10'], 'nat', '192.0.2.254', '2001:DB8::FE')
    # A host whose default routes (both families) go elsewhere, as Docker's or a router advertisement's would.
    steps = f"""
set -u
ip link add eth0 type veth peer name eth1 && ip link set eth1 up && ip link set eth0 up && ip link set lo up
ip addr add 192.0.2.21/24 dev eth0 && ip -6 addr add 2001:db8::21/64 dev eth0 nodad
ip route add default via 192.0.2.1 && ip -6 route add default via 2001:db8::1
{script} check >/dev/null; echo "check-before $?"
{script} up >/dev/null; echo "up $?"
ip -6 route show default | awk '{{print "route6", $3}}'
ip -4 route show default | awk '{{print "route4", $3}}'
ip -6 route add default via 2001:db8::2 metric 2048
{script} check; echo "check-second $?"
"""
    proc = subprocess.run(['unshare', '-n', 'sh', '-c', steps], capture_output=True, text=True, timeout=60, check=False)
    lines = proc.stdout.splitlines()
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert 'check-before 1' in lines and 'up 0' in lines, lines
    assert 'route6 2001:db8::fe' in lines and 'route4 192.0.2.254' in lines, lines
    assert not [line for line in lines if line.startswith('route6') and 'fe' not in line], lines
    # A second IPv6 default route (another router's) would carry some replies past the directors: check says so.
    assert 'check-second 1' in lines, lines
    assert any(line.startswith('IPv6 default route not only via 2001:db8::fe') for line in lines), lines
