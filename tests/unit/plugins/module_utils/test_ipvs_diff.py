# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible_collections.lvs.ha.plugins.module_utils.ipvs_diff import diff, merge, satisfied, unknown_thresholds
from ansible_collections.lvs.ha.plugins.module_utils.ipvs_parser import parse_save
from ansible_collections.lvs.ha.plugins.module_utils.ipvs_render import render_change
from ansible_collections.lvs.ha.plugins.module_utils.ipvs_validate import table_from_params

LIVE = """-A -t 10.0.0.1:80 -s wrr
-a -t 10.0.0.1:80 -r 10.0.0.21:80 -g -w 2
-a -t 10.0.0.1:80 -r 10.0.0.22:80 -g -w 1
-A -t 10.0.0.1:443 -s wlc
-a -t 10.0.0.1:443 -r 10.0.0.21:443 -g -w 1
"""


def lines(before, after):
    return [render_change(change) for change in diff(before, after)]


def desired(*services):
    return table_from_params(list(services))


def web(**changes):
    svc = dict(address='10.0.0.1', port=80, scheduler='wrr', real_servers=[
        dict(address='10.0.0.21', weight=2), dict(address='10.0.0.22', weight=1)])
    svc.update(changes)
    return svc


def test_same_table_no_changes():
    live = parse_save(LIVE)
    assert lines(live, merge(live, desired(web()))) == []


def test_weight_change_is_one_edit():
    live = parse_save(LIVE)
    svc = web(real_servers=[dict(address='10.0.0.21', weight=5), dict(address='10.0.0.22', weight=1)])
    assert lines(live, merge(live, desired(svc))) == ['-e -t 10.0.0.1:80 -r 10.0.0.21:80 -g -w 5']


def test_scheduler_change_edits_the_service_only():
    live = parse_save(LIVE)
    assert lines(live, merge(live, desired(web(scheduler='rr')))) == ['-E -t 10.0.0.1:80 -s rr']


def test_new_service_then_its_servers():
    live = parse_save(LIVE)
    svc = dict(protocol='udp', address='10.0.0.1', port=53, scheduler='rr',
               real_servers=[dict(address='10.0.0.23', port=5353, forwarding='nat')])
    assert lines(live, merge(live, desired(svc))) == [
        '-A -u 10.0.0.1:53 -s rr', '-a -u 10.0.0.1:53 -r 10.0.0.23:5353 -m -w 1']


def test_purge_deletes_services_first_and_undeclared_servers():
    live = parse_save(LIVE)
    svc = web(real_servers=[dict(address='10.0.0.21', weight=2)])
    assert lines(live, merge(live, desired(svc), purge_services=True, purge_servers=True)) == [
        '-D -t 10.0.0.1:443', '-d -t 10.0.0.1:80 -r 10.0.0.22:80']


def test_without_purge_undeclared_things_stay():
    live = parse_save(LIVE)
    svc = web(real_servers=[dict(address='10.0.0.21', weight=2)])
    assert lines(live, merge(live, desired(svc))) == []


def test_unlisted_real_servers_are_unmanaged():
    live = parse_save(LIVE)
    svc = web()
    del svc['real_servers']
    after = merge(live, desired(svc))
    assert lines(live, after) == []
    assert list(after['-t 10.0.0.1:80'].real_servers) == ['10.0.0.21:80', '10.0.0.22:80']


def test_absent_service():
    live = parse_save(LIVE)
    assert lines(live, merge(live, {}, absent=['-t 10.0.0.1:443'])) == ['-D -t 10.0.0.1:443']


def test_forwarding_change_is_an_edit_and_thresholds_unknown_are_flagged():
    live = parse_save(LIVE)
    svc = web(real_servers=[dict(address='10.0.0.21', weight=2, forwarding='tun'), dict(address='10.0.0.22')])
    changes = diff(live, merge(live, desired(svc)))
    assert [render_change(c) for c in changes] == ['-e -t 10.0.0.1:80 -r 10.0.0.21:80 -i -w 2 --tun-type ipip']
    assert unknown_thresholds(changes), 'an edit without read thresholds would reset them'


def test_thresholds_kept_when_unset_and_rendered():
    live = parse_save(LIVE)
    for server in live['-t 10.0.0.1:80'].real_servers.values():
        server.upper_threshold, server.lower_threshold = 100, 10
    svc = web(real_servers=[dict(address='10.0.0.21', weight=3), dict(address='10.0.0.22')])
    changes = diff(live, merge(live, desired(svc)))
    assert [render_change(c) for c in changes] == ['-e -t 10.0.0.1:80 -r 10.0.0.21:80 -g -w 3 -x 100 -y 10']
    assert not unknown_thresholds(changes)


def test_satisfied_checks_each_kind_of_change():
    live = parse_save(LIVE)
    svc = dict(protocol='udp', address='10.0.0.1', port=53, real_servers=[dict(address='10.0.0.23')])
    after = merge(live, desired(web(scheduler='rr'), svc), purge_services=True)
    changes = diff(live, after)
    assert [c.action for c in changes] == ['delete-service', 'edit-service', 'add-service', 'add-server']
    assert [satisfied(c, live) for c in changes] == [False, False, False, False]
    assert [satisfied(c, after) for c in changes] == [True, True, True, True]


def test_merge_reuses_unchanged_objects():
    live = parse_save(LIVE)
    after = merge(live, desired(web()), purge_services=True, purge_servers=True)
    assert after['-t 10.0.0.1:80'] is live['-t 10.0.0.1:80']
    assert '-t 10.0.0.1:443' not in after


def test_same_rules_fast_path():
    from ansible_collections.lvs.ha.plugins.module_utils.ipvs_apply import same_rules
    live_text = LIVE
    assert same_rules(live_text, desired(web()), purge=False)
    assert not same_rules(live_text, desired(web()), purge=True), 'the 443 service would be purged'
    assert not same_rules(live_text, desired(web(scheduler='rr')), purge=False)
    with_threshold = web(real_servers=[dict(address='10.0.0.21', weight=2, upper_threshold=0), dict(address='10.0.0.22')])
    assert not same_rules(live_text, desired(with_threshold), purge=False), 'thresholds are not in the save text'
