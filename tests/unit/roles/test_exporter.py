# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The director's exporter (roles/director/files/lvs-ha-exporter.py) on recorded
sources: keepalived's JSON dumps of the lab, /proc/net/ip_vs as the kernel prints
it (IPv4, IPv6, fwmark), `ipvsadm -L --daemon`, and `nft -j list ruleset` recorded
from the role's table (tools/record_nft_fixtures.sh), the depool guard's state as
its own update() writes it; what a scrape exposes, and a broken source next to
working ones."""

from __future__ import annotations

import importlib.util
import os
import signal
import shutil
import socket
import json
import subprocess

import pytest

pytest.importorskip('prometheus_client')   # the matrix's virtualenvs have only the test tools
from prometheus_client import generate_latest  # noqa: E402

HERE = os.path.dirname(__file__)
FIXTURES = os.path.join(HERE, '..', 'fixtures')
PATH = os.path.join(HERE, '..', '..', '..', 'roles', 'director', 'files', 'lvs-ha-exporter.py')
SPEC = importlib.util.spec_from_file_location('lvs_ha_exporter', PATH)
exporter = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(exporter)
GUARD_SPEC = importlib.util.spec_from_file_location(
    'lvs_ha_depool_guard', os.path.join(HERE, '..', '..', '..', 'roles', 'director', 'files', 'lvs-ha-depool-guard.py'))
guard = importlib.util.module_from_spec(GUARD_SPEC)
GUARD_SPEC.loader.exec_module(guard)


def fixture(name):
    return os.path.join(FIXTURES, name)


def read(name):
    with open(fixture(name), encoding='utf-8') as f:
        return f.read()


class Recorded:
    """subprocess.run replaced by recorded output, by the command's first argument."""

    def __init__(self, outputs):
        self.outputs, self.calls = outputs, []

    def __call__(self, argv, **kwargs):
        self.calls.append(argv)
        rc, out, err = self.outputs[os.path.basename(argv[0])]
        return subprocess.CompletedProcess(argv, rc, out, err)


RECORDED = {'ipvsadm': (0, read('list_daemon.txt'), ''), 'nft': (0, read('nft_ruleset_ip.json'), '')}


@pytest.fixture
def files(tmp_path):
    (tmp_path / 'hold').write_text('-253\n')
    (tmp_path / 'switchover').write_text('0\n')
    return tmp_path


def options(files, *extra):
    return ['--keepalived-pid-file', '', '--keepalived-dump', fixture('keepalived_master.json'),
            '--services-file', fixture('lvs_ha_services.json'), '--ipvs-table', fixture('proc_net_ip_vs.txt'),
            '--rejoin-hold-file', str(files / 'hold'), '--switchover-file', str(files / 'switchover'),
            '--depool-guard-state', str(files / 'no-depool-guard.json'), *extra]


def scrape(argv, outputs=None):
    return exporter.registry(exporter.parse(argv), run=Recorded(outputs or RECORDED))


def rs(service, vip, port, real_server, real_server_port, protocol='TCP', fwmark=''):
    return dict(service=service, protocol=protocol, vip=vip, port=port, fwmark=fwmark,
                real_server=real_server, real_server_port=real_server_port)


def test_ip_vs_addresses_of_both_families_and_fwmarks():
    table = exporter.parse_ip_vs(read('proc_net_ip_vs.txt'))
    assert table[('TCP', '10.77.0.10', 80)] == {('10.77.0.21', 80): 1, ('10.77.0.22', 80): 0}
    assert table[('UDP', '10.77.0.10', 53)] == {('10.77.0.21', 53): 1}
    assert table[('TCP', '10.77.0.10', 81)] == {('fd00:77::23', 81): 1}   # IPv6 real server, TUN
    assert table[('TCP', 'fd00:77::10', 80)] == {('fd00:77::21', 80): 1}
    assert table[('TCP', 'fd00:77::10', 443)] == {}                        # persistent, no real server
    # The IPv4 and the IPv6 service of mark 7 print alike: their real servers together.
    assert table[('FWM', 7)] == {('10.77.0.21', 0): 1, ('10.77.0.22', 0): 1, ('fd00:77::21', 0): 1}
    assert len(table) == 9


def test_addresses_have_one_spelling():
    assert exporter.proc_address('0A4D000A') == '10.77.0.10'
    assert exporter.proc_address('[fd00:0077:0000:0000:0000:0000:0000:0010]') == 'fd00:77::10'
    assert exporter.address('FD00:0077::0010') == 'fd00:77::10'
    assert exporter.address('web1') == 'web1'


def test_vrrp_of_the_master_and_the_backup(files):
    master = scrape(options(files))
    labels = {'iname': 'VI_DEFAULT', 'intf': 'eth0', 'vrid': '77'}
    assert master.get_sample_value('keepalived_vrrp_state', labels) == 2
    assert master.get_sample_value('keepalived_vrrp_instance_state', {**labels, 'state': 'MASTER'}) == 1
    assert master.get_sample_value('keepalived_vrrp_instance_state', {**labels, 'state': 'BACKUP'}) == 0
    assert master.get_sample_value('keepalived_advertisements_sent_total', labels) == 110
    assert master.get_sample_value('keepalived_become_master_total', labels) == 1
    assert master.get_sample_value('keepalived_vrrp_vip_set', {**labels, 'vip': '10.77.0.10/24'}) == 1
    assert master.get_sample_value('keepalived_vrrp_last_transition_timestamp_seconds', labels) == 1795563513.664037
    backup = scrape(options(files, '--keepalived-dump', fixture('keepalived_backup.json')))
    assert backup.get_sample_value('keepalived_vrrp_instance_state', {**labels, 'state': 'BACKUP'}) == 1
    assert backup.get_sample_value('keepalived_vrrp_instance_state', {**labels, 'state': 'MASTER'}) == 0
    assert backup.get_sample_value('keepalived_advertisements_received_total', labels) == 133
    assert backup.get_sample_value('keepalived_vrrp_effective_priority', labels) == 150
    assert backup.get_sample_value('keepalived_vrrp_base_priority', labels) == 150
    assert backup.get_sample_value('keepalived_vrrp_vip_set', {**labels, 'vip': '10.77.0.10/24'}) == 0


@pytest.mark.parametrize('labels, up', [
    (rs('web', '10.77.0.10', '80', '10.77.0.21', '80'), 1),
    (rs('web', '10.77.0.10', '80', '10.77.0.22', '80'), 0),              # weight 0: inhibit_on_failure
    (rs('web', '10.77.0.10', '80', '10.77.0.23', '80'), 0),              # removed by the checker
    (rs('dns', '10.77.0.10', '53', '10.77.0.21', '53', protocol='UDP'), 1),
    (rs('tunnelled', '10.77.0.10', '81', 'fd00:77::23', '81'), 1),       # written fd00:0077::0023
    (rs('web6', 'fd00:77::10', '80', 'fd00:77::21', '80'), 1),
    (rs('web6', 'fd00:77::10', '80', 'fd00:77::22', '80'), 0),
    (rs('fwmark 7', '', '', 'fd00:77::21', '', protocol='FWM', fwmark='7'), 1),
    (rs('fwmark 7', '', '', '10.77.0.23', '', protocol='FWM', fwmark='7'), 0),   # drained
    (rs('grouped', '10.77.0.15', '80', '10.77.0.21', '80'), 1),
    (rs('grouped', '10.77.0.14', '80', '10.77.0.21', '80'), 0),          # that member is not in IPVS
])
def test_each_real_server_up_when_in_ipvs_with_weight(files, labels, up):
    assert scrape(options(files)).get_sample_value('lvs_ha_real_server_up', labels) == up


def test_services_count_their_real_servers_up_and_configured(files):
    reg = scrape(options(files))
    web = dict(service='web', protocol='TCP', vip='10.77.0.10', port='80', fwmark='')
    assert reg.get_sample_value('lvs_ha_virtual_server_real_servers', web) == 3
    assert reg.get_sample_value('lvs_ha_virtual_server_real_servers_up', web) == 1
    assert reg.get_sample_value('lvs_ha_virtual_server_up', web) == 1
    fwmark = dict(service='fwmark 7', protocol='FWM', vip='', port='', fwmark='7')
    assert reg.get_sample_value('lvs_ha_virtual_server_real_servers_up', fwmark) == 3
    drained = rs('fwmark 7', '', '', '10.77.0.23', '', protocol='FWM', fwmark='7')
    assert reg.get_sample_value('lvs_ha_real_server_configured_weight', drained) == 0
    absent = dict(service='grouped', protocol='TCP', vip='10.77.0.14', port='80', fwmark='')
    assert reg.get_sample_value('lvs_ha_virtual_server_up', absent) == 0
    tls6 = dict(service='web6-tls', protocol='TCP', vip='fd00:77::10', port='443', fwmark='')
    assert reg.get_sample_value('lvs_ha_virtual_server_real_servers_up', tls6) == 0
    # A service IPVS has and the role did not configure (10.77.0.12:25) is not exported.
    assert 'vip="10.77.0.12"' not in generate_latest(reg).decode()


def test_sync_daemons_wanted_and_running(files):
    reg = scrape(options(files))
    assert reg.get_sample_value('lvs_ha_sync_daemon_up', {'role': 'master'}) == 1
    assert reg.get_sample_value('lvs_ha_sync_daemon_up', {'role': 'backup'}) == 1
    assert reg.get_sample_value('lvs_ha_sync_daemon_info', {'role': 'backup', 'interface': 'eth1', 'syncid': '20'}) == 1
    only_backup = {**RECORDED, 'ipvsadm': (0, read('list_daemon.txt').splitlines()[1] + '\n', '')}
    reg = scrape(options(files), only_backup)
    assert reg.get_sample_value('lvs_ha_sync_daemon_up', {'role': 'master'}) == 0
    assert reg.get_sample_value('lvs_ha_exporter_source_up', {'source': 'sync_daemon'}) == 1
    # backup_only: the role wants the one daemon keepalived runs.
    reg = scrape(options(files, '--sync-daemon', 'backup'), only_backup)
    assert reg.get_sample_value('lvs_ha_sync_daemon_up', {'role': 'master'}) is None


@pytest.mark.parametrize('recorded, drops', [
    ('nft_ruleset_ip.json', {'forged_vrrp': 2, 'forged_sync': 3, 'stray_tcp': 6}),
    # family inet with IPv6 twins of the rules: 1 more advert, 4 more ACKs.
    ('nft_ruleset_inet.json', {'forged_vrrp': 3, 'forged_sync': 3, 'stray_tcp': 10}),
])
def test_nftables_drops_by_reason_from_the_lvs_ha_table_only(files, recorded, drops):
    # The other table's rule has a VRRP comment and a counter of 1: not counted.
    assert exporter.nft_drops(read(recorded), 'lvs_ha') == drops
    reg = scrape(options(files), {**RECORDED, 'nft': (0, read(recorded), '')})
    for reason, packets in drops.items():
        assert reg.get_sample_value('lvs_ha_nft_dropped_packets_total', {'reason': reason}) == packets


def test_track_files(files):
    reg = scrape(options(files))
    assert reg.get_sample_value('lvs_ha_rejoin_hold_active') == 1
    assert reg.get_sample_value('lvs_ha_switchover_away') == 0
    (files / 'hold').write_text('0\n')
    (files / 'switchover').write_text('-253\n')
    reg = scrape(options(files))
    assert reg.get_sample_value('lvs_ha_rejoin_hold_active') == 0
    assert reg.get_sample_value('lvs_ha_switchover_away') == 1


def test_a_missing_source_is_down_and_the_others_export(files, capsys):
    broken = {**RECORDED, 'nft': (1, '', 'Error: Could not process rule: Operation not permitted')}
    reg = scrape(options(files, '--ipvs-table', str(files / 'absent')), broken)
    up = {s: reg.get_sample_value('lvs_ha_exporter_source_up', {'source': s}) for s in exporter.SOURCES}
    assert up == {'keepalived': 1, 'ipvs': 0, 'sync_daemon': 1, 'nftables': 0, 'rejoin_hold': 1, 'switchover': 1,
                  'depool_guard': 1}
    text = generate_latest(reg).decode()
    assert 'lvs_ha_real_server_up{' not in text         # nothing half-read
    assert 'lvs_ha_nft_dropped_packets_total{' not in text
    assert 'keepalived_advertisements_sent_total{' in text
    err = capsys.readouterr().err
    assert 'ipvs: SourceError: ' in err and 'absent: No such file or directory' in err
    assert 'Operation not permitted' in err
    generate_latest(reg)   # a second scrape, same errors: said once
    assert capsys.readouterr().err == ''


def test_a_half_read_source_exports_nothing(files, tmp_path):
    dump = tmp_path / 'dump.json'
    dump.write_text('[{"data": {"iname": "VI_1", "state": 2}, "stats": {}}, {"data": {}}]')
    reg = scrape(options(files, '--keepalived-dump', str(dump)))
    assert reg.get_sample_value('lvs_ha_exporter_source_up', {'source': 'keepalived'}) == 0
    assert reg.get_sample_value('keepalived_vrrp_state', {'iname': 'VI_1', 'intf': '', 'vrid': ''}) is None


def test_only_the_chosen_sources_are_read(files):
    run = Recorded(RECORDED)
    reg = exporter.registry(exporter.parse(options(files, '--source', 'keepalived', '--source', 'switchover')), run)
    assert reg.get_sample_value('lvs_ha_exporter_source_up', {'source': 'keepalived'}) == 1
    assert reg.get_sample_value('lvs_ha_exporter_source_up', {'source': 'nftables'}) is None
    assert run.calls == []


def test_exposition_types_and_names(files):
    text = generate_latest(scrape(options(files))).decode()
    assert '# TYPE keepalived_advertisements_received_total counter' in text
    assert '# TYPE lvs_ha_nft_dropped_packets_total counter' in text
    assert '# TYPE lvs_ha_real_server_up gauge' in text
    assert 'lvs_ha_nft_dropped_packets_total{reason="stray_tcp"} 6.0' in text
    assert 'process_resident_memory_bytes ' in text   # the exporter's own cost, scraped with it
    for name, (kind, labels, _help) in exporter.METRICS.items():
        assert '# TYPE %s %s\n' % (name, kind) in text


# The depool guard: web holds (2 of 3 checks fail), web6 holds (both fail, its second real server written
# fd00:0077::0022 in the model), fwmark 7 does not (1 of 2 fails: that one is at weight 0), dns's failed check
# came back; tls is of policy sorry (its sorry server in IPVS), not the guard's.
GUARD_EVENTS = [('down', '10.77.0.21', '80', '10.77.0.10 80', 1795563600.0),
                ('down', '10.77.0.22', '80', '10.77.0.10 80', 1795563612.5),
                ('down', '10.77.0.22', '-', 'fwmark 7', 1795563620.0),
                ('down', 'fd00:77::21', '80', 'fd00:77::10 80', 1795563630.0),
                ('down', 'fd00:0077::0022', '80', 'fd00:77::10 80', 1795563631.0),
                ('down', '10.77.0.22', '53', '10.77.0.10 53', 1795563640.0),
                ('up', '10.77.0.22', '53', '10.77.0.10 53', 1795563650.0)]


def guarded(files, *extra):
    return options(files, '--services-file', fixture('lvs_ha_services_depool.json'),
                   '--ipvs-table', fixture('proc_net_ip_vs_depool.txt'),
                   '--depool-guard-state', fixture('depool_guard_state.json'), *extra)


def test_the_state_fixture_is_what_the_guard_writes():
    services = json.loads(read('lvs_ha_services_depool.json'))['virtual_servers']
    state = {'keepalived_pid': 4242, 'services': {}}
    for kind, ip, port, key, now in GUARD_EVENTS:
        guard.update(state, services, guard.parse(['lvs-ha-depool-guard', kind, ip, port] + key.split()), now)
    assert state == json.loads(read('depool_guard_state.json'))


@pytest.mark.parametrize('service, key, holding, failing', [
    ('web', '10.77.0.10 80', 1, 2),
    ('web6', 'fd00:77::10 80', 1, 2),
    ('fwmark 7', 'fwmark 7', 0, 1),
    ('dns', '10.77.0.10 53', 0, 0),
    ('tls', '10.77.0.10 443', None, None),     # policy sorry: keepalived's quorum, no guard
])
def test_depool_guard_per_service_of_policy_keep(files, service, key, holding, failing):
    reg = scrape(guarded(files))
    labels = {'service': service, 'key': key}
    assert reg.get_sample_value('lvs_ha_depool_guard_holding', labels) == holding
    assert reg.get_sample_value('lvs_ha_depool_guard_checks_failing', labels) == failing


@pytest.mark.parametrize('labels, up', [
    (rs('web', '10.77.0.10', '80', '10.77.0.21', '80'), 0),     # held in at weight 1, its check fails
    (rs('web', '10.77.0.10', '80', '10.77.0.22', '80'), 0),
    (rs('web', '10.77.0.10', '80', '10.77.0.23', '80'), 1),
    (rs('web6', 'fd00:77::10', '80', 'fd00:77::22', '80'), 0),  # the state says fd00:0077::0022
    (rs('fwmark 7', '', '', '10.77.0.22', '', protocol='FWM', fwmark='7'), 0),   # not held: weight 0
    (rs('fwmark 7', '', '', '10.77.0.21', '', protocol='FWM', fwmark='7'), 1),
    (rs('dns', '10.77.0.10', '53', '10.77.0.22', '53', protocol='UDP'), 1),
    (rs('tls', '10.77.0.10', '443', '10.77.0.21', '443'), 0),   # the sorry server serves instead
])
def test_a_real_server_held_in_is_not_up(files, labels, up):
    assert scrape(guarded(files)).get_sample_value('lvs_ha_real_server_up', labels) == up


def test_services_count_held_real_servers_as_down(files):
    reg = scrape(guarded(files))
    web = dict(service='web', protocol='TCP', vip='10.77.0.10', port='80', fwmark='')
    assert reg.get_sample_value('lvs_ha_virtual_server_real_servers_up', web) == 1
    web6 = dict(service='web6', protocol='TCP', vip='fd00:77::10', port='80', fwmark='')
    assert reg.get_sample_value('lvs_ha_virtual_server_real_servers_up', web6) == 0


def test_no_state_file_is_nothing_held(files):
    reg = scrape(guarded(files, '--depool-guard-state', str(files / 'absent.json')))
    assert reg.get_sample_value('lvs_ha_exporter_source_up', {'source': 'depool_guard'}) == 1
    assert reg.get_sample_value('lvs_ha_depool_guard_holding', {'service': 'web', 'key': '10.77.0.10 80'}) == 0
    assert reg.get_sample_value('lvs_ha_depool_guard_checks_failing', {'service': 'web', 'key': '10.77.0.10 80'}) == 0
    # IPVS's weights stand.
    assert reg.get_sample_value('lvs_ha_real_server_up', rs('web', '10.77.0.10', '80', '10.77.0.21', '80')) == 1


def test_a_broken_state_fails_the_guard_source_only(files, capsys):
    (files / 'broken.json').write_text('{"keepalived_pid": 42, "serv')
    reg = scrape(guarded(files, '--depool-guard-state', str(files / 'broken.json')))
    assert reg.get_sample_value('lvs_ha_exporter_source_up', {'source': 'depool_guard'}) == 0
    assert reg.get_sample_value('lvs_ha_exporter_source_up', {'source': 'ipvs'}) == 1
    assert reg.get_sample_value('lvs_ha_real_server_up', rs('web', '10.77.0.10', '80', '10.77.0.21', '80')) == 1
    assert "broken.json: not the depool guard's JSON" in capsys.readouterr().err


def test_the_state_is_read_once_per_scrape(files, monkeypatch):
    reads = []
    real = exporter.read_guard_state
    monkeypatch.setattr(exporter, 'read_guard_state', lambda path: reads.append(path) or real(path))
    reg = scrape(guarded(files))
    generate_latest(reg)
    assert reads == [fixture('depool_guard_state.json')]
    generate_latest(reg)
    assert len(reads) == 2
    # Without the depool_guard source (no service of policy keep) the ipvs source does not read it.
    generate_latest(scrape(guarded(files, '--source', 'ipvs')))
    assert len(reads) == 2


def test_keepalived_is_signalled_and_its_new_dump_read(files, tmp_path):
    """The real signal to a real process (this one), whose handler writes the dump as keepalived does."""
    dump = tmp_path / 'keepalived.json'
    dump.write_text('[]')
    os.utime(dump, ns=(0, 0))
    (tmp_path / 'pid').write_text('%d\n' % os.getpid())
    previous = signal.signal(signal.SIGUSR2, lambda *_: shutil.copy(fixture('keepalived_backup.json'), dump))
    argv = options(files, '--keepalived-pid-file', str(tmp_path / 'pid'), '--keepalived-dump', str(dump),
                   '--keepalived-signal', str(int(signal.SIGUSR2)), '--keepalived-timeout', '2')
    try:
        reg = scrape(argv)
        assert reg.get_sample_value('keepalived_vrrp_state', {'iname': 'VI_DEFAULT', 'intf': 'eth0', 'vrid': '77'}) == 1
        signal.signal(signal.SIGUSR2, lambda *_: None)   # a keepalived that writes nothing
        reg = scrape(argv[:-1] + ['0.2'])
        assert reg.get_sample_value('lvs_ha_exporter_source_up', {'source': 'keepalived'}) == 0
    finally:
        signal.signal(signal.SIGUSR2, previous)


def test_the_json_signal_is_asked_of_keepalived_once(files, tmp_path):
    (tmp_path / 'pid').write_text('%d\n' % os.getpid())
    run = Recorded({**RECORDED, 'keepalived': (0, '%d\n' % int(signal.SIGUSR2), '')})
    collector = exporter.DirectorCollector(exporter.parse(options(
        files, '--source', 'keepalived', '--keepalived-pid-file', str(tmp_path / 'pid'),
        '--keepalived-dump', str(tmp_path / 'none.json'), '--keepalived-timeout', '0.05')), run)
    previous = signal.signal(signal.SIGUSR2, lambda *_: None)
    try:
        list(collector.collect())
        list(collector.collect())
    finally:
        signal.signal(signal.SIGUSR2, previous)
    assert run.calls == [['/usr/sbin/keepalived', '--signum=JSON']]


def test_a_taken_port_fails_the_start_with_a_clear_message(capsys):
    with socket.socket() as taken:
        taken.bind(('127.0.0.1', 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert exporter.main(['--listen-address', '127.0.0.1', '--port', str(port)]) == 2
    assert 'cannot listen on 127.0.0.1 port %d: Address already in use' % port in capsys.readouterr().err


def test_an_unknown_source_is_refused(capsys):
    with pytest.raises(SystemExit):
        exporter.parse(['--source', 'haproxy'])
    assert "invalid choice: 'haproxy'" in capsys.readouterr().err
