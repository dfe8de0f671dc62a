# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: switchover_plan
short_description: Who must be MASTER of each VRRP instance after a switchover
version_added: 0.2.0
description:
  - From the C(lvs.ha.keepalived_info) result of every director of the play. C(away) hands the instances of the
    source director (by default the current master) to the peer of highest effective priority; C(back) returns
    each instance to the director of highest configured priority, unless the instance does not preempt.
  - Lists the reasons the cluster cannot switch over (a stopped keepalived, an instance neither MASTER nor BACKUP,
    a source outside the play, a lone director); the role changes nothing unless there are none.
author:
  - lvs.ha developers (@lvs-ha)
positional: states, switchover, switchover_host, timeout
options:
  _input:
    description: The directors of the play, C(ansible_play_hosts).
    type: list
    elements: str
    required: true
  states:
    description: Each director's C(lvs.ha.keepalived_info) result, by host name.
    type: dict
    required: true
  switchover:
    description: C(away) or C(back).
    type: str
    choices: [away, back]
    required: true
  switchover_host:
    description: The director that gives its VIPs away; the current master when empty.
    type: str
    default: ""
  timeout:
    description: Seconds for a peer to take the VIPs over, before the longest C(preempt_delay) is added.
    type: int
    default: 30
seealso:
  - plugin: lvs.ha.director_model
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Plan who will be MASTER of each instance
  ansible.builtin.set_fact:
    plan: "{{ ansible_play_hosts | lvs.ha.switchover_plan(states, 'away', '', 30) }}"
  vars:
    states: "{{ dict(ansible_play_hosts | zip(ansible_play_hosts | map('extract', hostvars, 'vrrp'))) }}"
  run_once: true
"""

RETURN = r"""
_value:
  description:
    - C(source), the director the VIPs leave; C(masters), the planned master of each instance by name; C(errors),
      why the switchover cannot run; C(wait), the seconds to allow (timeout plus the longest preempt_delay).
  type: dict
"""

from ansible_collections.lvs.ha.plugins.module_utils.switchover_plan import switchover_plan
from ansible_collections.lvs.ha.plugins.module_utils.template_values import plain


def switchover_plan_filter(hosts, states, switchover, switchover_host='', timeout=30):
    return switchover_plan(plain(hosts), plain(states), switchover, switchover_host, timeout)


class FilterModule:
    def filters(self):
        return {'switchover_plan': switchover_plan_filter}
