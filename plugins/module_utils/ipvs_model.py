# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The IPVS table as plain Python objects: virtual services and their real servers.

A service is identified by its ipvsadm service argument (``-t 10.0.0.1:80``,
``-u [2001:db8::1]:53``, ``--sctp-service 10.0.0.1:3868``, ``-f 7``, ``-f 7 -6``),
a real server by ``address:port`` as ipvsadm prints it (``10.0.0.2:80``,
``[2001:db8::2]:80``). Those strings are the dictionary keys everywhere, so the
parser, the differ and the renderer never need to agree on anything else.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, replace

# __slots__ where dataclasses can make them (Python 3.10+): less memory for tables of 10 000 services.
SLOTS = {'slots': True} if sys.version_info >= (3, 10) else {}

SCHEDULERS = ('rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'fo', 'ovf', 'mh')
SCHEDULER_FLAGS = ('sh-fallback', 'sh-port', 'mh-fallback', 'mh-port')
PROTOCOLS = ('tcp', 'udp', 'sctp')
FORWARDING = ('dr', 'nat', 'tun')
TUNNEL_TYPES = ('ipip', 'gue', 'gre')
TUNNEL_CHECKSUMS = ('nocsum', 'csum', 'remcsum')
FAMILIES = ('ipv4', 'ipv6')
PERSISTENCE_ENGINES = ('sip',)
# keepalived's health checkers of a real server (the director role's checks).
CHECK_TYPES = ('TCP_CHECK', 'HTTP_GET', 'SSL_GET', 'MISC_CHECK', 'DNS_CHECK')

PROTOCOL_SWITCH = {'tcp': '-t', 'udp': '-u', 'sctp': '--sctp-service'}
SWITCH_PROTOCOL = {'-t': 'tcp', '-u': 'udp', '--sctp-service': 'sctp'}
FORWARDING_SWITCH = {'dr': '-g', 'nat': '-m', 'tun': '-i'}
SWITCH_FORWARDING = {'-g': 'dr', '-m': 'nat', '-i': 'tun'}

DEFAULT_SCHEDULER = 'wlc'
DEFAULT_WEIGHT = 1
DEFAULT_FORWARDING = 'dr'
MAX_PERSISTENCE = 86400 * 31


def hostport(address, port):
    """``10.0.0.1:80`` or ``[2001:db8::1]:80``, the way ipvsadm writes an endpoint."""
    if ':' in address:
        return '[%s]:%d' % (address, port)
    return '%s:%d' % (address, port)


def split_hostport(text):
    """Inverse of hostport(); returns (address, port) with the port as an int."""
    if text.startswith('['):
        address, _sep, port = text[1:].partition(']:')
    else:
        address, _sep, port = text.rpartition(':')
    return address, int(port)


@dataclass(**SLOTS)
class RealServer:
    """One destination of a virtual service. None in a field means "not known/not managed".

    ``origin`` says where the server was declared (for messages); it is not compared.
    """

    FIELDS = ('address', 'port', 'forwarding', 'weight', 'upper_threshold', 'lower_threshold',
              'tunnel_type', 'tunnel_port', 'tunnel_checksum')

    address: str
    port: int
    forwarding: str | None = DEFAULT_FORWARDING
    weight: int | None = DEFAULT_WEIGHT
    upper_threshold: int | None = None
    lower_threshold: int | None = None
    tunnel_type: str | None = None
    tunnel_port: int | None = None
    tunnel_checksum: str | None = None
    origin: str | None = field(default=None, compare=False, repr=False)

    @property
    def key(self):
        return hostport(self.address, self.port)

    @property
    def family(self):
        return 'ipv6' if ':' in self.address else 'ipv4'

    def copy(self, **changes):
        return replace(self, **changes)

    def to_dict(self):
        return {name: getattr(self, name) for name in self.FIELDS}


@dataclass(**SLOTS)
class VirtualService:
    """One virtual service; ``real_servers`` maps real server keys to RealServer, or is None (unmanaged).

    ``scheduler_flags`` is kept as a sorted tuple; ``origin`` (where it was declared) is not compared.
    """

    FIELDS = ('protocol', 'address', 'port', 'fwmark', 'family', 'scheduler', 'scheduler_flags',
              'persistence_timeout', 'persistence_netmask', 'one_packet', 'persistence_engine')

    protocol: str | None = None
    address: str | None = None
    port: int | None = None
    fwmark: int | None = None
    family: str = 'ipv4'
    scheduler: str = DEFAULT_SCHEDULER
    scheduler_flags: tuple = ()
    persistence_timeout: int | None = None
    persistence_netmask: str | None = None
    one_packet: bool = False
    persistence_engine: str | None = None
    real_servers: dict | None = None
    origin: str | None = field(default=None, compare=False, repr=False)

    def __post_init__(self):
        self.scheduler_flags = tuple(sorted(self.scheduler_flags))

    @property
    def key(self):
        if self.fwmark is not None:
            return '-f %d -6' % self.fwmark if self.family == 'ipv6' else '-f %d' % self.fwmark
        return '%s %s' % (PROTOCOL_SWITCH[self.protocol], hostport(self.address, self.port))

    def same_settings(self, other):
        """True when the service-level settings (not the real servers) are equal."""
        return all(getattr(self, n) == getattr(other, n) for n in self.FIELDS)

    def copy(self, real_servers=None):
        return replace(self, real_servers=real_servers)

    def to_dict(self):
        result = {name: getattr(self, name) for name in self.FIELDS}
        result['scheduler_flags'] = list(self.scheduler_flags)
        result['real_servers'] = [rs.to_dict() for rs in (self.real_servers or {}).values()]
        return result
