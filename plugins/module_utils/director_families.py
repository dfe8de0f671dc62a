# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Address families in a director's model: the mixes keepalived and IPVS cannot serve.

- A VRRP instance is IPv4 or IPv6 (RFC 5798: its adverts carry its own family's
  addresses); keepalived ignores a VIP of the other family with a warning and
  runs on without it. An instance's unicast source and peers are of its family.
- IPVS forwards between families by tunnelling only: an IPv6 service reaches an
  IPv4 real server (or the reverse) with TUN; DR and NAT need the same family.
- An IPv4-mapped IPv6 address (::ffff:192.0.2.10) is an IPv4 address written as
  IPv6: the kernel's IPv6 stack never sends from it on the wire, so it is refused
  wherever an address is given, with the plain IPv4 address as the fix.
"""

from __future__ import annotations

import ipaddress


def family(address):
    """4 or 6 for an address (a prefix length or keepalived options after it allowed), else None."""
    text = str(address).split()[0].split('/')[0] if str(address).split() else ''
    try:
        return ipaddress.ip_address(text).version
    except ValueError:
        return None


def mapped_ipv4(address):
    """The IPv4 address an IPv4-mapped IPv6 address stands for, else None."""
    text = str(address).split()[0].split('/')[0] if str(address).split() else ''
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return None
    return str(ip.ipv4_mapped) if ip.version == 6 and ip.ipv4_mapped else None


def mapped_errors(address, where):
    plain = mapped_ipv4(address)
    if plain is None:
        return []
    return ["%s: '%s' is an IPv4-mapped IPv6 address; write the IPv4 address %s" % (where, address, plain)]


def instance_family_errors(i, where):
    """One family per VRRP instance, for its VIPs and its unicast source and peers."""
    errors = []
    for vip in i['vips']:
        errors += mapped_errors(vip, where + '.vips')
    families = sorted(set(f for f in (family(v) for v in i['vips']) if f))
    if len(families) > 1:
        v6 = [str(v).split()[0] for v in i['vips'] if family(v) == 6]
        errors.append('%s.vips mixes IPv4 and IPv6 (%s); keepalived runs one family per instance and would drop the '
                      "others: move the IPv6 VIPs to an instance of their own (its own name and virtual_router_id)"
                      % (where, ', '.join(v6)))
    elif families:
        own = families[0]
        for peer in i['unicast_peers'] + ([i['unicast_src_ip']] if i.get('unicast_src_ip') else []):
            if family(peer) not in (None, own):
                errors.append("%s: an IPv%d instance cannot send unicast adverts from or to %s (IPv%d); set unicast: false "
                              'on this instance (multicast adverts), or set director_address to an IPv%d address'
                              % (where, own, peer, family(peer), own))
                break
    return errors


def service_family(vs):
    """The family IPVS gives the service: its address's, or for a fwmark its first real server's (as keepalived
    decides); None for a group (its members' addresses decide) or when nothing tells."""
    if vs.get('group') is not None:
        return None
    if vs.get('ip') is not None and not vs.get('is_fwmark'):
        return family(vs['ip'])
    return next((f for f in (family(rs['ip']) for rs in vs['real_servers']) if f), None)


def service_family_errors(vs, where):
    """Real servers of the service's family, unless tunnelled; no IPv4-mapped address."""
    errors = []
    if vs.get('ip') is not None:
        errors += mapped_errors(vs['ip'], where + '.ip')
    own = service_family(vs)
    for rs in vs['real_servers']:
        errors += mapped_errors(rs['ip'], where + '.real_servers')
        theirs = family(rs['ip'])
        if own and theirs and theirs != own and rs['forwarding'] != 'TUN':
            errors.append('%s: real server %s is IPv%d but the service is IPv%d; IPVS forwards across families by '
                          'tunnelling only: set forwarding TUN for it, or give it an IPv%d address'
                          % (where, rs['ip'], theirs, own, own))
    return errors
