# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The status of directors in director_mode ecmp: each one's BGP sessions, BFD, the VIPs it announces and its
share of the connections, from what tasks/status.yml reads on it (BGP_READ's output)."""

from __future__ import annotations

import json

from ansible_collections.lvs.ha.plugins.module_utils.director_ecmp import ANNOUNCE_INTERFACE

# One command on each director (the model's ecmp.read, which tasks/status.yml runs), its three answers split by
# SEPARATOR.
SEPARATOR = '--- lvs.ha ---'
BGP_READ = ("vtysh -c 'show bgp summary json'; echo '%s'; vtysh -c 'show bfd peers json'; echo '%s'; "
            "ip -j addr show dev %s" % (SEPARATOR, SEPARATOR, ANNOUNCE_INTERFACE))
PEER_LINE = '  %-14s peer %-15s AS %-10s %-12s BFD %-5s sent %s'
ANNOUNCE_LINE = '  %-14s announces %s'


def _json(text, default):
    try:
        return json.loads(text)
    except ValueError:
        return default


def parse(stdout):
    """{'peers': {address: {'asn', 'state', 'sent'}}, 'bfd': {address: status}, 'announced': [prefix]} from
    BGP_READ's output; what is missing or not JSON reads as empty."""
    parts = (str(stdout or '').split(SEPARATOR) + ['', '', ''])[:3]
    summary, bfd, addresses = _json(parts[0], {}), _json(parts[1], []), _json(parts[2], [])
    peers = {}
    for family in ('ipv4Unicast', 'ipv6Unicast'):
        for address, p in ((summary.get(family) or {}).get('peers') or {}).items() if isinstance(summary, dict) else ():
            entry = peers.setdefault(address, {'asn': p.get('remoteAs'), 'state': p.get('state'), 'sent': 0})
            entry['sent'] += int(p.get('pfxSnt') or 0)
    status = {p.get('peer'): p.get('status') for p in bfd if isinstance(p, dict)} if isinstance(bfd, list) else {}
    announced = ['%s/%s' % (a.get('local'), a.get('prefixlen')) for i in (addresses if isinstance(addresses, list) else [])
                 for a in i.get('addr_info', []) if a.get('scope') != 'link']
    return {'peers': peers, 'bfd': status, 'announced': announced}


def bgp_lines(directors, lines, warnings):
    """Appends each director's sessions and announced VIPs; warns of a session not established, BFD not up, a VIP
    announced by no director, a director announcing none."""
    lines[:] = [line for line in lines if line != 'VRRP'] + ['BGP (director_mode ecmp)']
    by_vip = {}
    for director in directors:
        host, bgp, want = director['host'], parse(director.get('bgp')), director['model']['ecmp']
        for peer in want['peers']:
            address = peer['address']
            got = bgp['peers'].get(address, {})
            state, bfd = got.get('state') or 'absent', bgp['bfd'].get(address, '-')
            lines.append(PEER_LINE % (host, address, peer['asn'], state, bfd, got.get('sent', 0)))
            if state != 'Established':
                warnings.append('%s: BGP session with %s is %s: its VIPs reach no router (vtysh -c "show bgp neighbor %s")'
                                % (host, address, state, address))
            elif peer['bfd'] and bfd != 'up':
                warnings.append('%s: BFD with %s is %s: a dead director would be noticed only by BGP\'s hold time'
                                % (host, address, bfd))
        lines.append(ANNOUNCE_LINE % (host, ' '.join(bgp['announced']) or 'nothing'))
        for vip in want['vips']:
            by_vip.setdefault(vip, [])
            if vip in bgp['announced']:
                by_vip[vip].append(host)
        if not bgp['announced']:
            warnings.append('%s announces no VIP: its checks give no service quorum, or keepalived is not running'
                            % host)
    for vip, hosts in by_vip.items():
        if not hosts:
            warnings.append('%s is announced by no director: it is down' % vip)


def share_lines(directors, lines):
    """Each director's share of the active connections of all its services."""
    counts = {d['host']: sum(rs.get('active_connections', 0) for svc in d['ipvs']['services']
                             for rs in svc.get('real_servers', [])) for d in directors}
    total = sum(counts.values())
    lines.extend(['', 'Share of active connections'] +
                 ['  %-14s %5.1f %%  (%d)' % (host, 100.0 * n / total if total else 0.0, n) for host, n in counts.items()])
