#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: ipvs_real_server
short_description: Add, remove, drain or return one real server of an IPVS virtual service
version_added: 0.1.0
description:
  - Manages one real server of an existing IPVS virtual service.
  - O(state=drained) sets the weight to C(0), so the scheduler sends it no new connections, and can wait
    until its active and inactive connections have ended; O(state=present) with O(weight) returns it.
  - Options left unset keep their live values (a new real server gets ipvsadm's defaults, C(dr) and weight C(1)).
  - Input is validated before ipvsadm runs; the message of a failure names the field and the fix.
author:
  - lvs.ha developers (@lvs-ha)
extends_documentation_fragment:
  - lvs.ha._attributes
  - lvs.ha.ipvs
  - lvs.ha.ipvs.VIRTUAL_SERVER
  - lvs.ha.ipvs.REAL_SERVER
  - lvs.ha._attributes.PLATFORM
attributes:
  check_mode:
    support: full
    details:
      - In check mode the module does not wait for connections to end.
  diff_mode:
    support: full
    details:
      - The diff shows the real server's rule in save format, before and after.
  idempotent:
    support: full
options:
  virtual_server:
    description:
      - The virtual service the real server belongs to; it must exist.
    type: dict
    required: true
    # suboptions: the doc fragment lvs.ha.ipvs.VIRTUAL_SERVER
  forwarding:
    description:
      - Forwarding method. Unset keeps the live value (C(dr) for a new real server).
    type: str
    choices: [dr, nat, tun]
  weight:
    description:
      - Weight, 0 to 65535. Unset keeps the live value (C(1) for a new real server). Ignored with O(state=drained).
    type: int
  state:
    description:
      - C(present) adds or updates the real server, C(absent) removes it, C(drained) sets its weight to C(0)
        (it must exist).
    type: str
    choices: [present, absent, drained]
    default: present
  wait:
    description:
      - With O(state=drained), wait until the real server has no active and no inactive connections.
    type: bool
    default: false
  wait_inactive:
    description:
      - With O(wait=true), also wait for the inactive connections (closed ones IPVS still tracks, for up to
        two minutes by default). V(false) waits for the active connections only, which is when no client is
        served any more.
    type: bool
    default: true
    version_added: 0.2.0
  wait_timeout:
    description:
      - Seconds to wait with O(wait=true); when they run out the task fails and says how many connections remain.
        The weight stays C(0).
    type: int
    default: 300
notes:
  - Inactive connections include ones in TIME_WAIT or FIN_WAIT, which IPVS keeps for up to two minutes by
    default; choose O(wait_timeout) accordingly.
seealso:
  - module: lvs.ha.ipvs_virtual_server
  - module: lvs.ha.ipvs_info
"""

EXAMPLES = r"""
- name: Drain real1 and wait until its connections have ended
  lvs.ha.ipvs_real_server:
    virtual_server: {address: 192.0.2.10, port: 80}
    address: 10.0.0.21
    state: drained
    wait: true
    wait_timeout: 180

- name: Return real1 with weight 2
  lvs.ha.ipvs_real_server:
    virtual_server: {address: 192.0.2.10, port: 80}
    address: 10.0.0.21
    weight: 2

- name: A NAT real server on another port of a UDP service
  lvs.ha.ipvs_real_server:
    virtual_server: {protocol: udp, address: 192.0.2.10, port: 53}
    address: 10.0.0.23
    port: 5353
    forwarding: nat

- name: Remove a real server of a firewall-mark service
  lvs.ha.ipvs_real_server:
    virtual_server: {fwmark: 7}
    address: 10.0.0.22
    state: absent
"""

RETURN = r"""
commands:
  description: The restore lines fed to C(ipvsadm -R) (or that would be, in check mode).
  returned: always
  type: list
  elements: str
  sample: ["-e -t 192.0.2.10:80 -r 10.0.0.21:80 -g -w 0"]
real_server:
  description: The real server after the task (in check mode, as it would be); null when absent.
  returned: success
  type: dict
  sample: {address: 10.0.0.21, port: 80, forwarding: dr, weight: 0, upper_threshold: null, lower_threshold: null,
           tunnel_type: null, tunnel_port: null, tunnel_checksum: null}
active_connections:
  description: Active connections of the real server when the module finished (or gave up) waiting.
  returned: when O(wait=true) and not in check mode
  type: int
  sample: 0
inactive_connections:
  description: Inactive connections of the real server when the module finished (or gave up) waiting.
  returned: when O(wait=true) and not in check mode
  type: int
  sample: 0
waited:
  description: Seconds spent waiting for the connections to end.
  returned: when O(wait=true) and not in check mode
  type: float
  sample: 12.5
"""

import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.lvs.ha.plugins.module_utils.ipvs_apply import apply_plan, make_plan, wants_thresholds
from ansible_collections.lvs.ha.plugins.module_utils.ipvs_diff import merge_server
from ansible_collections.lvs.ha.plugins.module_utils.ipvs_errors import IpvsError, IpvsTimeoutError
from ansible_collections.lvs.ha.plugins.module_utils.ipvs_render import add_server
from ansible_collections.lvs.ha.plugins.module_utils.ipvs_runner import IpvsadmRunner
from ansible_collections.lvs.ha.plugins.module_utils.ipvs_spec import (
    SERVER_REQUIRED_IF,
    SERVICE_MUTUALLY_EXCLUSIVE,
    SERVICE_REQUIRED_ONE_OF,
    SERVICE_REQUIRED_TOGETHER,
    real_server_options,
    service_identity,
)
from ansible_collections.lvs.ha.plugins.module_utils.ipvs_validate import server_from_params, service_from_params, validate_server

POLL_SECONDS = 1.0


def builder(svc, server, state):
    """The function computing the table after from the table before, for this real server and state."""
    def build(before):
        current = before.get(svc.key)
        if current is None:
            raise IpvsError('virtual_server: %s does not exist; create it first (lvs.ha.ipvs_virtual_server or '
                            'lvs.ha.ipvs_table)' % svc.key)
        servers = dict(current.real_servers)
        existing = servers.get(server.key)
        if state == 'absent':
            servers.pop(server.key, None)
        elif state == 'drained' and existing is None:
            raise IpvsError('address: %s is not a real server of %s, so there is nothing to drain; add it with '
                            'state: present first' % (server.key, svc.key))
        else:
            merged = merge_server(existing, server.copy(weight=0) if state == 'drained' else server)
            validate_server(merged, current, '')
            servers[server.key] = merged
        after = dict(before)
        after[svc.key] = current.copy(servers)
        return after
    return build


def wait_for_drain(runner, svc_key, server_key, timeout, inactive_too=True):
    """Poll the connection counters until they are 0; IpvsTimeoutError after timeout seconds."""
    started = time.time()
    while True:
        active, inactive = runner.connections(svc_key).get(server_key, (0, 0))
        waited = round(time.time() - started, 1)
        if active == 0 and (inactive == 0 or not inactive_too):
            return dict(active_connections=0, inactive_connections=inactive, waited=waited)
        if waited >= timeout:
            raise IpvsTimeoutError(
                'real server %s of %s still has %d active and %d inactive connections after %d s; its weight is 0 '
                '(drained). Raise wait_timeout, or end the connections' % (server_key, svc_key, active, inactive, timeout),
                active_connections=active, inactive_connections=inactive, waited=waited)
        time.sleep(POLL_SECONDS)


def run_module(module):
    params = module.params
    svc = service_from_params(params['virtual_server'], origin='virtual_server')
    server = server_from_params(params, svc, origin='')
    runner = IpvsadmRunner(module)
    plan = make_plan(runner, builder(svc, server, params['state']), wants_thresholds({svc.key: svc.copy({server.key: server})}))
    if not module.check_mode:
        apply_plan(runner, plan)
    before = plan.before[svc.key].real_servers.get(server.key)
    after = plan.after[svc.key].real_servers.get(server.key)
    result = dict(changed=bool(plan.changes), commands=plan.lines, real_server=after.to_dict() if after else None)
    if module._diff:
        result['diff'] = {'before': add_server(svc, before) + '\n' if before else '',
                          'after': add_server(svc, after) + '\n' if after else ''}
    if params['state'] == 'drained' and params['wait'] and not module.check_mode:
        try:
            result.update(wait_for_drain(runner, svc.key, server.key, params['wait_timeout'], params['wait_inactive']))
        except IpvsTimeoutError as exc:
            exc.details.update(changed=result['changed'], commands=result['commands'])
            raise
    return result


def main():
    spec = real_server_options(defaults=False)
    spec.update(
        virtual_server=dict(type='dict', required=True, options=service_identity(),
                            mutually_exclusive=SERVICE_MUTUALLY_EXCLUSIVE, required_one_of=SERVICE_REQUIRED_ONE_OF,
                            required_together=SERVICE_REQUIRED_TOGETHER),
        state=dict(type='str', choices=['present', 'absent', 'drained'], default='present'),
        wait=dict(type='bool', default=False),
        wait_inactive=dict(type='bool', default=True),
        wait_timeout=dict(type='int', default=300),
    )
    module = AnsibleModule(argument_spec=spec, required_if=SERVER_REQUIRED_IF, supports_check_mode=True)
    try:
        result = run_module(module)
    except IpvsError as exc:
        module.fail_json(msg=exc.msg, **exc.details)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
