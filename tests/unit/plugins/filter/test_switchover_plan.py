# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""lvs.ha.switchover_plan against the plans the role's Jinja template made.

fixtures/switchover_plans.json: keepalived_info states of two or three directors
(a master and its backup, swapped, split, non-preempting, stopped, faulty, no
master, equal priorities, a lone director), each planned away and back with the
master, d2 and an unknown host as source, by roles/director/templates/
switchover_plan.json.j2 before it was replaced (commit 011cc56).
"""

from __future__ import annotations

import json
import os

import pytest

from ansible_collections.lvs.ha.plugins.filter.switchover_plan import FilterModule

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, 'fixtures', 'switchover_plans.json'), encoding='utf-8') as f:
    SCENARIOS = json.load(f)
PLAN = FilterModule().filters()['switchover_plan']


@pytest.mark.parametrize('case', SCENARIOS, ids=[s['id'] for s in SCENARIOS])
def test_plan_as_the_template_made_it(case):
    plan = PLAN(case['hosts'], case['states'], case['switchover'], case['host'], case['timeout'])
    # Same keys in the same order: the masters map is shown to the operator.
    assert json.dumps(plan) == json.dumps(case['plan'])


def test_defaults():
    states = {'d1': {'running': True, 'instances': [{'name': 'VI_1', 'state': 'MASTER', 'effective_priority': 200,
                                                     'base_priority': 200, 'nopreempt': False, 'preempt_delay': 0}]},
              'd2': {'running': True, 'instances': [{'name': 'VI_1', 'state': 'BACKUP', 'effective_priority': 150,
                                                     'base_priority': 150, 'nopreempt': False, 'preempt_delay': 0}]}}
    assert PLAN(['d1', 'd2'], states, 'away') == {'source': 'd1', 'masters': {'VI_1': 'd2'}, 'errors': [], 'wait': 30}
