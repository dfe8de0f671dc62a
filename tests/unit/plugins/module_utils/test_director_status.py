# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The status lines; the expected text is what status.txt.j2 rendered for the same input (non-group services)."""

from __future__ import annotations

import base64
import copy
import json

from ansible_collections.lvs.ha.plugins.filter.director_status import depool_services
from ansible_collections.lvs.ha.plugins.module_utils.director_status import status_lines


def rs(ip, weight=1, port=80):
    return {'host': '', 'ip': ip, 'port': port, 'weight': weight, 'forwarding': 'DR', 'check': {}}


def lrs(address, weight=1, active=3, inactive=1):
    return {'address': address, 'port': 80, 'weight': weight, 'active_connections': active, 'inactive_connections': inactive}


def svc(key, address, port, rss, fwmark=None, protocol='tcp', persistence=None):
    return {'key': key, 'fwmark': fwmark, 'protocol': protocol, 'address': address, 'port': port, 'scheduler': 'wlc',
            'persistence_timeout': persistence, 'real_servers': rss}


WEB = {'key': '192.0.2.100 80', 'name': 'web', 'fwmark': None, 'group': None, 'ip': '192.0.2.100', 'port': 80,
       'is_fwmark': False, 'protocol': 'TCP', 'real_servers': [rs('192.0.2.21'), rs('192.0.2.22', 0), rs('192.0.2.23', 2)]}
FW = {'key': 'fwmark 3', 'name': 'fw', 'fwmark': 3, 'group': None, 'ip': None, 'port': None, 'is_fwmark': True,
      'protocol': 'TCP', 'real_servers': [rs('192.0.2.21', port=None)]}
GONE = dict(WEB, key='192.0.2.101 80', name='gone', ip='192.0.2.101')
MODEL = {'virtual_servers': [WEB, FW, GONE], 'groups': {}}
LIVE = [svc('-t 192.0.2.100:80', '192.0.2.100', 80,
            [lrs('192.0.2.21'), lrs('192.0.2.22', 0), lrs('192.0.2.23', 5), lrs('192.0.2.99')], persistence=300),
        svc('-f 3', None, None, [lrs('192.0.2.21', 0)], fwmark=3, protocol=None),
        svc('-u 192.0.2.100:53', '192.0.2.100', 53, [])]


def vrrp(state, running=True, ok=True):
    return {'running': running, 'config_ok': ok, 'config_errors': [] if ok else ['bad line'],
            'instances': [{'name': 'VI_1', 'state': state, 'effective_priority': 200, 'base_priority': 200,
                           'vips': ['192.0.2.100/24'], 'vips_set': state == 'MASTER'},
                          {'name': 'VI_2', 'state': 'FAULT' if not ok else state, 'effective_priority': 50, 'base_priority': 150,
                           'vips': [], 'vips_set': False}]}


HOSTVARS = {
    'd1': {'_director_status_vrrp': vrrp('BACKUP'), '_director_status_ipvs': {'services': LIVE}, '_director_model': MODEL},
    'd2': {'_director_status_vrrp': vrrp('MASTER', ok=False), '_director_status_ipvs': {'services': LIVE[:1]}, '_director_model': MODEL},
    'd3': {'_director_status_vrrp': {'running': False, 'config_ok': True, 'config_errors': [], 'instances': []},
           '_director_status_ipvs': {'services': []}, '_director_model': {'virtual_servers': [], 'groups': {}}},
}


def directors(*hosts, hostvars=None):
    hostvars = hostvars or HOSTVARS
    return [{'host': h, 'vrrp': hostvars[h]['_director_status_vrrp'], 'ipvs': hostvars[h]['_director_status_ipvs'],
             'model': hostvars[h]['_director_model']} for h in hosts]


def test_cluster_with_every_warning():
    assert status_lines(directors('d1', 'd2', 'd3')) == [
        'VRRP',
        '  d1             VI_1           BACKUP  priority 200 of 200  ',
        '  d1             VI_2           BACKUP  priority  50 of 150  ',
        '  d2             VI_1           MASTER  priority 200 of 200  holds 192.0.2.100/24',
        '  d2             VI_2           FAULT   priority  50 of 150  ',
        '  d3             keepalived not running',
        '',
        'IPVS on d2 (master)',
        '  web  -t 192.0.2.100:80  wlc  persistent 300 s',
        '    192.0.2.21:80         weight 1   up        active 3    inactive 1',
        '    192.0.2.22:80         weight 0   drained   active 3    inactive 1',
        '    192.0.2.23:80         weight 5   drift     active 3    inactive 1',
        '',
        'WARNINGS',
        '  - d2: instance VI_2 is FAULT',
        '  - d2: keepalived -t fails: bad line',
        '  - d3: keepalived is not running',
        '  - instance VI_2 has 0 masters (): VIPs down',
        '  - d1: web real server 192.0.2.23 has weight 5, the inventory says 2 (changed outside keepalived?)',
        '  - d1: web has real server 192.0.2.99 live that the inventory does not list',
        '  - d1: fw real server 192.0.2.21 has weight 0, the inventory says 1 (changed outside keepalived?)',
        '  - d1: fw: every real server has weight 0, the service accepts connections and sends them nowhere; return a '
        'drained one (drain.yml -e drain_action=return) or fix the weights',
        '  - d1: gone (192.0.2.101 80) is not in the live IPVS table',
        '  - d1: live service -u 192.0.2.100:53 is not in the inventory',
        '  - d2: web real server 192.0.2.23 has weight 5, the inventory says 2 (changed outside keepalived?)',
        '  - d2: web has real server 192.0.2.99 live that the inventory does not list',
        '  - d2: fw (fwmark 3) is not in the live IPVS table',
        '  - d2: gone (192.0.2.101 80) is not in the live IPVS table',
    ]


def test_split_brain_and_no_master():
    hostvars = copy.deepcopy(HOSTVARS)
    hostvars['d1']['_director_status_vrrp'] = vrrp('MASTER')
    lines = status_lines(directors('d1', 'd2', hostvars=hostvars))
    assert '  - instance VI_1 has 2 masters (d1/VI_1, d2/VI_1): split brain' in lines
    assert 'IPVS on d1 (master)' in lines


def test_healthy_cluster():
    model = {'virtual_servers': [dict(WEB, real_servers=[rs('192.0.2.21')])], 'groups': {}}
    live = [svc('-t 192.0.2.100:80', '192.0.2.100', 80, [lrs('192.0.2.21')])]
    hostvars = {h: {'_director_status_vrrp': vrrp(state), '_director_status_ipvs': {'services': live}, '_director_model': model}
                for h, state in (('d1', 'MASTER'), ('d2', 'BACKUP'))}
    for h in hostvars:
        hostvars[h]['_director_status_vrrp']['instances'].pop()
    lines = status_lines(directors('d1', 'd2', hostvars=hostvars))
    assert lines[-1] == 'No warnings: one master per instance, the live tables match the inventory.'
    assert '    192.0.2.21:80         weight 1   up        active 3    inactive 1' in lines


def test_group_services_are_shown_and_matched():
    group = dict(WEB, key='group g', name='grp', group='g', ip=None, port=None, real_servers=[rs('192.0.2.21')])
    model = {'virtual_servers': [group], 'groups': {'g': ['192.0.2.10-11 80', 'fwmark 7']}}
    live = [svc('-t 192.0.2.10:80', '192.0.2.10', 80, [lrs('192.0.2.21')]),
            svc('-f 7', None, None, [], fwmark=7, protocol=None)]
    hostvars = {'d1': {'_director_status_vrrp': vrrp('MASTER'), '_director_status_ipvs': {'services': live},
                       '_director_model': model}}
    lines = status_lines(directors('d1', hostvars=hostvars))
    assert '  grp  -t 192.0.2.10:80  wlc' in lines
    assert '  grp  -f 7  wlc' in lines
    assert '  - d1: grp (g 192.0.2.10-11 80) is not in the live IPVS table' in lines  # 192.0.2.11 is missing
    assert '  - d1: grp: no real server is serving (all health checks failing?)' in lines
    assert not [line for line in lines if 'is not in the inventory' in line]


def test_ipv6_service_is_matched_and_its_real_servers_bracketed():
    web6 = dict(WEB, key='2001:db8::100 80', name='web6', ip='2001:db8::100', real_servers=[rs('2001:db8::21')])
    model = {'virtual_servers': [web6], 'groups': {}}
    live = [svc('-t [2001:db8::100]:80', '2001:db8::100', 80, [lrs('2001:db8::21')])]
    hostvars = {'d1': {'_director_status_vrrp': vrrp('MASTER'), '_director_status_ipvs': {'services': live},
                       '_director_model': model}}
    hostvars['d1']['_director_status_vrrp']['instances'].pop()
    lines = status_lines(directors('d1', hostvars=hostvars))
    assert '    [2001:db8::21]:80     weight 1   up        active 3    inactive 1' in lines
    assert lines[-1] == 'No warnings: one master per instance, the live tables match the inventory.', lines


# The depool guard: web keeps 192.0.2.21 and .22 in (3 of weight 4 failing, threshold 0.5: 2 needed); fw's check
# fails on 192.0.2.21 without a hold (weight 0, inhibit_on_failure). The state as lvs-ha-depool-guard.py writes it.
KEEP = {'policy': 'keep', 'threshold': 0.5, 'weight': 4, 'min_weight': 2}
GUARDED = {'virtual_servers': [dict(WEB, depool_guard=KEEP, real_servers=[rs('192.0.2.21'), rs('192.0.2.22'), rs('192.0.2.23', 2)]),
                               dict(FW, depool_guard=dict(KEEP, weight=1, min_weight=1),
                                    real_servers=[rs('192.0.2.21', port=None), rs('192.0.2.22', port=None)])],
           'groups': {}}
GUARDED_LIVE = [svc('-t 192.0.2.100:80', '192.0.2.100', 80, [lrs('192.0.2.21'), lrs('192.0.2.22'), lrs('192.0.2.23', 2)]),
                svc('-f 3', None, None, [lrs('192.0.2.21', 0), lrs('192.0.2.22')], fwmark=3, protocol=None)]
DEPOOL = {'192.0.2.100 80': {'down': ['192.0.2.21 80', '192.0.2.22 80'], 'holding': True, 'since': 1795563612.5,
                             'live_weight': 2, 'name': 'web', 'weight': 4, 'min_weight': 3},
          'fwmark 3': {'down': ['192.0.2.21 -'], 'holding': False, 'since': None, 'live_weight': 1, 'name': 'fw',
                       'weight': 2, 'min_weight': 1}}


def guarded(depool=None, model=None, live=None):
    vrrp_state = vrrp('MASTER')
    vrrp_state['instances'].pop()
    return [{'host': 'd1', 'vrrp': vrrp_state, 'ipvs': {'services': live or GUARDED_LIVE}, 'model': model or GUARDED,
             'depool': depool}]


def test_the_depool_guard_holding_is_shown_under_its_service_and_warned():
    assert status_lines(guarded(DEPOOL))[3:] == [
        'IPVS on d1 (master)',
        '  web  -t 192.0.2.100:80  wlc',
        '    192.0.2.21:80         weight 1   held (check failing) active 3    inactive 1',
        '    192.0.2.22:80         weight 1   held (check failing) active 3    inactive 1',
        '    192.0.2.23:80         weight 2   up        active 3    inactive 1',
        '    depool guard HOLDING since 2026-11-24 23:40:12 UTC: checks fail on 192.0.2.21:80, 192.0.2.22:80; kept in at '
        'their weights (live weight 2 of 4, below 3: depool_threshold 0.5)',
        '  fw  -f 3  wlc',
        '    192.0.2.21            weight 0   down (check failing) active 3    inactive 1',
        '    192.0.2.22            weight 1   up        active 3    inactive 1',
        '',
        'WARNINGS',
        '  - d1: web: the depool guard keeps 192.0.2.21:80, 192.0.2.22:80 in service although their checks fail (live '
        'weight 2 of 4, below 3); mend the check or the real servers (journalctl -u keepalived says which check fails)',
    ]


def test_without_the_guard_s_state_nothing_is_held():
    """No state file (no check failed since boot), or a service whose policy is no longer keep: IPVS's word stands."""
    lines = status_lines(guarded(None))
    assert '    192.0.2.21:80         weight 1   up        active 3    inactive 1' in lines
    assert '  - d1: fw real server 192.0.2.21 has weight 0, the inventory says 1 (changed outside keepalived?)' in lines
    off = {'virtual_servers': [dict(GUARDED['virtual_servers'][0], depool_guard=dict(KEEP, policy='off'))], 'groups': {}}
    lines = status_lines(guarded(DEPOOL, off, GUARDED_LIVE[:1]))
    assert lines[-1] == 'No warnings: one master per instance, the live tables match the inventory.', lines


def test_an_ipv6_real_server_held_is_found_whatever_its_spelling():
    web6 = dict(WEB, key='2001:db8::100 80', ip='2001:db8::100', depool_guard=dict(KEEP, weight=1, min_weight=1),
                real_servers=[rs('2001:db8::21')])
    live = [svc('-t [2001:db8::100]:80', '2001:db8::100', 80, [lrs('2001:db8::21')])]
    depool = {'2001:db8::100 80': {'down': ['2001:0db8::0021 80'], 'holding': True, 'since': 0.0, 'live_weight': 0,
                                   'weight': 1, 'min_weight': 1}}
    lines = status_lines(guarded(depool, {'virtual_servers': [web6], 'groups': {}}, live))
    assert '    [2001:db8::21]:80     weight 1   held (check failing) active 3    inactive 1' in lines
    assert ('    depool guard HOLDING since 1970-01-01 00:00:00 UTC: checks fail on [2001:db8::21]:80; kept in at their '
            'weights (live weight 0 of 1, below 1: depool_threshold 0.5)') in lines


def test_the_sorry_server_in_the_live_table_is_shown_not_called_stray():
    sorry = dict(WEB, sorry_server={'ip': '192.0.2.99'}, quorum=2,
                 depool_guard={'policy': 'sorry', 'threshold': 0.5, 'weight': 4, 'min_weight': 2})
    live = [svc('-t 192.0.2.100:80', '192.0.2.100', 80, [lrs('192.0.2.99')])]
    lines = status_lines(guarded({}, {'virtual_servers': [sorry], 'groups': {}}, live))
    assert '    sorry server in: live weight below threshold 2' in lines
    assert ('  - d1: web: the sorry server 192.0.2.99 serves instead of the real servers (live weight below 2); mend the '
            'checks or the real servers') in lines
    assert not [line for line in lines if 'does not list' in line]


def test_the_filter_reads_the_guard_s_state_as_slurp_returns_it():
    state = {'keepalived_pid': 4242, 'services': DEPOOL}
    content = base64.b64encode(json.dumps(state).encode()).decode()
    assert depool_services({'content': content, 'encoding': 'base64'}) == DEPOOL
    # Absent (slurp failed, failed_when: false), not the guard's, or not set at all.
    assert depool_services({'failed': True, 'msg': 'file not found: /run/lvs-ha/depool-guard.json'}) == {}
    assert depool_services({'content': base64.b64encode(b'{"serv').decode()}) == {}
    assert depool_services(None) == {}
