# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.lvs.ha.plugins.module_utils.ipvs_errors import IpvsError, IpvsValidationError
from ansible_collections.lvs.ha.plugins.module_utils.ipvs_parser import parse_save
from ansible_collections.lvs.ha.plugins.module_utils.ipvs_spec import services_option
from ansible_collections.lvs.ha.plugins.module_utils.ipvs_validate import OptionsChecker, table_from_params, validate_table


def check(service):
    return table_from_params([service])


def error(service):
    with pytest.raises(IpvsValidationError) as caught:
        check(service)
    return caught.value.msg


def test_canonical_addresses_and_defaults():
    table = check(dict(address='2001:DB8:0::10', port=80, real_servers=[dict(address='2001:db8::0:21')]))
    svc = table['-t [2001:db8::10]:80']
    assert (svc.protocol, svc.family, svc.scheduler) == ('tcp', 'ipv6', 'wlc')
    assert list(svc.real_servers) == ['[2001:db8::21]:80']


@pytest.mark.parametrize('service, fragment', [
    (dict(address='web.example', port=80), "services[0].address: 'web.example' is not an IPv4 or IPv6 address"),
    (dict(address='10.0.0.256', port=80), 'services[0].address'),
    (dict(address='10.0.0.1', port=0), 'services[0].port: 0 is out of range; give a port from 1 to 65535'),
    (dict(address='10.0.0.1', port=65536), 'services[0].port: 65536 is out of range'),
    (dict(address='10.0.0.1', port=80, scheduler='fastest'), "services[0].scheduler: 'fastest' is not a scheduler"),
    (dict(address='10.0.0.1', port=80, scheduler='rr', scheduler_flags=['sh-port']),
     "services[0].scheduler_flags: 'sh-port' needs scheduler sh, not rr"),
    (dict(address='10.0.0.1', port=80, scheduler='sh', scheduler_flags=['mh-port']), 'needs scheduler mh'),
    (dict(address='10.0.0.1', port=80, persistence_timeout=0), 'services[0].persistence_timeout: 0 is out of range'),
    (dict(address='10.0.0.1', port=80, persistence_netmask='255.255.255.0'), 'set persistence_timeout too'),
    (dict(address='2001:db8::1', port=80, persistence_timeout=60, persistence_netmask='255.255.255.0'),
     "services[0].persistence_netmask: '255.255.255.0' is not valid for an IPv6 service; give a prefix length"),
    (dict(address='2001:db8::1', port=80, persistence_timeout=60, persistence_netmask='129'), 'out of range'),
    (dict(address='10.0.0.1', port=80, persistence_timeout=60, persistence_netmask='255.0.255.0'), 'is not an IPv4 netmask'),
    (dict(fwmark=0), 'services[0].fwmark: 0 is out of range'),
    (dict(fwmark=1, port=80), 'a firewall-mark service has no protocol, address or port'),
    (dict(address='10.0.0.1', port=80, family='ipv6'), 'services[0].family: is ipv6 but address 10.0.0.1 is ipv4'),
    (dict(address='10.0.0.1', port=80, one_packet=True), 'one-packet scheduling is for UDP'),
    (dict(address='10.0.0.1', port=80, real_servers=[dict(address='10.0.0.2', weight=-1)]),
     'services[0].real_servers[0].weight: -1 is out of range; give a weight from 0 (drained) to 65535'),
    (dict(address='10.0.0.1', port=80, real_servers=[dict(address='10.0.0.2', weight=65536)]), 'weight: 65536'),
    (dict(address='10.0.0.1', port=80, real_servers=[dict(address='10.0.0.2', port=8080)]),
     'services[0].real_servers[0].port: 8080 differs from the service port 80'),
    (dict(address='10.0.0.1', port=80, real_servers=[dict(address='2001:db8::2')]), 'use an ipv4 address, or forwarding: tun'),
    (dict(address='10.0.0.1', port=80, real_servers=[dict(address='10.0.0.2', upper_threshold=5, lower_threshold=10)]),
     'lower_threshold: 10 is above upper_threshold 5'),
    (dict(address='10.0.0.1', port=80, real_servers=[dict(address='10.0.0.2', lower_threshold=1)]), 'above upper_threshold 0'),
    (dict(address='10.0.0.1', port=80, real_servers=[dict(address='10.0.0.2', upper_threshold=-1)]), 'upper_threshold: -1'),
    (dict(address='10.0.0.1', port=80, real_servers=[dict(address='10.0.0.2', tunnel_type='gue', forwarding='dr')]),
     'tunnel settings need forwarding: tun'),
    (dict(address='10.0.0.1', port=80, real_servers=[dict(address='10.0.0.2', forwarding='tun', tunnel_type='gue')]),
     'a gue tunnel needs tunnel_port'),
    (dict(address='10.0.0.1', port=80, real_servers=[dict(address='10.0.0.2', forwarding='tun', tunnel_port=6080)]),
     'only a gue tunnel has a port'),
    (dict(address='10.0.0.1', port=80, real_servers=[dict(address='10.0.0.2'), dict(address='10.0.0.2', port=80)]),
     'services[0].real_servers[1].address: 10.0.0.2:80 is listed twice'),
])
def test_bad_input_names_field_and_fix(service, fragment):
    assert fragment in error(service)


def test_duplicate_service():
    with pytest.raises(IpvsValidationError) as caught:
        table_from_params([dict(address='10.0.0.1', port=80), dict(address='10.0.0.1', port=80, scheduler='rr')])
    assert 'services[1].address: -t 10.0.0.1:80 is declared twice (also services[0])' in caught.value.msg


def test_normalisation():
    table = check(dict(address='10.0.0.1', port=80, persistence_timeout=60, persistence_netmask='24',
                       real_servers=[dict(address='2001:db8::2', forwarding='tun', tunnel_type='gre')]))
    svc = table['-t 10.0.0.1:80']
    assert svc.persistence_netmask == '255.255.255.0'
    server = svc.real_servers['[2001:db8::2]:80']
    assert (server.tunnel_type, server.tunnel_checksum) == ('gre', 'nocsum')
    full_mask = check(dict(address='10.0.0.1', port=80, persistence_timeout=60, persistence_netmask='255.255.255.255'))
    assert full_mask['-t 10.0.0.1:80'].persistence_netmask is None
    fwm = check(dict(fwmark=3, real_servers=[dict(address='10.0.0.2')]))
    assert list(fwm['-f 3'].real_servers) == ['10.0.0.2:0']


def test_rules_text_is_validated_with_line_numbers():
    rules = parse_save('-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 1\n'
                       '-A -t [2001:db8::1]:80 -s rr -p 60 -M 255.255.255.0\n', source='rules')
    with pytest.raises(IpvsValidationError) as caught:
        validate_table(rules)
    assert caught.value.msg.startswith('rules line 3: persistence_netmask')


def test_rules_text_canonical_keys():
    rules = validate_table(parse_save('-A -t [2001:DB8::1]:80 -s rr\n-a -t [2001:DB8::1]:80 -r [2001:DB8::2]:80 -g -w 1\n',
                                      source='rules'))
    assert list(rules) == ['-t [2001:db8::1]:80']
    assert list(rules['-t [2001:db8::1]:80'].real_servers) == ['[2001:db8::2]:80']


def test_ipv4_fast_path_is_strict():
    from ansible_collections.lvs.ha.plugins.module_utils.ipvs_validate import canonical_address
    assert canonical_address('192.0.2.10', 'x') == '192.0.2.10'
    for bad in ('192.0.2.10\n', '010.0.0.1', '1.2.3', '256.1.1.1'):
        with pytest.raises(IpvsValidationError):
            canonical_address(bad, 'x')


def checked(services):
    """table_from_params as ipvs_table calls it: the nested options checked here, not by AnsibleModule."""
    return table_from_params(services, option=services_option())


@pytest.mark.parametrize('services, fragment', [
    ([dict(address='10.0.0.1', port=80, wieght=2)], 'services[0].wieght: is not an option here; use address,'),
    ([dict(address='10.0.0.1', port='eighty')], "services[0].port: 'eighty' is not an integer"),
    ([dict(address='10.0.0.1', port=80, scheduler='fastest')], "services[0].scheduler: 'fastest' is not one of rr,"),
    ([dict(address='10.0.0.1', port=80, scheduler='sh', scheduler_flags=['sh-port', 'nope'])],
     "services[0].scheduler_flags[1]: 'nope' is not one of"),
    ([dict(address='10.0.0.1', port=80, one_packet='maybe')], 'services[0].one_packet:'),
    ([dict(fwmark=5, port=80)], 'services[0].fwmark: parameters are mutually exclusive: fwmark|port'),
    ([dict(scheduler='rr')], 'services[0].fwmark: one of the following is required: fwmark, address'),
    ([dict(address='10.0.0.1')], 'services[0].port: parameters are required together: address, port'),
    ([dict(address='10.0.0.1', port=80, real_servers=[dict(weight=2)])], 'services[0].real_servers[0].address: is required'),
    ([dict(address='10.0.0.1', port=80, real_servers=[dict(address='10.0.0.2', forwarding='tun', tunnel_type='gue')])],
     'services[0].real_servers[0].tunnel_port: is required because tunnel_type is gue'),
    ([dict(address='10.0.0.1', port=80, real_servers=[dict(address='10.0.0.2', forwarding='teleport')])],
     "services[0].real_servers[0].forwarding: 'teleport' is not one of dr, nat, tun"),
    ([dict(address='10.0.0.1', port=80, real_servers='10.0.0.2')], 'services[0].real_servers[0]:'),
    (['just-a-string'], 'services[0]:'),
    ([None], 'services[0]: is empty'),
])
def test_nested_options_checked_as_ansible_would(services, fragment):
    with pytest.raises(IpvsValidationError) as caught:
        checked(services)
    assert fragment in caught.value.msg


def test_nested_options_converted_as_ansible_would():
    table = checked([dict(address='10.0.0.1', port='80', one_packet='no', scheduler_flags='sh-port', scheduler='sh',
                          real_servers=[dict(address='10.0.0.2', weight='3')])])
    svc = table['-t 10.0.0.1:80']
    assert (svc.port, svc.one_packet, svc.scheduler_flags) == (80, False, ('sh-port',))
    assert svc.real_servers['10.0.0.2:80'].weight == 3


def test_nested_options_left_alone_when_nothing_to_convert():
    services = [dict(address='10.0.0.1', port=80, real_servers=[dict(address='10.0.0.2')])]
    assert OptionsChecker(services_option()).value(services, '', 'services') is services


@pytest.mark.parametrize('service, fragment', [
    (dict(address='::ffff:10.0.0.1', port=80),
     "services[0].address: '::ffff:10.0.0.1' is an IPv4-mapped IPv6 address, which IPVS cannot serve"),
    (dict(address='10.0.0.1', port=80, real_servers=[dict(address='::ffff:10.0.0.2', forwarding='tun')]),
     'services[0].real_servers[0].address: \'::ffff:10.0.0.2\' is an IPv4-mapped'),
    (dict(address='0:0:0:0:0:ffff:0a00:0001', port=80), 'give the IPv4 address 10.0.0.1 instead'),
    (dict(address='fe80::1%eth0', port=80), "services[0].address: 'fe80::1%eth0' has a zone index (%eth0)"),
])
def test_addresses_ipvs_cannot_serve_are_refused(service, fragment):
    assert fragment in error(service)


@pytest.mark.parametrize('given, printed', [
    # as glibc's inet_ntop (and so ipvsadm -S -n) prints them
    ('::10.0.0.1', '::10.0.0.1'),
    ('::a00:1', '::10.0.0.1'),
    ('::1:2', '::0.1.0.2'),
    ('::1', '::1'),
    ('::100', '::100'),
    ('::ffff:0:a00:1', '::ffff:0:a00:1'),
    ('64:ff9b::10.0.0.1', '64:ff9b::a00:1'),
    ('2001:DB8:0:0:1:0:0:1', '2001:db8::1:0:0:1'),
])
def test_ipv6_addresses_canonical_as_ipvsadm_prints_them(given, printed):
    from ansible_collections.lvs.ha.plugins.module_utils.ipvs_validate import canonical_address
    assert canonical_address(given, 'x') == printed


def test_ipv6_prefix_length_normalised_like_ipv4_masks():
    table = check(dict(address='2001:db8::1', port=80, persistence_timeout=60, persistence_netmask='064'))
    assert table['-t [2001:db8::1]:80'].persistence_netmask == '64'
    rules = validate_table(parse_save('-A -t [2001:db8::1]:80 -s rr -p 60 -M /064\n', source='rules'))
    assert rules['-t [2001:db8::1]:80'].persistence_netmask == '64'
    assert check(dict(address='2001:db8::1', port=80, persistence_timeout=60, persistence_netmask='0128'))[
        '-t [2001:db8::1]:80'].persistence_netmask is None


def test_ipv6_prefix_length_of_other_digits_is_an_error_not_a_crash():
    message = error(dict(address='2001:db8::1', port=80, persistence_timeout=60, persistence_netmask='\u00b2'))
    assert message.startswith('services[0].persistence_netmask:') and 'give a prefix length from 1 to 128' in message


@pytest.mark.parametrize('rules, fragment', [
    ('-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 1\n-A -t 10.0.0.1:80 -s wlc\n',
     'rules line 3: -t 10.0.0.1:80 is declared twice (also rules line 1); declare each service once'),
    ('-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 1\n\n-a -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 2\n',
     'rules line 4: real server 10.0.0.2:80 of -t 10.0.0.1:80 is listed twice (also rules line 2); list each real server once'),
    ('-A -t [2001:db8::1]:80 -s rr\n-A -t [2001:db8:0::1]:80 -s rr\n',
     'rules line 2: -t [2001:db8::1]:80 is declared twice (also rules line 1); declare each service once'),
    ('-A -t [2001:db8::1]:80 -s rr\n-a -t [2001:db8::1]:80 -r [2001:db8::2]:80 -g -w 1\n'
     '-a -t [2001:db8::1]:80 -r [2001:db8::0:2]:80 -g -w 1\n',
     'rules line 3: real server [2001:db8::2]:80 of -t [2001:db8::1]:80 is listed twice (also rules line 2)'),
])
def test_duplicate_rules_are_errors(rules, fragment):
    with pytest.raises(IpvsError) as caught:
        validate_table(parse_save(rules, source='rules'))
    assert fragment in caught.value.msg
