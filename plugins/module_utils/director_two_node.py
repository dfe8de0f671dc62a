# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The two-node cluster (Ultramonkey's streamline topology): directors that are also real servers.

The master balances to itself (IPVS delivers locally) and to its peer (DR).
The trap is the loop: the peer holds the same virtual service and would
balance again what the master forwarded it, maybe back to the master. So such
a service must be a fwmark service, and the director's nftables rule marks a
packet for it only when its source MAC is not another director's: what a peer
forwarded goes unmarked, matches no IPVS service and is served by the VIP the
real server role put on the loopback. Only DR can work (NAT would route the
reply through the director that is the real server; TUN is not proven).
"""

from __future__ import annotations

from collections.abc import Mapping

from ansible_collections.lvs.ha.plugins.module_utils.director_services import canonical, default_address


def director_macs(directors, host, hosts):
    """{director: MAC} of the other directors: director_macaddress, else their default IPv4 route's interface's
    (ansible_facts.default_ipv4.macaddress); None when unknown (the preflight names it)."""
    macs = {}
    for name in directors:
        if name == host:
            continue
        hv = hosts.get(name, {})
        facts = hv.get('ansible_facts') if isinstance(hv.get('ansible_facts'), Mapping) else {}
        default = facts.get('default_ipv4') if isinstance(facts.get('default_ipv4'), Mapping) else {}
        macs[name] = hv.get('director_macaddress', default.get('macaddress'))
    return macs


def director_addresses(directors, host, settings, hosts):
    """{director: {its addresses}}: what a real server entry may name it by (this one's from settings)."""
    found = {}
    for name in directors:
        hv = dict(hosts.get(name, {}))
        if name == host:
            hv.update(director_address=settings['director_address'], director_address6=settings['director_address6'])
        known = [hv.get(key) for key in ('director_address', 'director_address6', 'real_server_address',
                                         'real_server_address6', 'ansible_host')]
        known += [default_address(hv, version) for version in (4, 6)]
        found[name] = {canonical(a) for a in known if a}
    return found


def served_directors(vs, addresses):
    """The directors among vs's real servers, by inventory name or by address (addresses: {director: [address]})."""
    found = []
    for rs in vs['real_servers']:
        for name, known in addresses.items():
            if (rs['host'] == name or canonical(rs['ip']) in known) and name not in found:
                found.append(name)
    return found


def two_node(services, fwmarks, addresses, macs):
    """Marks each service that balances to a director ('directors': their names) and gives its fwmark rule the
    other directors' MACs to leave unmarked ('not_from'). Returns whether any service does."""
    not_from = sorted(mac.lower() for mac in macs.values() if mac)
    marked = set()
    for vs in services:
        vs['directors'] = served_directors(vs, addresses)
        if vs['directors'] and vs['is_fwmark'] and vs['fwmark'] is not None:
            marked.add(str(vs['fwmark']))
    for mark in fwmarks:
        mark['not_from'] = not_from if str(mark['mark']) in marked else []
    return any(vs['directors'] for vs in services)


def two_node_errors(m):
    """The preflight's errors of the services that balance to directors (model m of one director)."""
    errors, marks = [], {str(f['mark']) for f in m.get('fwmarks', [])}
    for vs in m['virtual_servers']:
        if not vs.get('directors'):
            continue
        where = '%s: director_virtual_servers[%s]' % (m['host'], vs['name'])
        names = ', '.join(vs['directors'])
        if not vs['is_fwmark'] or vs['group'] is not None or str(vs['fwmark']) not in marks:
            errors.append('%s balances to director %s (a two-node cluster): make it a fwmark service with fwmark, ip and '
                          'ports, so that what another director forwards is served there, not balanced again (a loop)'
                          % (where, names))
        methods = sorted({rs['forwarding'] for rs in vs['real_servers']} - {'DR'})
        if methods:
            errors.append('%s balances to director %s with %s: a host that is both director and real server works with '
                          'DR only; set forwarding: DR' % (where, names, ', '.join(methods)))
    if any(vs.get('directors') for vs in m['virtual_servers']):
        unknown = sorted(name for name, mac in m['director_macs'].items() if not mac)
        if unknown:
            errors.append('%s: the MAC address of director %s is unknown, and a two-node cluster marks packets by it; '
                          'gather its facts (ansible_facts.default_ipv4.macaddress) or set director_macaddress for it'
                          % (m['host'], ', '.join(unknown)))
    return errors
