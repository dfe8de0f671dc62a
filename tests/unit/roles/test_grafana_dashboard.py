# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Grafana dashboard (roles/director/files/grafana/lvs-ha.json) and the alert
rules (roles/director/files/prometheus/): their queries name only metrics the
exporter declares (its METRICS, so a rename breaks this test) or node-exporter's
IPVS collector exports; the dashboard's structure Grafana needs."""

from __future__ import annotations

import importlib.util
import json
import os
import re

import pytest
import yaml

pytest.importorskip('prometheus_client')   # the exporter's module imports it
HERE = os.path.dirname(__file__)
FILES = os.path.join(HERE, '..', '..', '..', 'roles', 'director', 'files')
SPEC = importlib.util.spec_from_file_location('lvs_ha_exporter', os.path.join(FILES, 'lvs-ha-exporter.py'))
exporter = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(exporter)

# node-exporter's collector/ipvs_linux.go (per real server: connections and weight; bytes per director only).
NODE_IPVS = {'node_ipvs_backend_connections_active', 'node_ipvs_backend_connections_inactive', 'node_ipvs_backend_weight',
             'node_ipvs_connections_total', 'node_ipvs_incoming_packets_total', 'node_ipvs_outgoing_packets_total',
             'node_ipvs_incoming_bytes_total', 'node_ipvs_outgoing_bytes_total'}
# prometheus_client's ProcessCollector, registered beside the exporter's collector; Prometheus's own `up`.
PROCESS = {'process_cpu_seconds_total', 'process_resident_memory_bytes', 'up'}
KNOWN = set(exporter.METRICS) | NODE_IPVS | PROCESS

KEYWORDS = {'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset'}


def metric_names(expr):
    """The metric names a PromQL expression reads: strings, label matchers, ranges and grouping taken out."""
    expr = re.sub(r'"(?:[^"\\]|\\.)*"', '', expr)
    expr = re.sub(r'\{[^}]*\}|\[[^\]]*\]', ' ', expr)
    expr = re.sub(r'\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)', ' ', expr)
    names = re.findall(r'(?<![\w$.])([a-zA-Z_:][\w:]*)\b(?!\s*\()', expr)
    return {n for n in names if n not in KEYWORDS}


def test_metric_names_are_read_from_promql():
    assert metric_names('sum by (instance, iname) (increase(keepalived_become_master_total{instance=~"$d"}[$__rate_interval]))') \
        == {'keepalived_become_master_total'}
    assert metric_names('lvs_ha_real_server_up == 0 and lvs_ha_real_server_configured_weight > 0') \
        == {'lvs_ha_real_server_up', 'lvs_ha_real_server_configured_weight'}
    assert metric_names('process_resident_memory_bytes{job="lvs_ha"} / 2^20') == {'process_resident_memory_bytes'}


@pytest.fixture(scope='module')
def dashboard():
    with open(os.path.join(FILES, 'grafana', 'lvs-ha.json'), encoding='utf-8') as f:
        return json.load(f)


def panels(dashboard):
    for panel in dashboard['panels']:
        yield panel
        yield from panel.get('panels', [])


def test_panel_ids_are_unique_and_the_layout_complete(dashboard):
    ids = [p['id'] for p in panels(dashboard)]
    assert len(ids) == len(set(ids)) and all(isinstance(i, int) for i in ids)
    for panel in panels(dashboard):
        assert set(panel['gridPos']) == {'h', 'w', 'x', 'y'} and panel['gridPos']['x'] + panel['gridPos']['w'] <= 24
        assert panel['title']
    assert dashboard['uid'] and dashboard['schemaVersion'] >= 36


def test_the_datasource_is_templated(dashboard):
    variables = {v['name']: v for v in dashboard['templating']['list']}
    assert variables['datasource']['type'] == 'datasource' and variables['datasource']['query'] == 'prometheus'
    queried = [p for p in panels(dashboard) if p['type'] != 'row']
    assert queried
    for panel in queried:
        assert panel['datasource'] == {'type': 'prometheus', 'uid': '${datasource}'}, panel['title']
        assert panel['targets'], panel['title']
        for target in panel['targets']:
            assert target['datasource']['uid'] == '${datasource}'
    assert variables['director']['datasource']['uid'] == '${datasource}'


def test_every_query_reads_known_metrics(dashboard):
    used = set()
    for panel in panels(dashboard):
        for target in panel.get('targets', []):
            names = metric_names(target['expr'])
            assert names, target['expr']
            assert names <= KNOWN, (panel['title'], names - KNOWN)
            used |= names
    used |= metric_names(dashboard['templating']['list'][1]['definition'])
    # What the issue asks the dashboard to show.
    assert {'keepalived_vrrp_state', 'keepalived_become_master_total', 'keepalived_advertisements_sent_total',
            'keepalived_advertisements_received_total', 'lvs_ha_virtual_server_real_servers_up',
            'node_ipvs_backend_connections_active', 'node_ipvs_incoming_bytes_total',
            'lvs_ha_nft_dropped_packets_total'} <= used


def test_every_alert_reads_known_metrics():
    with open(os.path.join(FILES, 'prometheus', 'lvs-ha-alerts.yml'), encoding='utf-8') as f:
        rules = [r for g in yaml.safe_load(f)['groups'] for r in g['rules']]
    assert len(rules) >= 8
    for rule in rules:
        names = metric_names(rule['expr'])
        assert names and names <= KNOWN, (rule['alert'], names - KNOWN)
        assert rule['labels']['severity'] in ('critical', 'warning') and 'for' in rule
        assert rule['annotations']['summary'] and rule['annotations']['description']
