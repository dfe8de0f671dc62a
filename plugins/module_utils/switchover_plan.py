# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Who should be MASTER of each VRRP instance once a switchover is done.

From every director's keepalived_info result. away: the peer of highest
effective priority takes each instance of the source (by default the current
master); back: the director of highest configured priority, unless the
instance does not preempt (its master keeps it). wait: the seconds to allow,
the timeout plus the longest preempt_delay (a peer waits it out before it
takes the VIPs).
"""

from __future__ import annotations

from ansible_collections.lvs.ha.plugins.module_utils.template_values import as_int, as_text

# Above any VRRP priority (1-254): a non-preempting master keeps its instance.
KEEPS = 999


def plan_errors(hosts, states, away, source):
    """Why the cluster cannot switch over: a source outside the play, a stopped keepalived, a faulty instance."""
    errors = []
    if away and source not in hosts:
        errors.append('director_switchover_host: %s is not a director of this play; name one of %s'
                      % (source or 'no director is MASTER', ', '.join(map(as_text, hosts))))
    for host in hosts:
        if not states[host]['running']:
            errors.append('%s: keepalived is not running; start it (site.yml) before a switchover' % host)
        for i in states[host]['instances']:
            if i['state'] not in ('MASTER', 'BACKUP'):
                errors.append('%s: instance %s is %s; fix it before moving VIPs' % (host, i['name'], i['state']))
    if away and len(hosts) < 2:
        errors.append('only %s in this play: a switchover needs a peer director to take the VIPs'
                      % ', '.join(map(as_text, hosts)))
    return errors


def planned_masters(hosts, states, switchover, source):
    """{instance: director}; the first director wins a tie."""
    away = switchover == 'away'
    best = {}
    for host in hosts:
        for i in states[host]['instances']:
            if i['nopreempt'] and switchover == 'back':
                if i['state'] == 'MASTER':
                    best[i['name']] = (host, KEEPS)
                continue
            priority = i['effective_priority'] if away else i['base_priority']
            candidate = host != source if away else True
            if candidate and (i['name'] not in best or priority > best[i['name']][1]):
                best[i['name']] = (host, priority)
    return {name: chosen[0] for name, chosen in best.items()}


def switchover_plan(hosts, states, switchover, switchover_host, timeout):
    """The plan: source, masters {instance: director}, errors (nothing may change unless empty), wait (s)."""
    away = switchover == 'away'
    masters = [h for h in hosts if any(i['state'] == 'MASTER' for i in states[h]['instances'])]
    source = switchover_host or (masters[0] if masters else '')
    delays = [as_int(i['preempt_delay']) for h in hosts for i in states[h]['instances']]
    return {
        'source': source,
        'masters': planned_masters(hosts, states, switchover, source),
        'errors': plan_errors(hosts, states, away, source),
        'wait': as_int(timeout) + max(delays + [0]),
    }
