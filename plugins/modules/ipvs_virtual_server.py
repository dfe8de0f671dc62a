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
requirements:
  - ipvsadm 1.31 or later on the target, and a kernel with IPVS (C(ip_vs)).
  - Root, or the CAP_NET_ADMIN capability.
extends_documentation_fragment:
  - lvs.ha._attributes
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
  protocol:
    description:
      - Transport protocol of the service. Defaults to C(tcp) for a service with an O(address).
      - Not used with O(fwmark).
    type: str
    choices: [tcp, udp, sctp]
  address:
    description:
      - Virtual IP address, IPv4 or IPv6. Host names are refused.
      - IPv4-mapped IPv6 addresses (C(::ffff:192.0.2.10)) are refused, IPVS cannot serve them; give the IPv4 address.
      - Either O(address) with O(port), or O(fwmark).
    type: str
  port:
    description:
      - Virtual port, 1 to 65535. Required with O(address).
    type: int
  fwmark:
    description:
      - Firewall mark (1 to 4294967295) that selects the packets of this service instead of an address and port.
    type: int
  family:
    description:
      - Address family of a firewall-mark service (default C(ipv4)). For an address service it is derived from
        the address; if given, it must match.
    type: str
    choices: [ipv4, ipv6]
  scheduler:
    description:
      - Scheduling algorithm.
    type: str
    choices: [rr, wrr, lc, wlc, lblc, lblcr, dh, sh, sed, nq, fo, ovf, mh]
    default: wlc
  scheduler_flags:
    description:
      - Flags of the C(sh) and C(mh) schedulers; C(sh-*) flags need O(scheduler=sh), C(mh-*) flags need O(scheduler=mh).
    type: list
    elements: str
    choices: [sh-fallback, sh-port, mh-fallback, mh-port]
    default: []
  persistence_timeout:
    description:
      - Makes the service persistent, with this timeout in seconds (1 to 2678400). Omit for a non-persistent service.
    type: int
  persistence_netmask:
    description:
      - Granularity of persistence. A dotted netmask (C(255.255.255.0)) or a prefix length (C(24)) for an IPv4
        service, a prefix length (C(64)) for an IPv6 service. Needs O(persistence_timeout).
    type: str
  persistence_engine:
    description:
      - Alternative persistence engine of a persistent service; C(sip) keeps a SIP client on one real server by its
        Call-ID. Needs O(persistence_timeout) and the kernel module C(ip_vs_pe_sip). Omit for the default (source address).
    type: str
    choices: [sip]
  one_packet:
    description:
      - One-packet scheduling, for UDP or firewall-mark services.
    type: bool
    default: false
  real_servers:
    description:
      - Real servers of the service. When omitted, the real servers of an existing service are left as they are.
      - Real servers not listed are removed only with O(purge=true).
    type: list
    elements: dict
    suboptions:
      address:
        description:
          - Address of the real server, IPv4 or IPv6 (another family than the service only with C(tun)).
          - IPv4-mapped IPv6 addresses (C(::ffff:192.0.2.10)) are refused, IPVS cannot serve them; give the IPv4 address.
        type: str
        required: true
      port:
        description:
          - Port of the real server. Defaults to the service port (C(0) for a firewall-mark service).
          - With C(dr) and C(tun) it must equal the service port; only C(nat) can change it.
        type: int
      forwarding:
        description:
          - Forwarding method, direct routing (C(dr)), masquerading (C(nat)) or IP tunnelling (C(tun)).
        type: str
        choices: [dr, nat, tun]
        default: dr
      weight:
        description:
          - Weight, 0 to 65535. C(0) drains the server (no new connections).
        type: int
        default: 1
      upper_threshold:
        description:
          - Upper connection threshold (C(0) is no limit). Unset keeps the live value.
        type: int
      lower_threshold:
        description:
          - Lower connection threshold, not above O(real_servers[].upper_threshold). Unset keeps the live value.
        type: int
      tunnel_type:
        description:
          - Encapsulation of a C(tun) real server (default C(ipip)).
        type: str
        choices: [ipip, gue, gre]
      tunnel_port:
        description:
          - Destination port of a C(gue) tunnel. Required with O(real_servers[].tunnel_type=gue).
        type: int
      tunnel_checksum:
        description:
          - Checksum mode of a C(gue) or C(gre) tunnel (default C(nocsum)).
        type: str
        choices: [nocsum, csum, remcsum]
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
notes:
  - ipvsadm does not save thresholds; they are read with C(ipvsadm -L -n --thresholds) only when needed.
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
