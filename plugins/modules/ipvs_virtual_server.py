#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: ipvs_virtual_server
short_description: Manage one IPVS virtual service and its real servers
version_added: 0.1.0
description:
  - Creates, updates or removes one IPVS virtual service (an address, port and protocol, or a firewall mark),
    with its scheduler, scheduler flags, persistence and, optionally, its real servers.
  - Compares with the live table read by C(ipvsadm -S -n) and applies only the difference, in one
    C(ipvsadm -R) process; if that fails midway, the previous state is put back.
  - Input is validated before ipvsadm runs; the message of a failure names the field and the fix.
author:
  - lvs.ha developers (@lvs-ha)
extends_documentation_fragment:
  - lvs.ha._attributes
  - lvs.ha.ipvs
  - lvs.ha.ipvs.SERVICE
  - lvs.ha._attributes.PLATFORM
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details:
      - The diff shows the service and its real servers in save format, before and after.
  idempotent:
    support: full
options:
  purge:
    description:
      - Remove the real servers of the service that O(real_servers) does not list. Needs O(real_servers).
    type: bool
    default: false
  state:
    description:
      - C(present) creates or updates the service, C(absent) removes it with its real servers.
    type: str
    choices: [present, absent]
    default: present
seealso:
  - module: lvs.ha.ipvs_real_server
  - module: lvs.ha.ipvs_table
  - module: lvs.ha.ipvs_info
"""

EXAMPLES = r"""
- name: A persistent HTTPS service, DR to two real servers, nothing else behind it
  lvs.ha.ipvs_virtual_server:
    address: 192.0.2.10
    port: 443
    scheduler: wlc
    persistence_timeout: 600
    persistence_netmask: 255.255.255.0
    real_servers:
      - address: 10.0.0.21
      - address: 10.0.0.22
        weight: 2
    purge: true

- name: A firewall-mark service with source hashing that falls back when a server is overloaded
  lvs.ha.ipvs_virtual_server:
    fwmark: 7
    scheduler: sh
    scheduler_flags: [sh-fallback, sh-port]

- name: A NAT service to another port
  lvs.ha.ipvs_virtual_server:
    protocol: udp
    address: 192.0.2.10
    port: 53
    scheduler: rr
    real_servers:
      - address: 10.0.0.21
        port: 5353
        forwarding: nat

- name: Remove a service
  lvs.ha.ipvs_virtual_server:
    address: 192.0.2.10
    port: 443
    state: absent
"""

RETURN = r"""
commands:
  description: The restore lines fed to C(ipvsadm -R) (or that would be, in check mode), in order.
  returned: always
  type: list
  elements: str
  sample: ["-A -t 192.0.2.10:443 -s wlc -p 600 -M 255.255.255.0", "-a -t 192.0.2.10:443 -r 10.0.0.21:443 -g -w 1"]
service:
  description: The service after the task (in check mode, as it would be); null when it is absent.
  returned: success
  type: dict
  sample:
    protocol: tcp
    address: 192.0.2.10
    port: 443
    fwmark: null
    family: ipv4
    scheduler: wlc
    scheduler_flags: []
    persistence_timeout: 600
    persistence_netmask: 255.255.255.0
    one_packet: false
    persistence_engine: null
    real_servers:
      - {address: 10.0.0.21, port: 443, forwarding: dr, weight: 1, upper_threshold: null, lower_threshold: null,
         tunnel_type: null, tunnel_port: null, tunnel_checksum: null}
failing_rule:
  description: The first restore line that did not take effect when the batch failed midway.
  returned: failure of the batch
  type: str
restored:
  description: Whether the previous table was put back after the batch failed midway.
  returned: failure of the batch
  type: bool
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.lvs.ha.plugins.module_utils.ipvs_apply import apply_plan, make_plan, wants_thresholds
from ansible_collections.lvs.ha.plugins.module_utils.ipvs_diff import merge
from ansible_collections.lvs.ha.plugins.module_utils.ipvs_errors import IpvsError
from ansible_collections.lvs.ha.plugins.module_utils.ipvs_render import render_text
from ansible_collections.lvs.ha.plugins.module_utils.ipvs_runner import IpvsadmRunner
from ansible_collections.lvs.ha.plugins.module_utils.ipvs_spec import (
    SERVICE_MUTUALLY_EXCLUSIVE,
    SERVICE_REQUIRED_ONE_OF,
    SERVICE_REQUIRED_TOGETHER,
    service_options,
)
from ansible_collections.lvs.ha.plugins.module_utils.ipvs_validate import service_from_params


def builder(svc, state, purge):
    """The function computing the table after, from the table before."""
    if state == 'absent':
        return lambda before: merge(before, {}, absent=[svc.key])
    return lambda before: merge(before, {svc.key: svc}, purge_servers=purge)


def run_module(module):
    params = module.params
    svc = service_from_params(params, origin='')
    runner = IpvsadmRunner(module)
    wanted = svc.real_servers is not None and wants_thresholds({svc.key: svc})
    plan = make_plan(runner, builder(svc, params['state'], params['purge']), wanted)
    if not module.check_mode:
        apply_plan(runner, plan)
    before, after = plan.before.get(svc.key), plan.after.get(svc.key)
    result = dict(changed=bool(plan.changes), commands=plan.lines, service=after.to_dict() if after else None)
    if module._diff:
        result['diff'] = {'before': render_text({svc.key: before} if before else {}),
                          'after': render_text({svc.key: after} if after else {})}
    return result


def main():
    spec = service_options()
    spec.update(purge=dict(type='bool', default=False),
                state=dict(type='str', choices=['present', 'absent'], default='present'))
    module = AnsibleModule(
        argument_spec=spec,
        mutually_exclusive=SERVICE_MUTUALLY_EXCLUSIVE,
        required_one_of=SERVICE_REQUIRED_ONE_OF,
        required_together=SERVICE_REQUIRED_TOGETHER,
        required_if=[['purge', True, ['real_servers']]],
        supports_check_mode=True,
    )
    try:
        result = run_module(module)
    except IpvsError as exc:
        module.fail_json(msg=exc.msg, **exc.details)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
