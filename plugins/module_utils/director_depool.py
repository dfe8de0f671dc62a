# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The depool guard: a virtual service that its health checks would empty keeps serving.

When every check fails at once the checker is more likely wrong (a path, a
certificate) than every real server. Below min_weight (the threshold's share
of the configured weight) the policy decides: keep (the failed real servers
stay in at their weight: roles/director/files/lvs-ha-depool-guard.py, run by
keepalived on each check's change), sorry (keepalived's own quorum puts the
sorry server in), off (keepalived alone). Here: the guard of each service in
the model, its preflight errors, and drain.yml's refusal to drain below it.
"""

from __future__ import annotations

import math

from ansible_collections.lvs.ha.plugins.module_utils.director_services import canonical, find_live
from ansible_collections.lvs.ha.plugins.module_utils.template_values import as_float, lower

POLICIES = ('auto', 'keep', 'sorry', 'off')


def depool_guard(vs, policy, threshold, real_servers):
    """The guard of virtual server vs (its depool_policy and depool_threshold over the role's policy and threshold).

    auto is sorry for a service with a sorry_server, keep otherwise. weight: the configured weight, drained real
    servers included, so that drain.yml refuses to drain below min_weight; min_weight 0 turns the guard off.
    """
    policy = lower(vs.get('depool_policy', policy))
    if policy == 'auto':
        policy = 'sorry' if vs.get('sorry_server') else 'keep'
    threshold = vs.get('depool_threshold', threshold)
    weight = sum(rs['configured_weight'] for rs in real_servers)
    # The least whole weight that reaches threshold x weight.
    min_weight = math.ceil(as_float(threshold) * weight) if policy in POLICIES and policy != 'off' else 0
    return {'policy': policy if min_weight > 0 or policy not in POLICIES else 'off', 'threshold': threshold,
            'weight': weight, 'min_weight': min_weight}


def depool_errors(vs, where):
    """The preflight's errors of one service's guard; where: 'host: director_virtual_servers[name]'."""
    guard, errors = vs['depool_guard'], []
    if guard['policy'] not in POLICIES:
        errors.append("%s.depool_policy '%s' is not auto, keep, sorry or off (YAML reads a bare off as false: quote it); "
                      'set it here or in director_depool_policy' % (where, guard['policy']))
    threshold = guard['threshold']
    if _share(threshold) is None:
        errors.append('%s.depool_threshold %s is not a share between 0 and 1 (0.5: the checks may not take more than '
                      'half of the weight out; 0: no guard); set it here or in director_depool_threshold'
                      % (where, threshold))
    if guard['policy'] == 'sorry' and not vs['sorry_server']:
        errors.append('%s: depool_policy sorry needs a sorry_server; add one, or choose keep (the failed real servers '
                      'stay in) or off' % where)
    if guard['policy'] == 'keep' and vs['sorry_server']:
        errors.append('%s: depool_policy keep with a sorry_server: keepalived would add the sorry server beside the '
                      'real servers the guard keeps in; choose sorry (or auto), or remove the sorry_server' % where)
    return errors


def _share(value):
    """value as a share between 0 and 1, or None (a bool, a text that is no number, out of range)."""
    if isinstance(value, bool):
        return None
    try:
        share = float(value)
    except (TypeError, ValueError):
        return None
    return share if 0 <= share <= 1 else None


def drain_refusals(model, addresses, live):
    """The services where draining the real server at addresses (a list) would leave less than the guard's
    min_weight in service on this director: the others' weights in the live table (live: ipvs_info services),
    0 for a failed or drained one. [message], empty when the drain may go on."""
    wanted = {canonical(a) for a in addresses}
    refusals = []
    for vs in model['virtual_servers']:
        guard = vs['depool_guard']
        if guard['policy'] not in ('keep', 'sorry') or not any(canonical(rs['ip']) in wanted for rs in vs['real_servers']):
            continue
        others = sum(_live_weight(vs, rs, live) for rs in vs['real_servers'] if canonical(rs['ip']) not in wanted)
        if others < guard['min_weight']:
            refusals.append('%s: draining %s leaves a live weight of %d, below %d (depool_threshold %s of %d)'
                            % (vs['name'], ', '.join(addresses), others, guard['min_weight'], guard['threshold'],
                               guard['weight']))
    return refusals


def _live_weight(vs, rs, live):
    """rs's weight in the first live service of vs that has it (a group's members share their real servers)."""
    for matcher in vs['live']:
        svc = find_live(matcher, live)
        for dest in (svc or {}).get('real_servers', []):
            if canonical(dest.get('address')) == canonical(rs['ip']):
                return int(dest.get('weight', 0))
    return 0
