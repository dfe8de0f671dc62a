#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: keepalived_info
short_description: Read keepalived's version, config test and VRRP instance states
version_added: 0.1.0
description:
  - Returns the keepalived version, the result of C(keepalived -t) on its configuration (unless
    O(config_test=false)), and for each VRRP instance its state (MASTER, BACKUP, FAULT), base and effective
    priority and virtual IPs.
  - The states come from keepalived's JSON dump, which the running keepalived writes when it receives the
    signal named by C(keepalived --signum=JSON). Nothing else is changed.
author:
  - lvs.ha developers (@lvs-ha)
requirements:
  - keepalived 2.0 or later built with JSON support (Debian's and Ubuntu's are).
  - Root, to signal keepalived and read its dump.
extends_documentation_fragment:
  - lvs.ha._attributes
  - lvs.ha._attributes.INFO_MODULE
  - lvs.ha._attributes.PLATFORM
  - lvs.ha.keepalived
options:
  config:
    description: The configuration file checked with C(keepalived -t -f).
    type: path
    default: /etc/keepalived/keepalived.conf
  config_test:
    description:
      - Check O(config) with C(keepalived -t -f), which starts a keepalived process that parses the whole
        configuration.
      - V(false) skips the check, for a task that polls the VRRP states (every second while a switchover
        moves the VIPs); RV(config_ok) and RV(config_errors) are then not returned.
    type: bool
    default: true
    version_added: 0.2.0
  vrrp:
    description:
      - V(false) for a keepalived that runs no VRRP instance (the director role's C(director_mode=ecmp)). Only
        its VRRP process writes the JSON dump, so none is asked for and RV(instances) is empty.
    type: bool
    default: true
    version_added: 0.3.0
seealso:
  - module: lvs.ha.ipvs_info
"""

EXAMPLES = r"""
- name: Read the VRRP states
  lvs.ha.keepalived_info:
  register: keepalived

- name: Fail unless this director is MASTER of every instance
  ansible.builtin.assert:
    that: keepalived.instances | rejectattr('state', 'eq', 'MASTER') | list | length == 0

- name: Wait until this director is MASTER of no instance (a peer took them), without a config check each try
  lvs.ha.keepalived_info:
    config_test: false
  register: keepalived
  until: keepalived.instances | selectattr('state', 'eq', 'MASTER') | list | length == 0
  retries: 30
  delay: 1
"""

RETURN = r"""
version:
  description: The keepalived version.
  returned: always
  type: str
  sample: 2.2.7
config_ok:
  description: Whether C(keepalived -t) accepts the configuration.
  returned: when O(config_test=true)
  type: bool
config_errors:
  description: What C(keepalived -t) printed about the configuration, one line per element.
  returned: when O(config_test=true)
  type: list
  elements: str
  sample: ["(/etc/keepalived/keepalived.conf: Line 3) Unknown keyword 'bogus'"]
running:
  description: Whether keepalived runs (its pid file names a live process).
  returned: always
  type: bool
pid:
  description: The pid of keepalived's main process; null when it does not run.
  returned: always
  type: int
instances:
  description: The VRRP instances, sorted by name; empty when keepalived does not run.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The instance name.
      type: str
      sample: VI_1
    state:
      description: C(MASTER), C(BACKUP), C(FAULT) or C(INIT).
      type: str
      sample: MASTER
    wanted_state:
      description: The state keepalived is moving to.
      type: str
    vrid:
      description: The virtual router id.
      type: int
    interface:
      description: The interface VRRP runs on.
      type: str
    version:
      description: The VRRP version, 2 or 3.
      type: int
    base_priority:
      description: The configured priority.
      type: int
    effective_priority:
      description: The priority after track scripts, interfaces and files adjusted it.
      type: int
    advert_interval:
      description: Seconds between adverts.
      type: float
    nopreempt:
      description: Whether the instance does not preempt a lower-priority master.
      type: bool
    preempt_delay:
      description: Seconds to wait before preempting.
      type: int
    last_transition:
      description: Time of the last state change, in seconds since the epoch.
      type: float
    vips:
      description: The virtual IPs with their prefix length.
      type: list
      elements: str
      sample: ["192.0.2.10/24"]
    vips_set:
      description: Whether the virtual IPs are set on this host (true on the master).
      type: bool
    stats:
      description: Advert counters and transitions (C(become_master), C(release_master), ...).
      type: dict
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.lvs.ha.plugins.module_utils.keepalived_json import KeepalivedDumpError, parse_dump
from ansible_collections.lvs.ha.plugins.module_utils.keepalived_runner import RUNNER_OPTIONS, KeepalivedRunner


def gather(runner, params):
    facts = dict(version=runner.version())
    if params['config_test']:
        facts['config_ok'], facts['config_errors'] = runner.config_test(params['config'])
    pid = runner.main_pid()
    instances = parse_dump(runner.read_dump(pid, params['timeout'])) if pid and params['vrrp'] else []
    facts.update(running=pid is not None, pid=pid, instances=instances)
    return facts


def main():
    module = AnsibleModule(
        argument_spec=dict(
            config=dict(type='path', default='/etc/keepalived/keepalived.conf'),
            config_test=dict(type='bool', default=True),
            vrrp=dict(type='bool', default=True),
            **RUNNER_OPTIONS
        ),
        supports_check_mode=True,
    )
    runner = KeepalivedRunner(module, module.params['pid_file'], module.params['dump_file'])
    try:
        facts = gather(runner, module.params)
    except KeepalivedDumpError as exc:
        module.fail_json(msg=str(exc))
    module.exit_json(changed=False, **facts)


if __name__ == '__main__':
    main()
