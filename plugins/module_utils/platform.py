# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Whether the roles can serve a host, from its gathered facts.

The roles install with apt and run Debian's keepalived, nftables and systemd
units: the Debian family alone. Debian 12 and 13 are the releases the lab
proves (meta/main.yml of each role names them); another member of the family
(Ubuntu, an older Debian) is not refused: the packages and units are the same.
"""

from __future__ import annotations

from collections.abc import Mapping

from ansible_collections.lvs.ha.plugins.module_utils.template_values import picked

FAMILIES = ('Debian',)
# The facts read (all in the setup module's min subset).
OS_FACT_KEYS = ('os_family', 'distribution', 'distribution_version')


def platform_errors(host, facts):
    """One message if host's OS is not one the roles serve, or is not known; facts: its ansible_facts."""
    facts = facts if isinstance(facts, Mapping) else {}
    family = facts.get('os_family')
    if not family:
        return ['%s: its OS is not known (no os_family fact); gather facts before the lvs.ha roles '
                '(gather_facts: true, or ansible.builtin.setup, whose min subset has it)' % host]
    if family not in FAMILIES:
        return ['%s: %s %s (%s family) is not supported; the lvs.ha roles serve Debian 12 and 13 (apt, Debian\'s '
                'keepalived, nftables and systemd units): run the directors and real servers on Debian'
                % (host, facts.get('distribution', 'an OS'), facts.get('distribution_version', ''), family)]
    return []


def picked_facts(facts):
    """OS_FACT_KEYS of a host's ansible_facts, plain; nothing else of them is templated."""
    return picked(facts, OS_FACT_KEYS)
