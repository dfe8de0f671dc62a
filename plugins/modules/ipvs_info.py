#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: ipvs_info
short_description: Read the live IPVS state as structured data
version_added: 0.1.0
description:
  - Returns the virtual services and their real servers with weights, flags, thresholds, active and inactive
    connections, packet and byte counters and rates, the connection timeouts and the sync daemons.
  - Reads the machine formats of ipvsadm (C(-S -n), C(-L -n --exact --stats), C(--rate), C(--thresholds),
    C(--timeout), C(--daemon)); nothing is changed.
author:
  - lvs.ha developers (@lvs-ha)
extends_documentation_fragment:
  - lvs.ha._attributes
  - lvs.ha.ipvs
  - lvs.ha._attributes.INFO_MODULE
  - lvs.ha._attributes.PLATFORM
options: {}
notes:
  - The kernel updates the counters and rates on a timer, about every two seconds.
seealso:
  - module: lvs.ha.ipvs_table
"""

EXAMPLES = r"""
- name: Read the IPVS state
  lvs.ha.ipvs_info:
  register: ipvs

- name: Show the active connections of every real server
  ansible.builtin.debug:
    msg: "{{ item.0.key }} -> {{ item.1.address }}:{{ item.1.port }}: {{ item.1.active_connections }}"
  loop: "{{ ipvs.services | subelements('real_servers') }}"
"""

RETURN = r"""
services:
  description: The virtual services, in the order of C(ipvsadm -S -n).
  returned: always
  type: list
  elements: dict
  contains:
    key:
      description: The service as ipvsadm names it on the command line.
      type: str
      sample: "-t 192.0.2.10:80"
    protocol:
      description: C(tcp), C(udp) or C(sctp); null for a firewall-mark service.
      type: str
      sample: tcp
    address:
      description: Virtual address; null for a firewall-mark service.
      type: str
      sample: 192.0.2.10
    port:
      description: Virtual port; null for a firewall-mark service.
      type: int
      sample: 80
    fwmark:
      description: Firewall mark; null for an address service.
      type: int
      sample: null
    family:
      description: C(ipv4) or C(ipv6).
      type: str
      sample: ipv4
    scheduler:
      description: Scheduling algorithm.
      type: str
      sample: wlc
    scheduler_flags:
      description: Scheduler flags.
      type: list
      elements: str
      sample: []
    persistence_timeout:
      description: Persistence timeout in seconds; null when not persistent.
      type: int
      sample: 300
    persistence_netmask:
      description: Persistence netmask (IPv4) or prefix length (IPv6); null for the default (one client address).
      type: str
      sample: 255.255.255.0
    one_packet:
      description: One-packet scheduling.
      type: bool
      sample: false
    persistence_engine:
      description: Persistence engine (for example C(sip)); null when none.
      type: str
      sample: null
    active_connections:
      description: Sum of the active connections of the real servers.
      type: int
      sample: 3
    inactive_connections:
      description: Sum of the inactive connections of the real servers.
      type: int
      sample: 12
    stats:
      description: Counters of the service since it was created or zeroed.
      type: dict
      sample: {connections: 15, incoming_packets: 120, outgoing_packets: 0, incoming_bytes: 9000, outgoing_bytes: 0}
    rates:
      description: Rates of the service per second.
      type: dict
      sample: {connections_per_second: 1, incoming_packets_per_second: 8, outgoing_packets_per_second: 0,
               incoming_bytes_per_second: 600, outgoing_bytes_per_second: 0}
    real_servers:
      description: The real servers with their settings, connections, counters and rates.
      type: list
      elements: dict
      sample:
        - address: 10.0.0.21
          port: 80
          forwarding: dr
          weight: 1
          upper_threshold: 0
          lower_threshold: 0
          tunnel_type: null
          tunnel_port: null
          tunnel_checksum: null
          active_connections: 3
          inactive_connections: 12
          stats: {connections: 15, incoming_packets: 120, outgoing_packets: 0, incoming_bytes: 9000, outgoing_bytes: 0}
          rates: {connections_per_second: 1, incoming_packets_per_second: 8, outgoing_packets_per_second: 0,
                  incoming_bytes_per_second: 600, outgoing_bytes_per_second: 0}
timeouts:
  description: Connection timeouts in seconds.
  returned: always
  type: dict
  sample: {tcp: 900, tcpfin: 120, udp: 300}
sync_daemons:
  description: The running connection sync daemons.
  returned: always
  type: list
  elements: dict
  sample: [{role: master, interface: eth0, syncid: 1, sync_maxlen: 1472, mcast_group: 224.0.0.81, mcast_port: 8848, mcast_ttl: 1}]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.lvs.ha.plugins.module_utils.ipvs_errors import IpvsError
from ansible_collections.lvs.ha.plugins.module_utils.ipvs_facts import gather
from ansible_collections.lvs.ha.plugins.module_utils.ipvs_runner import IpvsadmRunner


def main():
    module = AnsibleModule(argument_spec={}, supports_check_mode=True)
    try:
        result = gather(IpvsadmRunner(module))
    except IpvsError as exc:
        module.fail_json(msg=exc.msg, **exc.details)
    module.exit_json(changed=False, **result)


if __name__ == '__main__':
    main()
