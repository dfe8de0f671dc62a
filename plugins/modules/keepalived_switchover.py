#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: keepalived_switchover
short_description: Hand a director's VIPs to its peer and take them back, without restarting keepalived
version_added: 0.2.0
description:
  - Writes the number of the C(vrrp_track_file) every VRRP instance of the director tracks with weight 1
    (the P(lvs.ha.director#role) role declares it, see its C(director_switchover_file)). keepalived adds the
    number to the priority of each instance as soon as the file changes.
  - O(state=backup) writes C(-253). The effective priority falls to 1, a peer with a higher priority takes the
    VIPs over (it preempts), and this director stays a backup, ready for a failover.
    O(state=normal) writes C(0) and the configured priorities apply again.
  - The P(lvs.ha.director#role) role's C(switchover) entry point and C(playbooks/switchover.yml) call the two
    moves C(away) (O(state=backup) on the director that gives its VIPs away) and C(back) (O(state=normal)).
  - Waits until keepalived reports the result in its JSON dump and returns the state it leaves behind.
    When no peer takes over within O(wait_timeout), the file gets its previous number back and the task fails,
    so the director keeps serving.
author:
  - lvs.ha developers (@lvs-ha)
requirements:
  - keepalived 2.0 or later built with JSON support (Debian's and Ubuntu's are).
  - Root, to write the track file, signal keepalived and read its dump.
extends_documentation_fragment:
  - lvs.ha._attributes
  - lvs.ha._attributes.PLATFORM
  - lvs.ha.keepalived
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  idempotent:
    support: full
options:
  state:
    description:
      - C(backup) lowers this director's priority so that a peer becomes MASTER of every instance;
        C(normal) restores the configured priorities (a preempting director of higher priority takes its VIPs back).
    type: str
    choices: [backup, normal]
    default: backup
  file:
    description: The track file declared in C(keepalived.conf).
    type: path
    default: /etc/keepalived/lvs-ha-switchover
  instances:
    description:
      - The VRRP instances that must reach the result; all instances of the director when empty.
    type: list
    elements: str
    default: []
  wait:
    description:
      - Wait until keepalived reports the result; with O(state=backup), until each instance is BACKUP and its VIPs
        are gone from this director; with O(state=normal), until keepalived has applied the restored priority.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait with O(wait=true).
    type: float
    default: 30
notes:
  - A peer configured with C(nopreempt) does not take over from a master of lower priority; use it only
    where the peers preempt (the role's default).
seealso:
  - module: lvs.ha.keepalived_info
"""

EXAMPLES = r"""
- name: Hand the VIPs of director1 to its peer before patching it
  lvs.ha.keepalived_switchover:
    state: backup
  register: switchover

- name: Back to the configured priorities
  lvs.ha.keepalived_switchover:
    state: normal
"""

RETURN = r"""
value:
  description: The number in the track file after the task.
  returned: success
  type: int
  sample: -253
previous_value:
  description: The number in the track file before the task.
  returned: success
  type: int
  sample: 0
waited:
  description: Seconds spent waiting for keepalived.
  returned: when O(wait=true), something changed and not in check mode
  type: float
  sample: 1.8
instances:
  description: The VRRP instances as the task leaves them, as M(lvs.ha.keepalived_info) returns them.
  returned: success
  type: list
  elements: dict
  sample:
    - name: VI_1
      state: BACKUP
      base_priority: 200
      effective_priority: 1
      vips: ["192.0.2.10/24"]
      vips_set: false
"""

import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.lvs.ha.plugins.module_utils.keepalived_json import KeepalivedDumpError, parse_dump
from ansible_collections.lvs.ha.plugins.module_utils.keepalived_runner import RUNNER_OPTIONS, KeepalivedRunner

# Added to every priority: any base of 1-254 falls to 1 (keepalived clamps), below every peer.
VALUES = {'backup': -253, 'normal': 0}
POLL_SECONDS = 0.5


class SwitchoverError(Exception):
    pass


def read_value(path):
    try:
        with open(path) as handle:
            text = handle.read().strip()
    except OSError as exc:
        raise SwitchoverError('file: cannot read %s (%s); keepalived tracks it only when the lvs.ha.director role '
                              'rendered keepalived.conf with director_switchover_file set' % (path, exc.strerror))
    try:
        return int(text or '0')
    except ValueError:
        raise SwitchoverError('file: %s holds %r, not a number; write 0 into it to restore normal priorities' % (path, text))


def write_value(path, value):
    # In place, not renamed: keepalived watches the file with inotify (IN_CLOSE_WRITE).
    with open(path, 'w') as handle:
        handle.write('%d\n' % value)


def selected(instances, names):
    unknown = sorted(set(names) - set(i['name'] for i in instances))
    if unknown:
        raise SwitchoverError('instances: %s not found; this keepalived runs %s'
                              % (', '.join(unknown), ', '.join(i['name'] for i in instances) or 'no VRRP instance'))
    return [i for i in instances if not names or i['name'] in names]


def reached(state, before, now):
    """Has keepalived applied the new number to every instance of now?"""
    if state == 'backup':
        return all(i['state'] == 'BACKUP' and not i['vips_set'] for i in now)
    previous = {i['name']: i['effective_priority'] for i in before}
    return all(i['effective_priority'] != previous.get(i['name']) or i['effective_priority'] == i['base_priority'] for i in now)


def describe(instances):
    return ', '.join('%s %s (priority %s of %s)' % (i['name'], i['state'], i['effective_priority'], i['base_priority'])
                     for i in instances)


def switchover(module, runner):
    params = module.params
    pid = runner.main_pid()
    if pid is None:
        raise SwitchoverError('keepalived is not running (no live process in %s); start it first' % params['pid_file'])
    previous = read_value(params['file'])
    value = VALUES[params['state']]

    def dump():
        return selected(parse_dump(runner.read_dump(pid, params['timeout'])), params['instances'])

    before = dump()
    result = dict(changed=previous != value, value=value, previous_value=previous, instances=before)
    if module._diff:
        result['diff'] = dict(before='%d\n' % previous, after='%d\n' % value, before_header=params['file'],
                              after_header=params['file'])
    if not result['changed'] or module.check_mode:
        return result
    write_value(params['file'], value)
    if not params['wait']:
        return result
    started = time.time()
    while True:
        now = dump()
        waited = round(time.time() - started, 1)
        if reached(params['state'], before, now):
            result.update(instances=now, waited=waited)
            return result
        if waited >= params['wait_timeout'] and params['state'] == 'backup':
            write_value(params['file'], previous)   # nobody took over: stay the master at full priority
            raise SwitchoverError(
                'no peer took the VIPs over within %s s: %s. Is a peer director running keepalived with these '
                'instances, preempting? %s holds %d again' % (params['wait_timeout'], describe(now), params['file'], previous))
        if waited >= params['wait_timeout']:
            raise SwitchoverError('keepalived did not apply the number in %s within %s s: %s'
                                  % (params['file'], params['wait_timeout'], describe(now)))
        time.sleep(POLL_SECONDS)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            state=dict(type='str', choices=sorted(VALUES), default='backup'),
            file=dict(type='path', default='/etc/keepalived/lvs-ha-switchover'),
            instances=dict(type='list', elements='str', default=[]),
            wait=dict(type='bool', default=True),
            wait_timeout=dict(type='float', default=30),
            **RUNNER_OPTIONS
        ),
        supports_check_mode=True,
    )
    runner = KeepalivedRunner(module, module.params['pid_file'], module.params['dump_file'])
    try:
        result = switchover(module, runner)
    except (SwitchoverError, KeepalivedDumpError) as exc:
        module.fail_json(msg=str(exc))
    module.exit_json(**result)


if __name__ == '__main__':
    main()
