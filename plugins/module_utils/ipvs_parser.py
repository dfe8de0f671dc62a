# -*- coding: utf-8 -*-
# Copyright (c) lvs.ha contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Parsers of ipvsadm output: the save format (``-S -n``) and the numeric listings.

The save format is the source of truth for the configuration. ipvsadm 1.31
does not save thresholds; they come from ``-L -n --thresholds``. Connections,
stats and rates come from ``-L -n --exact`` listings, timeouts from
``-L --timeout`` and the sync daemons from ``-L --daemon``.
"""

from __future__ import annotations

import re

from ansible_collections.lvs.ha.plugins.module_utils.ipvs_errors import IpvsParseError
from ansible_collections.lvs.ha.plugins.module_utils.ipvs_model import (
    RealServer,
    SWITCH_FORWARDING,
    SWITCH_PROTOCOL,
    VirtualService,
    split_hostport,
)

# -A -t 10.0.0.1:80 -s wlc -p 300 -M 255.255.255.0 -o -b sh-fallback,sh-port
# -A -f 7 -6 -s rr
SAVE_SERVICE_RE = re.compile(
    r'^-A (?P<service>(?:-t|-u|--sctp-service) \S+|-f \d+(?: -6)?) -s (?P<scheduler>\S+)(?P<options>(?: \S+)*)$')

# -a -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 1
# -a -u [2001:db8::1]:53 -r [2001:db8::2]:53 -i -w 1 --tun-type gue --tun-port 6080 --tun-nocsum
SAVE_SERVER_RE = re.compile(
    r'^-a (?P<service>(?:-t|-u|--sctp-service) \S+|-f \d+(?: -6)?) -r (?P<server>\S+) '
    r'(?P<forwarding>-[gmi]) -w (?P<weight>\d+)(?P<options>(?: \S+)*)$')

# TCP  10.0.0.1:80 wlc persistent 300      FWM  7 IPv6 rr      SCTP 10.0.0.1:3868 rr
LIST_SERVICE_RE = re.compile(r'^(?P<proto>TCP|UDP|SCTP|FWM) +(?P<endpoint>\S+)(?P<ipv6> IPv6)?(?P<rest>.*)$')

# "  -> 10.0.0.2:80                 Route   1      0          0"  (or stats/rate/threshold columns)
LIST_SERVER_RE = re.compile(r'^  -> (?P<endpoint>\S+)(?P<rest>.*)$')

# Timeout (tcp tcpfin udp): 900 120 300
TIMEOUT_RE = re.compile(r'^Timeout \(tcp tcpfin udp\): (?P<tcp>\d+) (?P<tcpfin>\d+) (?P<udp>\d+)$')

# master sync daemon (mcast=eth0, syncid=1, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)
DAEMON_RE = re.compile(r'^(?P<role>master|backup) sync daemon \((?P<settings>[^)]*)\)$')

LIST_PROTO_SWITCH = {'TCP': '-t', 'UDP': '-u', 'SCTP': '--sctp-service'}
STATS_COLUMNS = ('connections', 'incoming_packets', 'outgoing_packets', 'incoming_bytes', 'outgoing_bytes')
RATE_COLUMNS = ('connections_per_second', 'incoming_packets_per_second', 'outgoing_packets_per_second',
                'incoming_bytes_per_second', 'outgoing_bytes_per_second')
DAEMON_FIELDS = {'mcast': ('interface', str), 'syncid': ('syncid', int), 'maxlen': ('sync_maxlen', int),
                 'group': ('mcast_group', str), 'port': ('mcast_port', int), 'ttl': ('mcast_ttl', int)}


def _service_from_switch(switch, scheduler, origin):
    """A VirtualService from the ``-t 10.0.0.1:80`` / ``-f 7 -6`` part of a save line."""
    kind, _sep, target = switch.partition(' ')
    if kind == '-f':
        mark, _sep, v6 = target.partition(' ')
        return VirtualService(fwmark=int(mark), family='ipv6' if v6 else 'ipv4', scheduler=scheduler, origin=origin)
    address, port = split_hostport(target)
    return VirtualService(protocol=SWITCH_PROTOCOL[kind], address=address, port=port,
                          family='ipv6' if ':' in address else 'ipv4', scheduler=scheduler, origin=origin)


def _service_options(svc, options):
    """Apply ``-p 300 -M 255.255.255.0 --pe sip -o -b sh-port`` to svc."""
    tokens = options.split()
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token in ('-o', 'ops'):
            svc.one_packet = True
            index += 1
            continue
        if token not in ('-p', '-M', '--pe', '-b') or index + 1 >= len(tokens):
            raise IpvsParseError('unexpected %r in the service options %r' % (token, options.strip()))
        value = tokens[index + 1]
        if token == '-p':
            svc.persistence_timeout = int(value)
        elif token == '-M':
            svc.persistence_netmask = value
        elif token == '--pe':
            svc.persistence_engine = value
        else:
            svc.scheduler_flags = tuple(sorted(value.split(',')))
        index += 2


def _server_options(server, options):
    """Apply ``--tun-type gue --tun-port 6080 --tun-nocsum -x 100 -y 10`` to server."""
    tokens = options.split()
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.startswith('--tun-') and token[6:] in ('nocsum', 'csum', 'remcsum'):
            server.tunnel_checksum = token[6:]
            index += 1
            continue
        if token not in ('--tun-type', '--tun-port', '-x', '-y') or index + 1 >= len(tokens):
            raise IpvsParseError('unexpected %r in the real server options %r' % (token, options.strip()))
        value = tokens[index + 1]
        if token == '--tun-type':
            server.tunnel_type = value
        elif token == '--tun-port':
            server.tunnel_port = int(value)
        elif token == '-x':
            server.upper_threshold = int(value)
        else:
            server.lower_threshold = int(value)
        index += 2


def _refuse_twice(known, key, origin, what, fix):
    """A second rule for key would silently replace the first (and, for a service, its real servers)."""
    if key in known:
        raise IpvsParseError('%s: %s (also %s); %s' % (origin, what, known[key].origin, fix))


def _parse_line(line, table, origin):
    """Add one save-format line to table (dict key -> VirtualService)."""
    match = SAVE_SERVER_RE.match(line) if line.startswith('-a ') else None
    if match:
        service, endpoint, forwarding, weight, options = match.group('service', 'server', 'forwarding', 'weight', 'options')
        svc = table.get(service)
        if svc is None:
            raise IpvsParseError('%s: real server of %s, which no earlier -A line declares' % (origin, service))
        address, port = split_hostport(endpoint)
        server = RealServer(address, port, SWITCH_FORWARDING[forwarding], int(weight), origin=origin)
        if options:
            _server_options(server, options)
        _refuse_twice(svc.real_servers, server.key, origin, 'real server %s of %s is listed twice'
                      % (server.key, service), 'list each real server once')
        svc.real_servers[server.key] = server
        return
    match = SAVE_SERVICE_RE.match(line)
    if not match:
        raise IpvsParseError('%s: not an ipvsadm save-format rule: %r' % (origin, line))
    service, scheduler, options = match.group('service', 'scheduler', 'options')
    _refuse_twice(table, service, origin, '%s is declared twice' % service, 'declare each service once')
    svc = _service_from_switch(service, scheduler, origin)
    if options:
        _service_options(svc, options)
    svc.real_servers = {}
    table[service] = svc


def parse_save(text, source='ipvsadm -S -n'):
    """Parse save-format text into an ordered dict: service key -> VirtualService (real servers filled)."""
    table = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line or line.startswith('#'):
            continue
        try:
            _parse_line(line, table, '%s line %d' % (source, number))
        except (ValueError, KeyError, IndexError) as exc:
            raise IpvsParseError('%s line %d: cannot parse %r (%s)' % (source, number, line, exc))
        except IpvsParseError as exc:
            if exc.msg.startswith(source):
                raise
            raise IpvsParseError('%s line %d: %s' % (source, number, exc.msg))
    return table


def _list_service_key(match):
    if match.group('proto') == 'FWM':
        return '-f %s -6' % match.group('endpoint') if match.group('ipv6') else '-f %s' % match.group('endpoint')
    return '%s %s' % (LIST_PROTO_SWITCH[match.group('proto')], match.group('endpoint'))


def parse_listing(text):
    """Parse any ``ipvsadm -L -n`` listing into {service key: {'columns': [...], 'servers': {server key: [...]}}}.

    Columns are the whitespace-separated fields after the endpoint, as strings.
    """
    result = {}
    current = None
    for line in text.splitlines():
        match = LIST_SERVER_RE.match(line)
        if match:
            if current is None or match.group('endpoint') == 'RemoteAddress:Port':
                continue
            current['servers'][match.group('endpoint')] = match.group('rest').split()
            continue
        match = LIST_SERVICE_RE.match(line)
        if match:
            current = {'columns': match.group('rest').split(), 'servers': {}}
            result[_list_service_key(match)] = current
    return result


def _numbers(columns, names, where):
    if len(columns) < len(names):
        raise IpvsParseError('%s: expected %d numbers, got %r' % (where, len(names), columns))
    return dict(zip(names, (int(value) for value in columns[-len(names):])))


def parse_counters(text, names):
    """``-L -n --exact --stats`` or ``--rate``: {service key: {'totals': {...}, 'servers': {server key: {...}}}}."""
    result = {}
    for key, entry in parse_listing(text).items():
        result[key] = {
            'totals': _numbers(entry['columns'], names, key),
            'servers': {rs: _numbers(cols, names, '%s -> %s' % (key, rs)) for rs, cols in entry['servers'].items()},
        }
    return result


def parse_thresholds(text):
    """``-L -n --thresholds``: {service key: {server key: (upper, lower, active, inactive)}}."""
    result = {}
    for key, entry in parse_listing(text).items():
        result[key] = {rs: tuple(int(v) for v in cols[-4:]) for rs, cols in entry['servers'].items()}
    return result


def parse_connections(text):
    """``-L -n`` (Forward Weight ActiveConn InActConn): {service key: {server key: (active, inactive)}}."""
    result = {}
    for key, entry in parse_listing(text).items():
        result[key] = {rs: (int(cols[-2]), int(cols[-1])) for rs, cols in entry['servers'].items()}
    return result


def parse_timeouts(text):
    """``-L --timeout``: {'tcp': 900, 'tcpfin': 120, 'udp': 300}."""
    for line in text.splitlines():
        match = TIMEOUT_RE.match(line.strip())
        if match:
            return {name: int(value) for name, value in match.groupdict().items()}
    raise IpvsParseError('no timeout line in %r' % text)


def parse_daemons(text):
    """``-L --daemon``: a list of {'role': 'master', 'interface': 'eth0', 'syncid': 1, ...}."""
    daemons = []
    for line in text.splitlines():
        match = DAEMON_RE.match(line.strip())
        if not match:
            continue
        daemon = {'role': match.group('role')}
        for item in match.group('settings').split(','):
            name, _sep, value = item.strip().partition('=')
            if name in DAEMON_FIELDS:
                field, kind = DAEMON_FIELDS[name]
                daemon[field] = kind(value)
        daemons.append(daemon)
    return daemons


def apply_thresholds(table, thresholds):
    """Fill upper/lower thresholds of the real servers in table from parse_thresholds() output."""
    for key, svc in table.items():
        found = thresholds.get(key, {})
        for rs_key, server in svc.real_servers.items():
            upper, lower = found.get(rs_key, (0, 0, 0, 0))[:2]
            server.upper_threshold = upper
            server.lower_threshold = lower
