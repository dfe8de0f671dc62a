# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import os

import pytest

from ansible_collections.lvs.ha.plugins.module_utils import ipvs_parser as parser
from ansible_collections.lvs.ha.plugins.module_utils.ipvs_errors import IpvsParseError
from ansible_collections.lvs.ha.plugins.module_utils.ipvs_render import render_table

FIXTURES = os.path.join(os.path.dirname(__file__), '..', '..', 'fixtures')


def text(name):
    with open(os.path.join(FIXTURES, name)) as handle:
        return handle.read()


@pytest.fixture
def table():
    return parser.parse_save(text('save_mixed.txt'))


def test_save_keys_are_ipvsadm_service_arguments(table):
    assert list(table) == ['-t 10.78.0.10:80', '-t 10.78.0.10:443', '-u 10.78.0.10:53', '-f 7', '-f 8 -6',
                           '-t [2001:db8::10]:80', '--sctp-service 10.78.0.10:3868']


def test_save_service_settings(table):
    https = table['-t 10.78.0.10:443']
    assert (https.protocol, https.address, https.port, https.scheduler) == ('tcp', '10.78.0.10', 443, 'wlc')
    assert (https.persistence_timeout, https.persistence_netmask) == (600, '255.255.255.0')
    assert table['-u 10.78.0.10:53'].one_packet is True
    assert table['-f 7'].scheduler_flags == ('sh-fallback', 'sh-port')
    assert (table['-f 8 -6'].fwmark, table['-f 8 -6'].family, table['-f 8 -6'].real_servers) == (8, 'ipv6', {})
    v6 = table['-t [2001:db8::10]:80']
    assert (v6.address, v6.family, v6.persistence_netmask) == ('2001:db8::10', 'ipv6', '64')
    assert table['--sctp-service 10.78.0.10:3868'].protocol == 'sctp'


def test_save_real_servers(table):
    web = table['-t 10.78.0.10:80'].real_servers
    assert list(web) == ['10.78.0.21:80', '10.78.0.22:80']
    assert (web['10.78.0.21:80'].forwarding, web['10.78.0.21:80'].weight) == ('dr', 2)
    assert web['10.78.0.21:80'].upper_threshold is None, 'ipvsadm -S does not save thresholds'
    dns = table['-u 10.78.0.10:53'].real_servers['10.78.0.23:5353']
    assert (dns.forwarding, dns.port) == ('nat', 5353)
    assert table['-f 7'].real_servers['10.78.0.21:0'].port == 0
    gue = table['-t [2001:db8::10]:80'].real_servers['10.78.0.24:80']
    assert (gue.forwarding, gue.tunnel_type, gue.tunnel_port, gue.tunnel_checksum) == ('tun', 'gue', 6080, 'nocsum')
    assert table['-t [2001:db8::10]:80'].real_servers['[2001:db8::21]:80'].address == '2001:db8::21'
    assert table['--sctp-service 10.78.0.10:3868'].real_servers['10.78.0.21:3868'].tunnel_type == 'ipip'


def test_save_round_trips_through_the_renderer():
    original = text('save_mixed.txt')
    assert '\n'.join(render_table(parser.parse_save(original))) + '\n' == original


def test_empty_save_is_an_empty_table():
    assert parser.parse_save('') == {}


@pytest.mark.parametrize('line, fragment', [
    ('-A -t 10.0.0.1:80', 'not an ipvsadm save-format rule'),
    ('-A -t 10.0.0.1:80 -s rr -q', "unexpected '-q'"),
    ('-a -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 1', 'no earlier -A line declares'),
    ('-A -t 10.0.0.1:http -s rr', 'cannot parse'),
])
def test_save_errors_name_the_line(line, fragment):
    with pytest.raises(IpvsParseError) as caught:
        parser.parse_save('-A -t 10.0.0.9:80 -s rr\n' + line + '\n', source='rules')
    assert 'rules line 2' in caught.value.msg
    assert fragment in caught.value.msg


def test_thresholds_and_connections():
    found = parser.parse_thresholds(text('list_thresholds.txt'))
    assert found['-t 10.78.0.10:80']['10.78.0.21:80'] == (100, 10, 3, 1)
    assert found['-u 10.78.0.10:53']['10.78.0.23:5353'] == (0, 0, 0, 2)
    assert found['-f 8 -6'] == {}
    assert found['-t [2001:db8::10]:80']['[2001:db8::21]:80'] == (0, 0, 1, 0)


def test_apply_thresholds(table):
    parser.apply_thresholds(table, parser.parse_thresholds(text('list_thresholds.txt')))
    server = table['-t 10.78.0.10:80'].real_servers['10.78.0.21:80']
    assert (server.upper_threshold, server.lower_threshold) == (100, 10)
    assert table['-f 7'].real_servers['10.78.0.21:0'].upper_threshold == 0


def test_connections_of_one_service():
    found = parser.parse_connections(text('list_service_80.txt'))
    assert found == {'-t 10.78.0.10:80': {'10.78.0.21:80': (3, 1), '10.78.0.22:80': (0, 0)}}


def test_stats_exact_numbers():
    stats = parser.parse_counters(text('list_stats.txt'), parser.STATS_COLUMNS)
    assert stats['-t 10.78.0.10:80']['totals'] == {'connections': 15, 'incoming_packets': 120, 'outgoing_packets': 0,
                                                   'incoming_bytes': 9000, 'outgoing_bytes': 0}
    assert stats['--sctp-service 10.78.0.10:3868']['servers']['10.78.0.21:3868']['incoming_bytes'] == 9876543210123
    assert stats['-f 8 -6']['totals']['connections'] == 0


def test_rates():
    rates = parser.parse_counters(text('list_rate.txt'), parser.RATE_COLUMNS)
    assert rates['-t 10.78.0.10:80']['servers']['10.78.0.21:80']['incoming_packets_per_second'] == 5


def test_short_counter_line_is_an_error():
    with pytest.raises(IpvsParseError):
        parser.parse_counters('TCP  10.0.0.1:80 1 2\n', parser.STATS_COLUMNS)


def test_timeouts_and_daemons():
    assert parser.parse_timeouts(text('list_timeout.txt')) == {'tcp': 900, 'tcpfin': 120, 'udp': 300}
    daemons = parser.parse_daemons(text('list_daemon.txt'))
    assert daemons[0] == {'role': 'master', 'interface': 'eth0', 'syncid': 10, 'sync_maxlen': 1472,
                          'mcast_group': '224.0.0.81', 'mcast_port': 8848, 'mcast_ttl': 1}
    assert daemons[1]['role'] == 'backup'
    assert parser.parse_daemons('') == []
    assert parser.parse_daemons('master sync daemon (mcast=eth0, syncid=0)\n') == [
        {'role': 'master', 'interface': 'eth0', 'syncid': 0}]
    with pytest.raises(IpvsParseError):
        parser.parse_timeouts('nonsense')


def test_output_recorded_in_the_lab_round_trips():
    """ipvsadm v1.31 on the lab kernel (6.1): -S -n and -L -n --thresholds, recorded verbatim."""
    saved = text('lab_save.txt')
    table = parser.parse_save(saved)
    assert '\n'.join(render_table(table)) + '\n' == saved
    parser.apply_thresholds(table, parser.parse_thresholds(text('lab_thresholds.txt')))
    server = table['-t 10.9.0.1:80'].real_servers['10.9.0.2:80']
    assert (server.weight, server.upper_threshold, server.lower_threshold) == (2, 100, 10)
    assert table['-t 10.9.0.1:80'].scheduler_flags == ('sh-fallback', 'sh-port')
    assert table['-t 10.9.0.1:81'].real_servers['[fd00::9]:81'].family == 'ipv6'
