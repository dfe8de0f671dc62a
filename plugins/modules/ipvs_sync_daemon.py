#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: ipvs_sync_daemon
short_description: Start and stop the IPVS connection synchronisation daemon
version_added: 0.1.0
description:
  - Starts or stops the kernel's connection sync daemon in the C(master) or C(backup) role, so a backup
    director knows the connections of the master when it takes over.
  - A daemon running with other settings is restarted with the ones given; settings left unset are not compared.
author:
  - lvs.ha developers (@lvs-ha)
extends_documentation_fragment:
  - lvs.ha._attributes
  - lvs.ha.ipvs
  - lvs.ha._attributes.PLATFORM
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details:
      - The diff shows the daemon line of C(ipvsadm -L --daemon), before and after.
  idempotent:
    support: full
options:
  role:
    description:
      - The daemon to manage; a director can run both.
    type: str
    choices: [master, backup]
    required: true
  state:
    description:
      - C(started) or C(stopped).
    type: str
    choices: [started, stopped]
    default: started
  interface:
    description:
      - Interface the sync messages are sent from (master) or received on (backup). Required with O(state=started).
    type: str
  syncid:
    description:
      - Sync ID, 0 to 255; a backup only accepts messages of its own ID (C(0) accepts any).
    type: int
  sync_maxlen:
    description:
      - Maximum length of a sync message in bytes.
    type: int
  mcast_group:
    description:
      - Multicast group (IPv4 or IPv6) of the sync messages, instead of the default 224.0.0.81.
    type: str
  mcast_port:
    description:
      - UDP port of the sync messages, 1 to 65535.
    type: int
  mcast_ttl:
    description:
      - Multicast TTL, 1 to 255.
    type: int
seealso:
  - module: lvs.ha.ipvs_info
"""

EXAMPLES = r"""
- name: Master sync daemon on the VRRP interface
  lvs.ha.ipvs_sync_daemon:
    role: master
    interface: eth0
    syncid: 10

- name: Backup daemon on the other director
  lvs.ha.ipvs_sync_daemon:
    role: backup
    interface: eth0
    syncid: 10

- name: Stop the master daemon
  lvs.ha.ipvs_sync_daemon:
    role: master
    state: stopped
"""

RETURN = r"""
daemon:
  description: The daemon of O(role) after the task (in check mode, as it would be); null when stopped.
  returned: success
  type: dict
  sample: {role: master, interface: eth0, syncid: 10, sync_maxlen: 1472, mcast_group: 224.0.0.81, mcast_port: 8848, mcast_ttl: 1}
commands:
  description: The ipvsadm argument lists run (or that would be, in check mode).
  returned: always
  type: list
  elements: list
  sample: [["--start-daemon", "master", "--mcast-interface", "eth0", "--syncid", "10"]]
"""

import ipaddress

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.lvs.ha.plugins.module_utils.ipvs_errors import IpvsError
from ansible_collections.lvs.ha.plugins.module_utils.ipvs_runner import IpvsadmRunner
from ansible_collections.lvs.ha.plugins.module_utils.ipvs_validate import check_port, check_range, fail

SETTINGS = (('interface', '--mcast-interface'), ('syncid', '--syncid'), ('sync_maxlen', '--sync-maxlen'),
            ('mcast_group', '--mcast-group'), ('mcast_port', '--mcast-port'), ('mcast_ttl', '--mcast-ttl'))


def validate(params):
    check_range(params['syncid'], 0, 255, '', 'syncid', 'give a sync ID from 0 to 255')
    check_range(params['sync_maxlen'], 1, 65507, '', 'sync_maxlen', 'give a length from 1 to 65507 bytes')
    check_port(params['mcast_port'], '', 'mcast_port')
    check_range(params['mcast_ttl'], 1, 255, '', 'mcast_ttl', 'give a TTL from 1 to 255')
    if params['mcast_group'] is not None:
        try:
            group = ipaddress.ip_address(params['mcast_group'])
        except ValueError:
            group = None
        if group is None or not group.is_multicast:
            fail('', 'mcast_group', '%r is not a multicast address; give one such as 224.0.0.81 or ff02::81'
                 % params['mcast_group'])
        params['mcast_group'] = str(group)


def describe(daemon):
    if not daemon:
        return ''
    settings = ', '.join('%s=%s' % (name, daemon[name]) for name, _switch in SETTINGS if daemon.get(name) is not None)
    return '%s sync daemon (%s)\n' % (daemon['role'], settings)


def plan(params, current):
    """(commands, daemon after) for the wanted state of one role, given the running daemon or None."""
    role = params['role']
    if params['state'] == 'stopped':
        return ([['--stop-daemon', role]], None) if current else ([], None)
    wanted = {name: params[name] for name, _switch in SETTINGS if params[name] is not None}
    if current and all(current.get(name) == value for name, value in wanted.items()):
        return [], current
    start = ['--start-daemon', role]
    for name, switch in SETTINGS:
        if name in wanted:
            start += [switch, str(wanted[name])]
    after = dict(current or {}, role=role, **wanted)
    return ([['--stop-daemon', role]] if current else []) + [start], after


def run_module(module):
    params = module.params
    validate(params)
    runner = IpvsadmRunner(module)
    current = next((d for d in runner.daemons() if d['role'] == params['role']), None)
    commands, after = plan(params, current)
    if not module.check_mode:
        for args in commands:
            runner.checked(args)
        if commands and after:
            after = next((d for d in runner.daemons() if d['role'] == params['role']), after)
    result = dict(changed=bool(commands), commands=commands, daemon=after)
    if module._diff:
        result['diff'] = {'before': describe(current), 'after': describe(after)}
    return result


def main():
    module = AnsibleModule(
        argument_spec=dict(
            role=dict(type='str', choices=['master', 'backup'], required=True),
            state=dict(type='str', choices=['started', 'stopped'], default='started'),
            interface=dict(type='str'),
            syncid=dict(type='int'),
            sync_maxlen=dict(type='int'),
            mcast_group=dict(type='str'),
            mcast_port=dict(type='int'),
            mcast_ttl=dict(type='int'),
        ),
        required_if=[['state', 'started', ['interface']]],
        supports_check_mode=True,
    )
    try:
        result = run_module(module)
    except IpvsError as exc:
        module.fail_json(msg=exc.msg, **exc.details)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
