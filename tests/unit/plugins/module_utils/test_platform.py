# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Which hosts the roles serve, from the facts the setup module gathers (module_utils/platform.py)."""

from __future__ import annotations

import pytest

from ansible_collections.lvs.ha.plugins.module_utils.platform import picked_facts, platform_errors


def facts(family, name, version):
    return {'os_family': family, 'distribution': name, 'distribution_version': version}


@pytest.mark.parametrize('host_facts', [
    facts('Debian', 'Debian', '12.12'),
    facts('Debian', 'Debian', '13.2'),
    facts('Debian', 'Ubuntu', '24.04'),  # the same family: apt, the same packages and units
])
def test_the_debian_family_is_served(host_facts):
    assert platform_errors('lb1', host_facts) == []


@pytest.mark.parametrize('host_facts, said', [
    (facts('RedHat', 'Rocky', '9.4'), 'lb1: Rocky 9.4 (RedHat family) is not supported'),
    (facts('Alpine', 'Alpine', '3.20.3'), 'lb1: Alpine 3.20.3 (Alpine family) is not supported'),
    ({'os_family': 'Suse'}, 'lb1: an OS  (Suse family) is not supported'),
])
def test_another_family_is_refused_naming_host_os_and_fix(host_facts, said):
    errors = platform_errors('lb1', host_facts)
    assert len(errors) == 1
    assert errors[0].startswith(said)
    assert 'run the directors and real servers on Debian' in errors[0]


@pytest.mark.parametrize('host_facts', [{}, None, {'os_family': ''}, {'default_ipv4': {'address': '192.0.2.1'}}])
def test_no_os_facts_asks_to_gather_them(host_facts):
    errors = platform_errors('lb1', host_facts)
    assert len(errors) == 1
    assert errors[0].startswith('lb1: its OS is not known')
    assert 'gather_facts: true' in errors[0]


def test_picked_facts_reads_only_the_os_keys():
    gathered = dict(facts('Debian', 'Debian', '13.2'), interfaces=['eth0'], default_ipv4={'address': '192.0.2.1'})
    assert picked_facts(gathered) == facts('Debian', 'Debian', '13.2')
    assert picked_facts(None) == {}
