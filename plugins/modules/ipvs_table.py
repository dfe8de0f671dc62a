#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: ipvs_table
short_description: Declare the whole IPVS table and apply only the difference in one ipvsadm process
version_added: 0.1.0
description:
  - Reads the live table with C(ipvsadm -S -n), compares it with the desired table and feeds only the
    differences to ONE C(ipvsadm -R) process on standard input, instead of one process per rule.
  - The desired table is given either as structured O(services) or as O(rules) in the format of
    C(ipvsadm -S -n) (for example the Debian C(/etc/ipvsadm.rules) file), which is the faster input for
    tables of thousands of services.
  - If the batch fails midway, the previous table is put back (the reverse difference, or C(ipvsadm -C)
    and a restore of the saved table if that fails too) and the error names the first rule that failed.
  - Input is validated before ipvsadm runs; a bad address, port, scheduler, weight or netmask fails the
    task with a message naming the field, and the live table is untouched.
author:
  - lvs.ha developers (@lvs-ha)
extends_documentation_fragment:
  - lvs.ha._attributes
  - lvs.ha.ipvs
  - lvs.ha.ipvs.SERVICES
  - lvs.ha._attributes.PLATFORM
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details:
      - The diff shows the affected part of the table in save format, before and after.
  idempotent:
    support: full
options:
  services:
    description:
      - The desired virtual services, each with its real servers.
      - For thousands of services, O(services_json) or O(rules) is much faster through Ansible.
      - Mutually exclusive with O(rules) and O(services_json).
    type: list
    elements: dict
    # suboptions: the doc fragment lvs.ha.ipvs.SERVICES
  rules:
    description:
      - The desired table as text in the format of C(ipvsadm -S -n), one rule per line (C(-A) lines for services,
        C(-a) lines for real servers, optionally C(-x)/C(-y) thresholds). Empty lines and C(#) comments are ignored.
      - A service or a real server of a service given on two lines fails the task, naming both lines, as a
        service listed twice in O(services) does.
      - Mutually exclusive with O(services) and O(services_json).
    type: str
  services_json:
    description:
      - The desired virtual services as JSON text, a list of the same dicts as O(services) with the same
        fields, defaults and checks (errors name the element as C(services_json[3].real_servers[0].weight)).
      - Give it for tables of thousands of services kept as data, for example a JSON file read with the
        P(ansible.builtin.file#lookup) lookup (see the examples). Ansible then passes one string instead of
        templating, serialising and carrying back each of the thousands of dicts, which at 10 000 services
        costs the controller several times what the module itself takes. A list templated with the
        C(to_json) filter is accepted too, but Ansible still loads and templates the list to write the text.
      - ansible-core before 2.19 may turn JSON text into a list while templating it (when it holds no
        C(true), C(false) or C(null)); such a list is taken as O(services) would be.
      - Mutually exclusive with O(services) and O(rules).
    type: raw
    version_added: 0.2.0
  purge:
    description:
      - Remove every virtual service that is not declared, and every real server not declared in a declared
        service that lists its real servers.
    type: bool
    default: false
notes:
  - On a director whose IPVS table keepalived manages, keepalived owns the table; use this module for
    static tables and drift checks.
seealso:
  - module: lvs.ha.ipvs_virtual_server
  - module: lvs.ha.ipvs_info
"""

EXAMPLES = r"""
- name: Two web services, DR to two real servers, nothing else in the table
  lvs.ha.ipvs_table:
    purge: true
    services:
      - address: 192.0.2.10
        port: 80
        scheduler: wrr
        real_servers:
          - address: 10.0.0.21
            weight: 2
          - address: 10.0.0.22
      - address: 2001:db8::10
        port: 443
        persistence_timeout: 300
        persistence_netmask: "64"
        real_servers:
          - address: 2001:db8::21

- name: Thousands of services kept as JSON data (a list of the same dicts as services)
  lvs.ha.ipvs_table:
    services_json: "{{ lookup('ansible.builtin.file', 'ipvs_services.json') }}"
    purge: true

- name: Apply a table kept in save format (as written by ipvsadm -S -n)
  lvs.ha.ipvs_table:
    rules: "{{ lookup('ansible.builtin.file', 'ipvsadm.rules') }}"
    purge: true

- name: Check for drift without changing anything
  lvs.ha.ipvs_table:
    rules: "{{ lookup('ansible.builtin.file', 'ipvsadm.rules') }}"
    purge: true
  check_mode: true
  register: drift
"""

RETURN = r"""
commands:
  description: The restore lines fed to C(ipvsadm -R) (or that would be, in check mode), in order.
  returned: always
  type: list
  elements: str
  sample: ["-A -t 192.0.2.10:80 -s wrr", "-a -t 192.0.2.10:80 -r 10.0.0.21:80 -g -w 2"]
failing_rule:
  description: The first restore line that did not take effect when a batch failed midway.
  returned: failure of the batch
  type: str
  sample: "-a -t 192.0.2.10:80 -r 2001:db8::21:80 -i -w 1 --tun-type ipip"
restored:
  description: Whether the previous table was put back after a batch failed midway.
  returned: failure of the batch
  type: bool
"""

import json

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.lvs.ha.plugins.module_utils.ipvs_apply import apply_plan, make_plan, same_rules, wants_thresholds
from ansible_collections.lvs.ha.plugins.module_utils.ipvs_diff import merge
from ansible_collections.lvs.ha.plugins.module_utils.ipvs_errors import IpvsError, IpvsValidationError
from ansible_collections.lvs.ha.plugins.module_utils.ipvs_parser import parse_save
from ansible_collections.lvs.ha.plugins.module_utils.ipvs_render import render_text
from ansible_collections.lvs.ha.plugins.module_utils.ipvs_runner import IpvsadmRunner
from ansible_collections.lvs.ha.plugins.module_utils.ipvs_spec import services_option
from ansible_collections.lvs.ha.plugins.module_utils.ipvs_validate import table_from_params, validate_table


def services_from_json(value):
    """services_json decoded: a list of dicts, or IpvsValidationError. A list is taken as it is:
    ansible-core before 2.19 literal-evaluates templated text that looks like one."""
    if isinstance(value, list):
        services = value
    elif not isinstance(value, str):
        raise IpvsValidationError('services_json: must be JSON text (a list of services), got %s' % type(value).__name__)
    else:
        try:
            services = json.loads(value)
        except ValueError as exc:
            raise IpvsValidationError('services_json: not valid JSON: %s' % exc)
    if not isinstance(services, list):
        raise IpvsValidationError('services_json: must be a JSON list of services, got %s' % type(services).__name__)
    for index, item in enumerate(services):
        if not isinstance(item, dict):
            raise IpvsValidationError('services_json[%d]: must be a JSON object (a service), got %s'
                                      % (index, type(item).__name__))
    return services


def desired_table(params):
    """The validated desired table, from services, services_json or rules text."""
    if params['rules'] is not None:
        return validate_table(parse_save(params['rules'], source='rules'))
    if params['services_json'] is not None:
        return table_from_params(services_from_json(params['services_json']), origin='services_json',
                                 option=services_option())
    return table_from_params(params['services'], option=services_option())


def table_diff(plan):
    """before/after of the services that change, in save format."""
    touched = set(change.service.key for change in plan.changes)
    before = {key: svc for key, svc in plan.before.items() if key in touched}
    after = {key: svc for key, svc in plan.after.items() if key in touched}
    return {'before': render_text(before), 'after': render_text(after)}


def run_module(module):
    params = module.params
    desired = desired_table(params)
    runner = IpvsadmRunner(module)
    purge = params['purge']
    plan = make_plan(runner, lambda before: merge(before, desired, purge, purge), wants_thresholds(desired),
                     unchanged=lambda text: same_rules(text, desired, purge))
    if not module.check_mode:
        apply_plan(runner, plan)
    result = dict(changed=bool(plan.changes), commands=plan.lines)
    if module._diff:
        result['diff'] = table_diff(plan)
    return result


def main():
    module = AnsibleModule(
        argument_spec=dict(
            # The suboptions documented above are checked by ipvs_validate.OptionsChecker, not here.
            services=dict(type='list', elements='dict'),
            rules=dict(type='str'),
            services_json=dict(type='raw'),
            purge=dict(type='bool', default=False),
        ),
        mutually_exclusive=[['services', 'rules', 'services_json']],
        required_one_of=[['services', 'rules', 'services_json']],
        supports_check_mode=True,
    )
    try:
        result = run_module(module)
    except IpvsError as exc:
        module.fail_json(msg=exc.msg, **exc.details)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
