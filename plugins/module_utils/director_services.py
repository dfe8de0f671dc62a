# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A director model's virtual servers as the live IPVS services keepalived makes of them.

A plain virtual server is one IPVS service; one of a virtual_server_group is one
per member of the group (``10.0.0.10 80``, a range ``10.0.0.11-20 80``,
``fwmark 3``), each with the same real servers. Status and drain look services
up here, so a group service is neither skipped nor reported as stray.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping


def real_server_address(host, host_vars, version=4):
    """The address the directors balance to for inventory host ``host`` (host_vars: its hostvars).

    IPv4: real_server_address if set, else the default IPv4 fact, else ansible_host, else the name.
    IPv6 (services of an IPv6 VIP): real_server_address6 if set, else the default IPv6 fact, else ''
    (the preflight names the variable).
    """
    if version == 6:
        return host_vars['real_server_address6'] if 'real_server_address6' in host_vars else default_address(host_vars, 6) or ''
    if 'real_server_address' in host_vars:
        return host_vars['real_server_address']
    return default_ipv4_address(host_vars) or host_vars.get('ansible_host', host)


def default_address(host_vars, version):
    """The address of the host's default route of that IP version as gathered (ansible_facts.default_ipv4 or
    default_ipv6), or None.

    Read from ansible_facts, not the injected ansible_default_ipv4: ansible-core
    2.20 deprecates injecting facts as variables and 2.24 stops.
    """
    facts = host_vars.get('ansible_facts')
    found = facts.get('default_ipv%d' % version) if isinstance(facts, Mapping) else None
    return found.get('address') if isinstance(found, Mapping) else None


def default_ipv4_address(host_vars):
    """The address of the host's default IPv4 route as gathered, or None."""
    return default_address(host_vars, 4)


def canonical(address):
    """address as ipvsadm prints it, for comparisons; as given when it is no address."""
    try:
        return str(ipaddress.ip_address(str(address)))
    except ValueError:
        return str(address)


def _range(first, last):
    """keepalived's range: the last octet (IPv4, decimal) or the last group (IPv6, hex) runs up to last."""
    base = ipaddress.ip_address(first)
    if base.version == 4:
        end = int(last)
        start = int(base) & 0xff
    else:
        end = int(last, 16)
        start = int(base) & 0xffff
    return [str(base + step) for step in range(end - start + 1)]


def member_services(member, protocol):
    """One member of a virtual_server_group as live-service matchers: {'fwmark'} or {'protocol', 'address', 'port'}."""
    words = str(member).split()
    if words and words[0] == 'fwmark':
        return [{'fwmark': int(words[1])}]
    address, dash, last = words[0].partition('-')
    port = int(words[1]) if len(words) > 1 else None
    addresses = _range(address, last) if dash else [canonical(address)]
    return [{'protocol': protocol.lower(), 'address': a, 'port': port} for a in addresses]


def services_of(vs, groups):
    """[(label, matcher)]: the live services of one virtual server of the model."""
    if vs['group'] is not None:
        return [('%s %s' % (vs['group'], member), matcher)
                for member in groups.get(vs['group'], [])
                for matcher in member_services(member, vs['protocol'])]
    if vs['is_fwmark']:
        return [(vs['key'], {'fwmark': int(vs['fwmark'])})]
    return [(vs['key'], {'protocol': vs['protocol'].lower(), 'address': canonical(vs['ip']), 'port': int(vs['port'])})]


def find_live(matcher, live):
    """The live service (an ipvs_info service) the matcher names, or None."""
    for svc in live:
        if 'fwmark' in matcher:
            if svc.get('fwmark') == matcher['fwmark']:
                return svc
        elif (svc.get('protocol') == matcher['protocol'] and svc.get('port') == matcher['port']
              and svc.get('address') is not None and canonical(svc['address']) == matcher['address']):
            return svc
    return None


def drain_services(model, address):
    """The services the real server at address (or any of a list: its IPv4 and IPv6 addresses) serves on this
    director, as ipvs_real_server's virtual_server.

    [{'name', 'address', 'port', 'service'}]: address is the real server's in that service, port its port (None: the
    service's).
    """
    addresses = [address] if isinstance(address, str) else list(address)
    found = []
    for vs in model['virtual_servers']:
        for rs in vs['real_servers']:
            if rs['ip'] not in addresses:
                continue
            for label, matcher in services_of(vs, model['groups']):
                # A group member's real server listens on the member's port unless NAT maps it.
                port = rs['port'] if vs['group'] is None or rs['forwarding'] == 'NAT' else None
                name = vs['name'] if vs['group'] is None else '%s (%s)' % (vs['name'], label)
                found.append({'name': name, 'address': rs['ip'], 'port': port, 'service': matcher})
    return found
