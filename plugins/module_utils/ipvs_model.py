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

SCHEDULERS = ('rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'fo', 'ovf', 'mh')
SCHEDULER_FLAGS = ('sh-fallback', 'sh-port', 'mh-fallback', 'mh-port')
PROTOCOLS = ('tcp', 'udp', 'sctp')
FORWARDING = ('dr', 'nat', 'tun')
TUNNEL_TYPES = ('ipip', 'gue', 'gre')
TUNNEL_CHECKSUMS = ('nocsum', 'csum', 'remcsum')
FAMILIES = ('ipv4', 'ipv6')
PERSISTENCE_ENGINES = ('sip',)

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


class RealServer:
    """One destination of a virtual service. None in a field means "not known/not managed"."""

    __slots__ = ('address', 'port', 'forwarding', 'weight', 'upper_threshold', 'lower_threshold',
                 'tunnel_type', 'tunnel_port', 'tunnel_checksum', 'origin')

    FIELDS = ('address', 'port', 'forwarding', 'weight', 'upper_threshold', 'lower_threshold',
              'tunnel_type', 'tunnel_port', 'tunnel_checksum')

    def __init__(self, address, port, forwarding=DEFAULT_FORWARDING, weight=DEFAULT_WEIGHT,
                 upper_threshold=None, lower_threshold=None, tunnel_type=None, tunnel_port=None,
                 tunnel_checksum=None, origin=None):
        self.address = address
        self.port = port
        self.forwarding = forwarding
        self.weight = weight
        self.upper_threshold = upper_threshold
        self.lower_threshold = lower_threshold
        self.tunnel_type = tunnel_type
        self.tunnel_port = tunnel_port
        self.tunnel_checksum = tunnel_checksum
        self.origin = origin

    @property
    def key(self):
        return hostport(self.address, self.port)

    @property
    def family(self):
        return 'ipv6' if ':' in self.address else 'ipv4'

    def copy(self, **changes):
        new = RealServer(**{name: getattr(self, name) for name in self.FIELDS + ('origin',)})
        for name, value in changes.items():
            setattr(new, name, value)
        return new

    def to_dict(self):
        return {name: getattr(self, name) for name in self.FIELDS}

    def __eq__(self, other):
        return isinstance(other, RealServer) and all(getattr(self, n) == getattr(other, n) for n in self.FIELDS)

    def __repr__(self):
        return 'RealServer(%s)' % self.to_dict()


class VirtualService:
    """One virtual service; ``real_servers`` maps real server keys to RealServer, or is None (unmanaged)."""

    __slots__ = ('protocol', 'address', 'port', 'fwmark', 'family', 'scheduler', 'scheduler_flags',
                 'persistence_timeout', 'persistence_netmask', 'one_packet', 'persistence_engine',
                 'real_servers', 'origin')

    FIELDS = ('protocol', 'address', 'port', 'fwmark', 'family', 'scheduler', 'scheduler_flags',
              'persistence_timeout', 'persistence_netmask', 'one_packet', 'persistence_engine')

    def __init__(self, protocol=None, address=None, port=None, fwmark=None, family='ipv4',
                 scheduler=DEFAULT_SCHEDULER, scheduler_flags=(), persistence_timeout=None,
                 persistence_netmask=None, one_packet=False, persistence_engine=None,
                 real_servers=None, origin=None):
        self.protocol = protocol
        self.address = address
        self.port = port
        self.fwmark = fwmark
        self.family = family
        self.scheduler = scheduler
        self.scheduler_flags = tuple(sorted(scheduler_flags))
        self.persistence_timeout = persistence_timeout
        self.persistence_netmask = persistence_netmask
        self.one_packet = one_packet
        self.persistence_engine = persistence_engine
        self.real_servers = real_servers
        self.origin = origin

    @property
    def key(self):
        if self.fwmark is not None:
            return '-f %d -6' % self.fwmark if self.family == 'ipv6' else '-f %d' % self.fwmark
        return '%s %s' % (PROTOCOL_SWITCH[self.protocol], hostport(self.address, self.port))

    def same_settings(self, other):
        """True when the service-level settings (not the real servers) are equal."""
        return all(getattr(self, n) == getattr(other, n) for n in self.FIELDS)

    def copy(self, real_servers=None):
        new = VirtualService(**{name: getattr(self, name) for name in self.FIELDS + ('origin',)})
        new.real_servers = real_servers
        return new

    def to_dict(self):
        result = {name: getattr(self, name) for name in self.FIELDS}
        result['scheduler_flags'] = list(self.scheduler_flags)
        result['real_servers'] = [rs.to_dict() for rs in (self.real_servers or {}).values()]
        return result

    def __eq__(self, other):
        return isinstance(other, VirtualService) and self.same_settings(other) and self.real_servers == other.real_servers

    def __repr__(self):
        return 'VirtualService(%s)' % self.to_dict()
