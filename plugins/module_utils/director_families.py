# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Address families in a director's model: the mixes keepalived and IPVS cannot serve.

- A VRRP instance is IPv4 or IPv6 (RFC 5798: its adverts carry its own family's
  addresses); keepalived ignores a VIP of the other family with a warning and
  runs on without it. An instance's unicast source and peers are of its family.
- IPVS forwards between families by tunnelling only: an IPv6 service reaches an
  IPv4 real server (or the reverse) with TUN; DR and NAT need the same family
  (the modules' rule: ipvs_validate.family_refusal).

IPv4-mapped and zoned addresses are refused where each address is checked
(director_preflight.why: the modules' ipvs_validate.address_refusal).
"""

from __future__ import annotations

from ansible_collections.lvs.ha.plugins.module_utils.ipvs_validate import address_refusal, family_refusal


def family(address):
    """4 or 6 for an address the modules accept (a prefix length or keepalived options after it allowed), else None:
    a refused one (not an address, IPv4-mapped, zoned) is reported once, by the address checks."""
    text = (str(address).split() + [''])[0].split('/')[0]
    if address_refusal(text):
        return None
    return 6 if ':' in text else 4


def instance_family_errors(i, where):
    """One family per VRRP instance, for its VIPs and its unicast source and peers."""
    errors = []
    families = sorted(set(f for f in (family(v) for v in i['vips']) if f))
    if len(families) > 1:
        v6 = [str(v).split()[0] for v in i['vips'] if family(v) == 6]
        errors.append('%s.vips mixes IPv4 and IPv6 (%s); keepalived runs one family per instance and would drop the '
                      "others: move the IPv6 VIPs to an instance of their own name (the same virtual_router_id may serve both families)"
                      % (where, ', '.join(v6)))
    elif families:
        own = families[0]
        for peer in i['unicast_peers'] + ([i['unicast_src_ip']] if i.get('unicast_src_ip') else []):
            if family(peer) not in (None, own):
                errors.append("%s: an IPv%d instance cannot send unicast adverts from or to %s (IPv%d); set %s to an IPv%d "
                              'address, or unicast: false on this instance (multicast adverts)'
                              % (where, own, peer, family(peer), 'director_address6' if own == 6 else 'director_address', own))
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
    """Real servers of the service's family, unless tunnelled."""
    own = service_family(vs)
    errors = []
    for rs in vs['real_servers'] if own else ():
        refusal = family(rs['ip']) and family_refusal(rs['ip'], 'ipv%d' % own, rs['forwarding'].lower())
        if refusal:
            errors.append('%s: real server %s' % (where, refusal))
    return errors
