# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Plan a change of the live table, then apply it in one ``ipvsadm -R``, rolling back if it fails midway."""

from __future__ import annotations

from dataclasses import dataclass

from ansible_collections.lvs.ha.plugins.module_utils import ipvs_parser as parser
from ansible_collections.lvs.ha.plugins.module_utils.ipvs_diff import diff, satisfied, unknown_thresholds
from ansible_collections.lvs.ha.plugins.module_utils.ipvs_errors import IpvsApplyError
from ansible_collections.lvs.ha.plugins.module_utils.ipvs_model import SLOTS
from ansible_collections.lvs.ha.plugins.module_utils.ipvs_render import render_change, render_table


@dataclass(frozen=True, **SLOTS)
class Plan:
    """The live table, the table wanted, the changes between them and their ``ipvsadm -R`` lines."""

    before: dict
    after: dict
    changes: list
    lines: list


def wants_thresholds(table):
    """True when any real server in table sets a threshold, so the live thresholds must be read to compare."""
    return any(server.upper_threshold is not None or server.lower_threshold is not None
               for svc in table.values() for server in (svc.real_servers or {}).values())


def same_rules(text, desired, purge):
    """True when the live save text already holds every rule of desired (and nothing else, with purge).

    Only decides for tables without thresholds, which ipvsadm does not save; False means "diff to know".
    """
    if wants_thresholds(desired):
        return False
    live = text.splitlines()
    if len(live) < sum(1 + len(svc.real_servers or ()) for svc in desired.values()):
        return False
    wanted = render_table(desired)
    if purge and len(live) != len(wanted):
        return False
    return set(live).issuperset(wanted)


def known_thresholds(table):
    return any(server.upper_threshold is not None for svc in table.values() for server in svc.real_servers.values())


def make_plan(runner, build_after, thresholds=False, unchanged=None):
    """Read the live table, let build_after(before) compute the table wanted, and diff the two.

    Thresholds (not in ``ipvsadm -S``) are read when asked for, or when an edit would otherwise reset them.
    unchanged(save_text), when given, may say from the text alone that nothing is to change (the fast
    path of a large idempotent run: no parsing, no diff).
    """
    text = runner.save_text()
    if unchanged is not None and unchanged(text):
        return Plan({}, {}, [], [])
    before, _text = runner.read_table(thresholds, text)
    after = build_after(before)
    changes = diff(before, after)
    if not thresholds and before and unknown_thresholds(changes):
        parser.apply_thresholds(before, runner.thresholds())
        after = build_after(before)
        changes = diff(before, after)
    return Plan(before, after, changes, [render_change(change) for change in changes])


def apply_plan(runner, plan):
    """Apply plan.lines in one ``ipvsadm -R``. On failure restore plan.before and raise IpvsApplyError."""
    if not plan.lines:
        return
    rc, out, err = runner.restore(plan.lines)
    if rc == 0 and not (err or '').strip():
        return
    now, _text = runner.read_table(known_thresholds(plan.before))
    failing = [index for index, change in enumerate(plan.changes) if not satisfied(change, now)]
    restored = rollback(runner, now, plan.before)
    where = ('rule %d of %d: %s' % (failing[0] + 1, len(plan.lines), plan.lines[failing[0]])
             if failing else 'a rule ipvsadm did not name (every change is visible in the table)')
    raise IpvsApplyError(
        'ipvsadm -R failed at %s; ipvsadm said: %s; %s' % (
            where, (err or out or 'rc=%d' % rc).strip(),
            'the previous table was restored' if restored else 'restoring the previous table FAILED, check ipvsadm -S -n'),
        failing_rule=plan.lines[failing[0]] if failing else None, rc=rc, stderr=err, restored=restored,
        commands=plan.lines)


def rollback(runner, now, before):
    """Undo a partly applied batch: the reverse difference first, a clear and full restore if that fails.

    Returns True when the live table equals before again.
    """
    thresholds = known_thresholds(before)
    back = [render_change(change) for change in diff(now, before)]
    if back:
        rc, _out, err = runner.restore(back)
        if rc != 0 or (err or '').strip():
            runner.restore(['-C'] + render_table(before))
    final, _text = runner.read_table(thresholds)
    return final == before
