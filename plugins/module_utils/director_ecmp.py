# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Every director active behind ECMP (director_mode ecmp): FRR announces the VIPs by BGP.

The upstream routers spread flows over the directors that announce a VIP. A
director announces it while keepalived's checks give one of the VIP's services
quorum: the quorum scripts put the VIP on ANNOUNCE_INTERFACE, a dummy whose
addresses FRR redistributes; they take it off when no service of the VIP has
quorum, and so does stopping keepalived (the announce unit is bound to it).
BFD tells the routers of a dead host within its detection time.

A flow a router moves to another director must meet the same real server
there: Maglev hashing (mh) over the same real servers in the same order with
the same weights on every director, sloppy_tcp so a director takes up a flow
from its middle, failed real servers kept at weight 0 (inhibit_on_failure) so
that order never changes (mh-fallback, added by the model, sends their flows
on), and a VIP held before it is announced until every real server has been
checked (announce_hold). NAT cannot work: a reply
returns through the director that holds the flow's state, which the routers
do not know.
"""

from __future__ import annotations

import math
import re

from ansible_collections.lvs.ha.plugins.module_utils.director_families import family
from ansible_collections.lvs.ha.plugins.module_utils.template_values import as_bool, as_int, as_text

MODES = ('vrrp', 'ecmp')
# The dummy interface that holds the VIPs this director announces.
ANNOUNCE_INTERFACE = 'lvsha0'
ANNOUNCE_SCRIPT = '/usr/local/sbin/lvs-ha-announce'
# keepalived's defaults where a check sets neither: delay_loop (also the first
# check's warmup) and connect_timeout; MISC_CHECK's misc_timeout is delay_loop.
KEEPALIVED_DELAY_LOOP = 60
KEEPALIVED_CONNECT_TIMEOUT = 5
# Slack for a check that starts late on a loaded host (keepalived's start took
# up to 1 s in the TCG lab).
HOLD_MARGIN = 2
# sloppy_tcp: take up a TCP flow from any segment, not only a SYN. The VIPs on
# the dummy must not be answered for by ARP on the directors' other interfaces.
ECMP_SYSCTLS = {'net.ipv4.vs.sloppy_tcp': 1, 'net.ipv4.conf.all.arp_ignore': 1, 'net.ipv4.conf.all.arp_announce': 2}
ROUTER_ID_RE = re.compile(r'^\d{1,3}(\.\d{1,3}){3}$')


def vip_prefix(ip):
    """The host route a director announces for a VIP."""
    return '%s/%d' % (ip, 128 if family(ip) == 6 else 32)


def ecmp(s, services):
    """The BGP side of this director: ASN, router id, peers, BFD timers and the VIPs it may announce."""
    enabled = as_text(s['director_mode']) == 'ecmp'
    peers = []
    for p in s['director_bgp_peers'] if isinstance(s['director_bgp_peers'], list) else []:
        p = p if isinstance(p, dict) else {'address': p}
        peers.append({'address': as_text(p.get('address')), 'asn': as_int(p.get('asn'), None),
                      'bfd': as_bool(p.get('bfd', True))})
    vips = []
    for vs in services:
        if vs['ip'] is not None and family(vs['ip']) and vip_prefix(vs['ip']) not in vips:
            vips.append(vip_prefix(vs['ip']))
    return {
        'enabled': enabled,
        'asn': as_int(s['director_bgp_asn'], None),
        'router_id': as_text(s['director_bgp_router_id'] or s['director_address']),
        'peers': peers,
        'bfd': {'interval': as_int(s['director_bfd_interval'], None), 'multiplier': as_int(s['director_bfd_multiplier'], None)},
        'vips': vips,
        'interface': ANNOUNCE_INTERFACE,
        'script': ANNOUNCE_SCRIPT,
        'hold': announce_hold(services),
    }


def seconds(value, default):
    """A keepalived time (seconds, maybe fractional); default when unset or unreadable."""
    try:
        return float(value) if value is not None else default
    except (TypeError, ValueError):
        return default


def checked_within(vs, rs):
    """Seconds within which keepalived checks rs, from its start or from any moment: it starts each check at a
    random time within its warmup (delay_loop unless set), then every delay_loop, and a check answers within its
    timeout."""
    check = rs.get('check') or {}
    delay_loop = seconds(check.get('delay_loop', vs.get('delay_loop')), KEEPALIVED_DELAY_LOOP)
    period = max(seconds(check.get('warmup'), delay_loop), delay_loop)
    if check.get('type') == 'MISC_CHECK':
        return period + seconds(check.get('misc_timeout'), delay_loop)
    return period + seconds(check.get('connect_timeout'), KEEPALIVED_CONNECT_TIMEOUT)


def announce_hold(services):
    """Whole seconds a VIP that is not announced waits after a service of it gains quorum. That first passed check
    comes while other real servers are still at weight 0 (unchecked since keepalived started, or since they came
    back): a Maglev table unlike the other directors', which would send the flows the routers move here to other
    real servers. So the announcement waits until every real server has been checked, plus HOLD_MARGIN."""
    done = [checked_within(vs, rs) for vs in services for rs in vs['real_servers']]
    return int(math.ceil(max(done))) + HOLD_MARGIN if done else 0


def announce_services(services):
    """In ecmp mode every service's quorum scripts announce and withdraw its VIP, from the first passed checks on
    (alpha: a starting director announces nothing before them), and a failed real server stays in IPVS at weight 0
    (the Maglev table keeps its order)."""
    for vs in services:
        if vs['ip'] is None:
            continue
        vs['alpha'] = True
        vs['quorum_up'] = '%s up %s %s' % (ANNOUNCE_SCRIPT, vip_prefix(vs['ip']), vs['key'].replace(' ', '_'))
        vs['quorum_down'] = '%s down %s %s' % (ANNOUNCE_SCRIPT, vip_prefix(vs['ip']), vs['key'].replace(' ', '_'))
        for rs in vs['real_servers']:
            rs['inhibit_on_failure'] = True


def ecmp_errors(m):
    """One director's ecmp settings on their own."""
    e, host = m['ecmp'], m['host']
    errors = []
    if e['asn'] is None or not 1 <= e['asn'] <= 4294967295:
        errors.append('%s: director_bgp_asn %s is not an AS number (1-4294967295); set the directors\' AS, e.g. a '
                      'private one from 64512-65534' % (host, e['asn']))
    if not ROUTER_ID_RE.match(e['router_id']):
        errors.append("%s: director_bgp_router_id '%s' is not a dotted quad; set it, or director_address, to this "
                      "director's IPv4 address" % (host, e['router_id']))
    if not e['peers']:
        errors.append('%s: director_bgp_peers is empty; list the upstream routers that spread flows over the '
                      'directors (address and asn of each)' % host)
    for p in e['peers']:
        if not family(p['address']):
            errors.append("%s: director_bgp_peers: '%s' is not an IP address; give each router's address on the "
                          "directors' network" % (host, p['address']))
        if p['asn'] is None or not 1 <= p['asn'] <= 4294967295:
            errors.append('%s: director_bgp_peers: %s has no asn (1-4294967295); give the router\'s AS'
                          % (host, p['address']))
    bfd = e['bfd']
    if bfd['interval'] is None or not 10 <= bfd['interval'] <= 60000:
        errors.append('%s: director_bfd_interval %s is outside 10-60000 ms' % (host, bfd['interval']))
    if bfd['multiplier'] is None or not 2 <= bfd['multiplier'] <= 255:
        errors.append('%s: director_bfd_multiplier %s is outside 2-255' % (host, bfd['multiplier']))
    if m['instances']:
        errors.append('%s: director_vrrp_instances is set but director_mode is ecmp: every director is active and BGP '
                      'moves the VIPs; remove the instances, or set director_mode: vrrp' % host)
    for vs in m['virtual_servers']:
        where = '%s: director_virtual_servers[%s]' % (host, vs['name'])
        if vs['ip'] is None:
            errors.append('%s has no ip: in director_mode ecmp a service is announced by its VIP; give it ip (a fwmark '
                          'service too)' % where)
        if vs['scheduler'] != 'mh':
            errors.append("%s: scheduler '%s' would send a flow a router moves to another director to another real "
                          'server; use scheduler: mh (Maglev hashing, the same choice on every director)'
                          % (where, vs['scheduler']))
        nat = sorted({rs['ip'] for rs in vs['real_servers'] if rs['forwarding'] == 'NAT'})
        if nat or vs['forwarding'] == 'NAT':
            errors.append('%s: NAT cannot work in director_mode ecmp (a reply must return through the director that '
                          'holds the flow, which the routers do not know); use forwarding: DR or TUN' % where)
        if vs['persistence_timeout'] is not None:
            errors.append('%s: persistence_timeout keeps state on one director, which another director does not share '
                          'in ecmp mode; drop it (mh already sends a client to the same real server)' % where)
    return errors


def ecmp_across_errors(models):
    """Across the directors of ecmp mode: distinct router ids, one AS, and the same real servers everywhere (mh picks
    the same one only from the same list)."""
    errors, seen = [], {}
    for m in models:
        rid = m['ecmp']['router_id']
        if rid in seen:
            errors.append('%s and %s share director_bgp_router_id %s; give each director its own (its IPv4 address)'
                          % (seen[rid], m['host'], rid))
        seen.setdefault(rid, m['host'])
    asns = sorted({m['ecmp']['asn'] for m in models if m['ecmp']['asn'] is not None})
    if len(asns) > 1:
        errors.append('director_bgp_asn differs across directors (%s); the routers balance over paths of one AS: set it '
                      'once, in the directors\' group_vars' % ', '.join(str(a) for a in asns))
    modes = sorted({m['ecmp']['enabled'] for m in models})
    if len(modes) > 1:
        errors.append('director_mode differs across directors (%s ecmp, %s not); set it once, in the directors\' '
                      'group_vars' % (', '.join(m['host'] for m in models if m['ecmp']['enabled']),
                                      ', '.join(m['host'] for m in models if not m['ecmp']['enabled'])))
    for m in models[1:]:
        for name, a, b in differing_real_servers(models[0], m):
            errors.append('virtual server %s: real servers differ between %s (%s) and %s (%s); mh picks the same one '
                          'for a flow only from the same list, in the same order, with the same weights'
                          % (name, models[0]['host'], _servers(a), m['host'], _servers(b)))
    return errors


def differing_real_servers(first, m):
    """The virtual servers whose real servers (address and weight, in order) differ between two directors: the
    name and both lists."""
    out = []
    for vs, other in zip(first['virtual_servers'], m['virtual_servers']):
        a = [(rs['ip'], rs['weight']) for rs in vs['real_servers']]
        b = [(rs['ip'], rs['weight']) for rs in other['real_servers']]
        if a != b:
            out.append((vs['name'], a, b))
    return out


def _servers(pairs):
    return ', '.join('%s w%s' % pair for pair in pairs)
