# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: director_model
short_description: The normalised model of one keepalived+IPVS director
version_added: 0.2.0
description:
  - Applies every default of the C(lvs.ha.director) role to its VRRP instances and virtual servers, resolves the
    real servers and unicast peers from the inventory, and decides the sync daemon, the fwmark rules, the stray TCP
    drop and the sysctls. The role's preflight compares the models of all directors; C(keepalived.conf), the
    nftables table and the sysctls are rendered from it and nothing else.
  - Of the other hosts it reads only C(director_address), C(ansible_facts.default_ipv4), C(ansible_host),
    C(real_server_address) and C(real_server_weight), of the members of the groups that C(director_group) and
    C(director_real_server_group) name.
author:
  - lvs.ha developers (@lvs-ha)
positional: host, groups, hostvars, drained
options:
  _input:
    description: The role's C(director_*) variables by name, as the role's C(tasks/model.yml) passes them.
    type: dict
    required: true
  host:
    description: The director's C(inventory_hostname).
    type: str
    required: true
  groups:
    description: The inventory's C(groups).
    type: dict
    required: true
  hostvars:
    description: C(hostvars), or any mapping of host names to their variables.
    type: dict
    required: true
  drained:
    description: Addresses of the real servers drained on this director; they get weight 0.
    type: list
    elements: str
    default: []
seealso:
  - plugin: lvs.ha.switchover_plan
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Build this director's model
  ansible.builtin.set_fact:
    _director_model: >-
      {{ dict(_names | zip(query('ansible.builtin.vars', *_names)))
         | lvs.ha.director_model(inventory_hostname, groups, hostvars, []) }}
  vars:
    _names: [director_group, director_real_server_group, director_address, director_interface]  # and the rest
"""

RETURN = r"""
_value:
  description:
    - The model; C(host), C(router_id), C(address), C(address6), C(peers), C(peers6), C(instances), C(virtual_servers),
      C(groups), C(fwmarks), C(drained), C(switchover_file), C(rejoin_hold), C(sync), C(stray_tcp), C(sysctls),
      C(exporter).
  type: dict
"""

import json

from ansible.errors import AnsibleFilterError

from ansible_collections.lvs.ha.plugins.module_utils.director_model import FACT_KEYS, HOST_KEYS, SETTINGS, director_model, group_members
from ansible_collections.lvs.ha.plugins.module_utils.template_values import picked, plain


def host_variables(hostvars, names):
    """HOST_KEYS of each named host that has them, and FACT_KEYS of its ansible_facts; nothing else is templated."""
    found = {}
    for name in names:
        if name in hostvars:
            variables = hostvars[name]
            found[name] = dict(picked(variables, HOST_KEYS), ansible_facts=picked(variables.get('ansible_facts'), FACT_KEYS))
    return found


def director_model_filter(settings, host, groups, hostvars, drained=None):
    settings = plain(settings)
    missing = [name for name in SETTINGS if name not in settings]
    if missing:
        raise AnsibleFilterError('lvs.ha.director_model: the input lacks %s; pass every variable of SETTINGS'
                                 % ', '.join(missing))
    groups = plain(groups)
    names = group_members(groups, settings['director_group']) + group_members(groups, settings['director_real_server_group'])
    model = director_model(settings, host, groups, host_variables(hostvars, names), plain(drained or []))
    # Plain JSON data, as the role's template made it with to_json | from_json: no tags on its strings, so the
    # fact pickles fast to the workers (docs/benchmarks.md).
    return json.loads(json.dumps(model))


class FilterModule:
    def filters(self):
        return {'director_model': director_model_filter}
