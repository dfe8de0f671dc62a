# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Documentation the ipvs modules share (the argument specs are shared in module_utils/ipvs_spec.py).

- ``lvs.ha.ipvs``: the requirements of every ipvs module.
- ``lvs.ha.ipvs.SERVICE``: one virtual service and its real servers, as top-level options (ipvs_virtual_server).
- ``lvs.ha.ipvs.SERVICES``: the same as the suboptions of ``services`` (ipvs_table, which documents
  ``services`` itself; Ansible merges the fragment's keys into the module's option).
- ``lvs.ha.ipvs.VIRTUAL_SERVER``: the suboptions naming the service of ``virtual_server`` (ipvs_real_server).
- ``lvs.ha.ipvs.REAL_SERVER``: one real server as top-level options, except ``forwarding`` and ``weight``,
  whose unset values mean "keep the live one" there (ipvs_real_server documents those two).

The options are written once below; ``@`` in ``O(@name)`` stands for the path of the option's siblings
(``services[].``, ``real_servers[].``, ...), so each module's references point at its own options.
"""

from __future__ import annotations

import textwrap


class ModuleDocFragment:

    DOCUMENTATION = r"""
options: {}
requirements:
  - ipvsadm 1.31 or later on the target, and a kernel with IPVS (C(ip_vs)).
  - Root, or the CAP_NET_ADMIN capability.
"""


_SERVICE_IDENTITY = r"""
protocol:
  description:
    - Transport protocol of the service. Defaults to C(tcp) for a service with an O(@address).
    - Not used with O(@fwmark).
  type: str
  choices: [tcp, udp, sctp]
address:
  description:
    - Virtual IP address, IPv4 or IPv6. Host names are refused.
    - IPv4-mapped IPv6 addresses (C(::ffff:192.0.2.10)) are refused, IPVS cannot serve them; give the IPv4 address.
    - Either O(@address) with O(@port), or O(@fwmark).
  type: str
port:
  description:
    - Virtual port, 1 to 65535. Required with O(@address).
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
"""

_SERVICE_SETTINGS = r"""
scheduler:
  description:
    - Scheduling algorithm.
  type: str
  choices: [rr, wrr, lc, wlc, lblc, lblcr, dh, sh, sed, nq, fo, ovf, mh]
  default: wlc
scheduler_flags:
  description:
    - Flags of the C(sh) and C(mh) schedulers; C(sh-*) flags need O(@scheduler=sh), C(mh-*) flags need
      O(@scheduler=mh).
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
      service, a prefix length (C(64)) for an IPv6 service. Needs O(@persistence_timeout).
  type: str
persistence_engine:
  description:
    - Alternative persistence engine of a persistent service; C(sip) keeps a SIP client on one real server by its
      Call-ID. Needs O(@persistence_timeout) and the kernel module C(ip_vs_pe_sip). Omit for the default
      (source address).
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
"""

_REAL_SERVER = r"""
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
upper_threshold:
  description:
    - Upper connection threshold (C(0) is no limit). Unset keeps the live value.
  type: int
lower_threshold:
  description:
    - Lower connection threshold, not above O(@upper_threshold). Unset keeps the live value.
  type: int
tunnel_type:
  description:
    - Encapsulation of a C(tun) real server (default C(ipip)).
  type: str
  choices: [ipip, gue, gre]
tunnel_port:
  description:
    - Destination port of a C(gue) tunnel. Required with O(@tunnel_type=gue).
  type: int
tunnel_checksum:
  description:
    - Checksum mode of a C(gue) or C(gre) tunnel (default C(nocsum)).
  type: str
  choices: [nocsum, csum, remcsum]
"""

# forwarding and weight of a real server declared in a service: ipvsadm's defaults apply when unset.
_REAL_SERVER_DEFAULTS = r"""
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
"""

_THRESHOLDS_NOTE = r"""
notes:
  - ipvsadm does not save thresholds; they are read with C(ipvsadm -L -n --thresholds) only when needed.
"""


def _block(text, path, depth):
    """text with ``O(@`` pointing at path, indented for depth levels of nesting (two spaces each)."""
    return textwrap.indent(text.strip('\n').replace('O(@', 'O(' + path), '  ' * depth) + '\n'


def _service(path, depth):
    """A service's options and its real servers' (suboptions of real_servers), sibling paths under path."""
    servers = path + 'real_servers[].'
    return (_block(_SERVICE_IDENTITY, path, depth) + _block(_SERVICE_SETTINGS, path, depth)
            + _block(_REAL_SERVER + _REAL_SERVER_DEFAULTS, servers, depth + 2))


# Assigned here rather than in the class body: ansible-test's yamllint reads only literal strings there.
# ansible-doc and validate-modules read these, merged into each module's documentation.
ModuleDocFragment.SERVICE = 'options:\n' + _service('', 1) + _THRESHOLDS_NOTE
ModuleDocFragment.SERVICES = 'options:\n  services:\n    suboptions:\n' + _service('services[].', 3) + _THRESHOLDS_NOTE
ModuleDocFragment.VIRTUAL_SERVER = ('options:\n  virtual_server:\n    suboptions:\n'
                                    + _block(_SERVICE_IDENTITY, 'virtual_server.', 3))
ModuleDocFragment.REAL_SERVER = 'options:\n' + _block(_REAL_SERVER, '', 1)
