# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The depool guard's decisions in the director model: the policy and min_weight of each service, and drain.yml's
refusal to drain a real server below it (against a live ipvs_info table)."""

from __future__ import annotations

import pytest

from ansible_collections.lvs.ha.plugins.module_utils.director_depool import depool_guard, drain_refusals


def servers(*weights):
    return [{'ip': '10.0.0.%d' % (21 + i), 'port': 80, 'weight': w, 'configured_weight': w} for i, w in enumerate(weights)]


@pytest.mark.parametrize('vs, policy, threshold, weights, expected', [
    ({}, 'auto', 0.5, (1, 1), ('keep', 2, 1)),
    # Never more than half out: of 3, two must stay.
    ({}, 'auto', 0.5, (1, 1, 1), ('keep', 3, 2)),
    ({'sorry_server': {'ip': '10.0.0.99'}}, 'auto', 0.5, (1, 1), ('sorry', 2, 1)),
    ({'depool_policy': 'off'}, 'auto', 0.5, (1, 1), ('off', 2, 0)),
    ({'depool_threshold': 0}, 'keep', 0.5, (1, 1), ('off', 2, 0)),
    ({'depool_threshold': '0.75'}, 'keep', 0.5, (10, 10, 20), ('keep', 40, 30)),
    ({}, 'SORRY', 0.5, (1,), ('sorry', 1, 1)),
    # Unknown policies stay as written, for the preflight to name.
    ({}, False, 0.5, (1, 1), ('false', 2, 0)),
], ids=['two', 'three', 'sorry_server', 'off', 'threshold_0', 'weights', 'case', 'yaml_off'])
def test_policy_and_min_weight(vs, policy, threshold, weights, expected):
    guard = depool_guard(vs, policy, threshold, servers(*weights))
    assert (guard['policy'], guard['weight'], guard['min_weight']) == expected


def test_drained_servers_keep_counting_in_the_configured_weight():
    pool = servers(1, 1)
    pool[0]['weight'] = 0  # drained
    assert depool_guard({}, 'keep', 0.5, pool)['min_weight'] == 1


def model(policy='keep', min_weight=1, weights=(1, 1)):
    pool = servers(*weights)
    return {'virtual_servers': [{'name': 'web', 'real_servers': pool,
                                 'live': [{'protocol': 'tcp', 'address': '10.0.0.10', 'port': 80}],
                                 'depool_guard': {'policy': policy, 'threshold': 0.5, 'weight': sum(weights),
                                                  'min_weight': min_weight}}]}


def live(*weights):
    return [{'protocol': 'tcp', 'address': '10.0.0.10', 'port': 80, 'fwmark': None,
             'real_servers': [{'address': '10.0.0.%d' % (21 + i), 'port': 80, 'weight': w} for i, w in enumerate(weights)]}]


def test_draining_one_of_two_healthy_servers_goes_on():
    assert drain_refusals(model(), ['10.0.0.21'], live(1, 1)) == []


def test_draining_the_last_live_server_is_refused_with_the_figures():
    assert drain_refusals(model(), ['10.0.0.22', 'fd77::22'], live(0, 1)) == [
        'web: draining 10.0.0.22, fd77::22 leaves a live weight of 0, below 1 (depool_threshold 0.5 of 2)']


def test_a_server_of_no_service_or_a_service_without_guard_is_not_refused():
    assert drain_refusals(model(), ['10.0.0.99'], live(0, 0)) == []
    assert drain_refusals(model(policy='off', min_weight=0), ['10.0.0.21'], live(0, 1)) == []


def test_a_service_missing_from_the_live_table_counts_nothing_live():
    assert drain_refusals(model(), ['10.0.0.21'], []) != []
