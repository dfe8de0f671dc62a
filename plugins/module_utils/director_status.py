# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The cluster at a glance, for playbooks/status.yml: lines of text from plain dicts.

VRRP per director, the live IPVS table of the master with each real server's
health, and warnings for drift from the inventory, split brain, services whose
weights are all 0, and services the depool guard holds or the sorry server
serves. Input per director: its keepalived_info and ipvs_info results, its
model and the depool guard's state (lvs-ha-depool-guard.py's services).
"""

from __future__ import annotations

import time

from ansible_collections.lvs.ha.plugins.module_utils.director_bgp_status import bgp_lines, share_lines
from ansible_collections.lvs.ha.plugins.module_utils.director_services import canonical, find_live, services_of

VRRP_LINE = '  %-14s %-14s %-7s priority %3s of %3s  %s'
SERVICE_LINE = '  %s  %s  %s%s'
REAL_SERVER_LINE = '    %-21s weight %-3s %-9s active %-4s inactive %s'
ALL_WEIGHTS_0 = ('every real server has weight 0, the service accepts connections and sends them nowhere; return a '
                 'drained one (drain.yml -e drain_action=return) or fix the weights')
GUARD_LINE = ('    depool guard HOLDING since %s: checks fail on %s; kept in at their weights '
              '(live weight %s of %s, below %s: depool_threshold %s)')
GUARD_WARNING = ('%s: %s: the depool guard keeps %s in service although their checks fail (live weight %s of %s, below '
                 '%s); mend the check or the real servers (journalctl -u keepalived says which check fails)')
SORRY_WARNING = ('%s: %s: the sorry server %s serves instead of the real servers (live weight below %s); mend the checks '
                 'or the real servers')


def status_lines(directors):
    """directors: [{'host', 'vrrp': keepalived_info, 'ipvs': ipvs_info, 'model': _director_model,
    'depool': the depool guard's services by key (optional: none held), 'bgp': BGP_READ's output (ecmp)}]
    in play order."""
    lines, warnings = ['VRRP'], []
    if any(d['model'].get('ecmp', {}).get('enabled') for d in directors):
        # Every director serves: each one's sessions, table and share.
        for director in directors:
            if not director['vrrp']['running']:
                warnings.append(director['host'] + ': keepalived is not running')
        bgp_lines(directors, lines, warnings)
        for director in directors:
            ipvs_lines(director, True, lines, warnings, 'active')
        share_lines(directors, lines)
        ok = 'No warnings: every director announces its VIPs to every router, the live tables match the inventory.'
    else:
        masters = vrrp_lines(directors, lines, warnings)
        shown = masters[0][0] if masters else directors[0]['host']
        for director in directors:
            ipvs_lines(director, director['host'] == shown, lines, warnings)
        ok = 'No warnings: one master per instance, the live tables match the inventory.'
    lines.append('')
    if warnings:
        return lines + ['WARNINGS'] + ['  - ' + w for w in warnings]
    return lines + [ok]


def vrrp_lines(directors, lines, warnings):
    """Appends each director's instances; returns [(host, instance)] of the masters."""
    masters, names = [], []
    for director in directors:
        host, vrrp = director['host'], director['vrrp']
        if not vrrp['running']:
            warnings.append(host + ': keepalived is not running')
            lines.append('  %-14s keepalived not running' % host)
        for i in vrrp['instances']:
            if i['state'] == 'MASTER':
                masters.append((host, i['name']))
            if i['state'] not in ('MASTER', 'BACKUP'):
                warnings.append('%s: instance %s is %s' % (host, i['name'], i['state']))
            lines.append(VRRP_LINE % (host, i['name'], i['state'], i['effective_priority'], i['base_priority'],
                                      ('holds ' + ' '.join(i['vips'])) if i['vips_set'] else ''))
            if i['name'] not in names:
                names.append(i['name'])
        if not vrrp['config_ok']:
            warnings.append('%s: keepalived -t fails: %s' % (host, '; '.join(vrrp['config_errors'])))
    for name in names:
        held = ['%s/%s' % m for m in masters if m[1] == name]
        if len(held) != 1:
            warnings.append('instance %s has %d masters (%s): %s'
                            % (name, len(held), ', '.join(held), 'split brain' if held else 'VIPs down'))
    return masters


def ipvs_lines(director, shown, lines, warnings, role='master'):
    """The director's live table against its model; the lines only for the director shown."""
    host, model, live = director['host'], director['model'], director['ipvs']['services']
    matched = set()
    if shown:
        lines.extend(['', 'IPVS on %s (%s)' % (host, role)])
    for vs in model['virtual_servers']:
        guard = guard_entry(director.get('depool') or {}, vs)
        for label, matcher in services_of(vs, model['groups']):
            svc = find_live(matcher, live)
            if svc is None:
                warnings.append('%s: %s (%s) is not in the live IPVS table' % (host, vs['name'], label))
                continue
            matched.add(svc['key'])
            service_lines(host, vs, svc, guard, lines if shown else [], warnings)
        if guard['holding']:
            guard_lines(host, vs, guard, lines if shown else [], warnings)
    for svc in live:
        if svc['key'] not in matched:
            warnings.append('%s: live service %s is not in the inventory' % (host, svc['key']))


def service_lines(host, vs, svc, guard, lines, warnings):
    persistent = '  persistent %s s' % svc['persistence_timeout'] if svc.get('persistence_timeout') else ''
    lines.append(SERVICE_LINE % (vs['name'], svc['key'], svc['scheduler'], persistent))
    for rs in vs['real_servers']:
        lines.append(real_server_line(host, vs, rs, svc, guard, warnings))
    listed = set(canonical(rs['ip']) for rs in vs['real_servers'])
    sorry = canonical(vs['sorry_server']['ip']) if vs.get('sorry_server') else None
    for lrs in svc['real_servers']:
        if canonical(lrs['address']) == sorry:
            lines.append('    sorry server in: live weight below threshold %s' % quorum(vs))
            warnings.append(SORRY_WARNING % (host, vs['name'], lrs['address'], quorum(vs)))
        elif canonical(lrs['address']) not in listed:
            warnings.append('%s: %s has real server %s live that the inventory does not list' % (host, vs['name'], lrs['address']))
    if svc['real_servers'] and not any(lrs['weight'] > 0 for lrs in svc['real_servers']):
        warnings.append('%s: %s: %s' % (host, vs['name'], ALL_WEIGHTS_0))
    elif not svc['real_servers']:
        warnings.append('%s: %s: no real server is serving (all health checks failing?)' % (host, vs['name']))


def quorum(vs):
    """The live weight below which keepalived puts the sorry server in (the model sets it for policy sorry)."""
    return vs.get('quorum') or (vs.get('depool_guard') or {}).get('min_weight') or 1


def guard_entry(depool, vs):
    """The depool guard's entry of vs with 'down' as a set of server_key(); nothing held unless its policy is keep."""
    entry = depool.get(vs['key']) if (vs.get('depool_guard') or {}).get('policy') == 'keep' else None
    entry = entry if isinstance(entry, dict) else {}
    # "10.0.0.21 80", "10.0.0.21 -" (fwmark): the address as the model wrote it, then the port.
    down = {server_key(*str(d).partition(' ')[::2]) for d in entry.get('down', [])}
    return dict(entry, down=down, holding=bool(entry.get('holding')) and bool(down))


def server_key(ip, port):
    return '%s %s' % (canonical(ip), '-' if port in (None, '-', '') else port)


def guard_lines(host, vs, guard, lines, warnings):
    """The hold of the depool guard under the service, and its warning; the weights as the guard last saw them."""
    failing = ', '.join(endpoint(rs['ip'], rs['port']) for rs in vs['real_servers']
                        if server_key(rs['ip'], rs['port']) in guard['down'])
    config = vs['depool_guard']
    weight, minimum = guard.get('weight', config['weight']), guard.get('min_weight', config['min_weight'])
    since = time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime(guard['since'])) if guard.get('since') is not None else '?'
    lines.append(GUARD_LINE % (since, failing, guard.get('live_weight', '?'), weight, minimum, config['threshold']))
    warnings.append(GUARD_WARNING % (host, vs['name'], failing, guard.get('live_weight', '?'), weight, minimum))


def endpoint(ip, port):
    """ip:port as ipvsadm writes it (an IPv6 address in brackets before its port); ip alone without a port."""
    if port is None:
        return str(ip)
    return '%s:%s' % ('[%s]' % ip if ':' in str(ip) else ip, port)


def real_server_line(host, vs, rs, svc, guard, warnings):
    found = [lrs for lrs in svc['real_servers'] if canonical(lrs['address']) == canonical(rs['ip'])]
    lrs = found[0] if found else None
    if lrs is None:
        health = 'down (health check failing)'
    elif server_key(rs['ip'], rs['port']) in guard['down']:
        # inhibit_on_failure left it at weight 0, or the guard holds it in at its weight: no drift either way.
        health = 'held (check failing)' if guard['holding'] else 'down (check failing)'
    elif rs['weight'] == 0 and lrs['weight'] == 0:
        health = 'drained'
    elif lrs['weight'] != rs['weight']:
        health = 'drift'
        warnings.append('%s: %s real server %s has weight %s, the inventory says %s (changed outside keepalived?)'
                        % (host, vs['name'], rs['ip'], lrs['weight'], rs['weight']))
    else:
        health = 'up'
    where = endpoint(rs['ip'], rs['port'])
    if lrs is None:
        return REAL_SERVER_LINE % (where, '-', health, '-', '-')
    return REAL_SERVER_LINE % (where, lrs['weight'], health, lrs['active_connections'], lrs['inactive_connections'])
