# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The live IPVS state as one structure: configuration, connections, stats, rates, timeouts, sync daemons."""

from __future__ import annotations

from ansible_collections.lvs.ha.plugins.module_utils import ipvs_parser as parser

ZERO_STATS = {name: 0 for name in parser.STATS_COLUMNS}
ZERO_RATES = {name: 0 for name in parser.RATE_COLUMNS}


def _server_facts(server, key, thresholds, stats, rates):
    facts = server.to_dict()
    upper, lower, active, inactive = thresholds.get(key, (0, 0, 0, 0))
    facts.update(upper_threshold=upper, lower_threshold=lower, active_connections=active,
                 inactive_connections=inactive, stats=stats.get(key, dict(ZERO_STATS)),
                 rates=rates.get(key, dict(ZERO_RATES)))
    return facts


def service_facts(svc, thresholds, stats, rates):
    """One service as a dict, with its real servers, counters and rates."""
    facts = svc.to_dict()
    svc_stats = stats.get(svc.key, {'totals': dict(ZERO_STATS), 'servers': {}})
    svc_rates = rates.get(svc.key, {'totals': dict(ZERO_RATES), 'servers': {}})
    facts['key'] = svc.key
    facts['stats'] = svc_stats['totals']
    facts['rates'] = svc_rates['totals']
    facts['real_servers'] = [
        _server_facts(server, key, thresholds.get(svc.key, {}), svc_stats['servers'], svc_rates['servers'])
        for key, server in svc.real_servers.items()]
    facts['active_connections'] = sum(rs['active_connections'] for rs in facts['real_servers'])
    facts['inactive_connections'] = sum(rs['inactive_connections'] for rs in facts['real_servers'])
    return facts


def gather(runner):
    """Everything ipvs_info returns, read with six ipvsadm listings."""
    table = parser.parse_save(runner.save_text())
    thresholds, stats, rates = runner.thresholds(), runner.stats(), runner.rates()
    return dict(
        services=[service_facts(svc, thresholds, stats, rates) for svc in table.values()],
        timeouts=runner.timeouts(),
        sync_daemons=runner.daemons(),
    )
